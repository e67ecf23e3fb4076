import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { formatDate, formatMemory, formatMoney } from '@/components/portal/format';
import { Badge } from '@/components/ui/Badge';
import { Breadcrumb } from '@/components/ui/Breadcrumb';
import { EmptyState } from '@/components/ui/EmptyState';
import { inputClass } from '@/components/ui/Field';
import { PageHeader } from '@/components/ui/PageHeader';
import { Table, Td, Th } from '@/components/ui/Table';
import { PROVIDER_LABELS, PROVIDER_ORDER } from '@/lib/catalog/listing';
import { listPriceRules, listPrices } from '@/lib/catalog/price-book';
import { HOURS_PER_MONTH, loadPriceContext, priceVm } from '@/lib/catalog/pricing';
import { CHARGEBACK_SKUS, listPricesQuerySchema, RATE_SORTS } from '@/lib/catalog/schemas';
import { db } from '@/lib/db/client';
import { NotFoundError } from '@/lib/errors';
import { requirePrincipal } from '../../../_lib/session';
import { addRateAction, deleteRateAction, deleteRuleAction, importPricesAction, setRuleEnabledAction, updateRateAction, createRuleAction } from './actions';
import { ActionButton, AddRateForm, ImportForm, RatePriceForm, RuleForm } from './PriceBookForms';

export const metadata: Metadata = { title: 'Price book' };

type Search = Record<string, string | string[] | undefined>;
const SKU_LABELS: Record<string, string> = { vcpu: 'vCPU', 'memory-gib': 'Memory (GiB)', 'disk-gib': 'Disk (GiB)' };
const SORT_LABELS: Record<(typeof RATE_SORTS)[number], string> = { provider: 'Provider', sku: 'SKU', region: 'Region', price: 'Unit price' };

function parseQuery(raw: Search) {
  const first = (key: string) => (Array.isArray(raw[key]) ? raw[key][0] : raw[key]) || undefined;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(listPricesQuerySchema.shape) as (keyof typeof listPricesQuerySchema.shape)[]) {
    const parsed = listPricesQuerySchema.shape[key].safeParse(first(key));
    if (parsed.success && parsed.data !== undefined) out[key] = parsed.data;
  }
  return listPricesQuerySchema.parse(out);
}

/**
 * A card. `relative overflow-x-auto`: anything wider than a 390 px screen scrolls inside the card,
 * never the page — including the absolutely positioned sr-only labels inside the rates table, which
 * a non-positioned scroll box (the Table wrapper) does not contain.
 */
function Section({ id, title, description, children }: { id: string; title: string; description?: string; children: ReactNode }) {
  return (
    <section aria-labelledby={id} className="relative min-w-0 overflow-x-auto rounded-xl border border-slate-200 bg-surface p-4 shadow-sm sm:p-5">
      <h2 id={id} className="font-semibold">{title}</h2>
      {description && <p className="mb-3 mt-1 text-sm text-slate-600">{description}</p>}
      {children}
    </section>
  );
}

export default async function PriceBookPage({ searchParams }: { searchParams: Promise<Search> }) {
  await requirePrincipal('admin:prices');
  const query = parseQuery(await searchParams);
  // A stale priceBookId in the URL falls back to the book in effect.
  const list = await listPrices(db(), query).catch((error: unknown) => {
    if (error instanceof NotFoundError) return listPrices(db(), { ...query, priceBookId: undefined });
    throw error;
  });
  const book = list.priceBook;
  const [rules, projects, rateCard, ctx] = await Promise.all([
    listPriceRules(db()),
    db().project.findMany({ where: { archivedAt: null }, select: { id: true, name: true }, orderBy: { name: 'asc' }, take: 1000 }),
    book ? db().rate.findMany({ where: { priceBookId: book.id, providerKind: 'vsphere', sku: { in: [...CHARGEBACK_SKUS] } }, orderBy: { sku: 'asc' } }) : [],
    book ? loadPriceContext(db(), { priceBookId: book.id }) : null,
  ]);
  const providers = PROVIDER_ORDER.map((kind) => ({ kind, label: PROVIDER_LABELS[kind] }));
  const href = (patch: Record<string, string | number | undefined>) => {
    const merged = { priceBookId: query.priceBookId, provider: query.provider, region: query.region, q: query.q, sort: query.sort, dir: query.dir, page: query.page, ...patch };
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(merged)) {
      if (value === undefined || value === '' || (key === 'page' && value === 1) || (key === 'sort' && value === 'provider') || (key === 'dir' && value === 'asc')) continue;
      params.set(key, String(value));
    }
    const text = params.toString();
    return text ? `/admin/price-book?${text}` : '/admin/price-book';
  };
  const sortHeader = (sort: (typeof RATE_SORTS)[number]) => {
    const active = query.sort === sort;
    return (
      <Link href={href({ sort, dir: active && query.dir === 'asc' ? 'desc' : 'asc', page: 1 })} className="hover:underline">
        {SORT_LABELS[sort]} {active ? (query.dir === 'asc' ? '▲' : '▼') : ''}
      </Link>
    );
  };
  const pages = Math.max(1, Math.ceil(list.total / query.pageSize));
  // Example VM for the rate card: what 2 vCPU, 4 GiB and 40 GiB of disk cost a month on-prem.
  const example = ctx ? priceVm(ctx, { providerKind: 'vsphere', regionCode: '*', instanceType: '(rate card)', vcpus: 2, memoryMiB: 4096, diskGiB: 40 }) : null;

  return (
    <>
      <Breadcrumb trail={[{ href: '/admin', label: 'Admin' }]} current="Price book" />
      <PageHeader
        title="Price book"
        description={`Rates for request estimates: cloud instance types per hour (× ${HOURS_PER_MONTH} for a month) plus disk per GiB-month; vSphere as chargeback per vCPU, GiB of RAM and GiB of disk; then markup/discount rules.`}
      />
      {!book ? (
        <EmptyState title="No price book yet">
          Without rates, request estimates show “price on request”. Start Skyport with the demo data (SKYPORT_DEMO=1) for a sample price book, or create one through the
          API.
        </EmptyState>
      ) : (
        <div className="min-w-0 space-y-6">
          <div className="flex min-w-0 flex-wrap items-center gap-2 text-sm">
            <h2 className="text-base font-semibold">{book.name}</h2>
            {book.current ? <Badge tone="success">In effect</Badge> : <Badge>Not in effect</Badge>}
            <span className="text-slate-600">
              {book.source} · {book.currency} · from {formatDate(book.effectiveFrom)}
              {book.effectiveTo ? ` to ${formatDate(book.effectiveTo)}` : ''} · {book.rateCount} rates
            </span>
            {list.priceBooks.length > 1 && (
              <nav aria-label="Price books" className="flex flex-wrap gap-2">
                {list.priceBooks.filter((b) => b.id !== book.id).map((b) => (
                  <Link key={b.id} href={href({ priceBookId: b.id, page: 1 })} className="text-link hover:underline dark:text-brand-100">{b.name}</Link>
                ))}
              </nav>
            )}
          </div>

          <Section id="rate-card" title="vSphere rate card" description="What IT charges projects for on-prem capacity. Edit a rate inline; the example shows a 2 vCPU, 4 GiB, 40 GiB VM.">
            <div className="grid gap-3 sm:grid-cols-3">
              {CHARGEBACK_SKUS.map((sku) => {
                const rate = rateCard.find((r) => r.sku === sku);
                return (
                  <div key={sku} className="rounded-lg border border-slate-200 p-3">
                    <p className="text-sm font-medium">{SKU_LABELS[sku]}</p>
                    <p className="text-xs text-slate-500">per {rate?.unit ?? (sku === 'disk-gib' ? 'month' : 'hour')}</p>
                    {rate ? (
                      <div className="mt-2"><RatePriceForm action={updateRateAction.bind(null, rate.id)} unitPrice={rate.unitPrice.toFixed()} label={`vSphere ${sku}`} /></div>
                    ) : (
                      <p className="mt-2 text-sm text-amber-700">Not set — add it below (provider {PROVIDER_LABELS.vsphere}, sku {sku}).</p>
                    )}
                  </div>
                );
              })}
            </div>
            <p className="mt-3 text-sm text-slate-700">
              Example: {example ? `${formatMoney(Number(example.totalMonthly), example.currency)} a month (compute ${example.computeMonthly}, disk ${example.diskMonthly})` : 'not priced until vCPU and memory rates exist'}.
            </p>
          </Section>

          <Section id="rates" title="Rates">
            <form role="search" action="/admin/price-book" className="mb-3 flex flex-wrap items-end gap-3">
              {query.priceBookId && <input type="hidden" name="priceBookId" value={query.priceBookId} />}
              <div className="min-w-40 flex-1">
                <label htmlFor="rate-q" className="block text-sm font-medium text-slate-800">SKU</label>
                <input id="rate-q" name="q" type="search" defaultValue={query.q ?? ''} placeholder="e.g. m5" className={inputClass} />
              </div>
              <div>
                <label htmlFor="rate-provider" className="block text-sm font-medium text-slate-800">Provider</label>
                <select id="rate-provider" name="provider" defaultValue={query.provider ?? ''} className={inputClass}>
                  <option value="">All</option>
                  {providers.map((p) => <option key={p.kind} value={p.kind}>{p.label}</option>)}
                </select>
              </div>
              <div>
                <label htmlFor="rate-region" className="block text-sm font-medium text-slate-800">Region</label>
                <input id="rate-region" name="region" defaultValue={query.region ?? ''} placeholder="* or a code" className={inputClass} />
              </div>
              <button type="submit" className="rounded-md border border-slate-300 bg-surface px-3 py-1.5 text-sm font-medium shadow-sm hover:bg-slate-50">Filter</button>
            </form>
            {list.rates.length === 0 ? (
              <p className="text-sm text-slate-500">No rates match. <Link href="/admin/price-book" className="text-link hover:underline dark:text-brand-100">Clear filters</Link></p>
            ) : (
              <Table caption={`Rates in ${book.name}`}>
                <thead>
                  <tr>
                    <Th>{sortHeader('provider')}</Th>
                    <Th>{sortHeader('sku')}</Th>
                    <Th>Shape</Th>
                    <Th>{sortHeader('region')}</Th>
                    <Th align="right">{sortHeader('price')}</Th>
                    <Th align="right">Monthly</Th>
                    <Th><span className="sr-only">Remove</span></Th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {list.rates.map((r) => {
                    const label = `${PROVIDER_LABELS[r.providerKind]} ${r.sku} ${r.regionCode}`;
                    return (
                      <tr key={r.id}>
                        <Td className="whitespace-nowrap">{PROVIDER_LABELS[r.providerKind]}</Td>
                        <Td className="font-mono text-xs">{SKU_LABELS[r.sku] ?? r.sku}</Td>
                        <Td className="whitespace-nowrap text-xs">{r.vcpus !== null ? `${r.vcpus} vCPU · ${formatMemory(r.memoryMiB)}` : '—'}</Td>
                        <Td className="whitespace-nowrap">{r.regionCode === '*' ? 'All regions' : r.regionCode}</Td>
                        <Td align="right">
                          <RatePriceForm action={updateRateAction.bind(null, r.id)} unitPrice={r.unitPrice} label={label} />
                          <span className="text-xs text-slate-500">per {r.unit}</span>
                        </Td>
                        <Td align="right" className="whitespace-nowrap">{r.unit === 'hour' ? formatMoney(Number(r.monthly), book.currency) : `${formatMoney(Number(r.monthly), book.currency)}/unit`}</Td>
                        <Td><ActionButton action={deleteRateAction.bind(null, r.id)} label="Remove" pendingLabel="…" variant="danger" ariaLabel={`Remove ${label}`} /></Td>
                      </tr>
                    );
                  })}
                </tbody>
              </Table>
            )}
            <nav aria-label="Rate pages" className="mt-3 flex flex-wrap items-center justify-between gap-2 text-sm text-slate-600">
              <span>Page {query.page} of {pages} · {list.total} rates</span>
              <span className="flex gap-2">
                {query.page > 1 && <Link className="rounded-md border border-slate-300 px-3 py-1 hover:bg-slate-50" href={href({ page: query.page - 1 })}>Previous</Link>}
                {query.page < pages && <Link className="rounded-md border border-slate-300 px-3 py-1 hover:bg-slate-50" href={href({ page: query.page + 1 })}>Next</Link>}
              </span>
            </nav>
            <div className="mt-5 border-t border-slate-100 pt-4">
              <h3 className="mb-2 text-sm font-semibold">Add or change a rate</h3>
              <AddRateForm action={addRateAction.bind(null, book.id)} providers={providers} />
            </div>
          </Section>

          <Section id="import" title="Import from CSV" description="All or nothing: every row is checked first; if any row is wrong nothing is imported and each problem is listed.">
            <ImportForm action={importPricesAction.bind(null, book.id)} />
          </Section>

          <Section id="rules" title="Markup and discount rules" description="Applied to every estimate: all enabled rules matching the provider and project add up (1 + Σ markup − Σ discount).">
            {rules.length === 0 ? (
              <p className="mb-3 text-sm text-slate-500">No rules: estimates use list prices as they are.</p>
            ) : (
              <div className="mb-4">
                <Table caption="Price rules">
                  <thead>
                    <tr><Th>Rule</Th><Th>Adjustment</Th><Th>Provider</Th><Th>Project</Th><Th>Status</Th><Th><span className="sr-only">Actions</span></Th></tr>
                  </thead>
                  <tbody className="divide-y divide-slate-100">
                    {rules.map((rule) => (
                      <tr key={rule.id}>
                        <Td>{rule.name}</Td>
                        <Td className="whitespace-nowrap">{rule.adjustment === 'markup' ? '+' : '−'}{rule.percent} %</Td>
                        <Td>{rule.providerKind ? PROVIDER_LABELS[rule.providerKind] : 'Every provider'}</Td>
                        <Td>{rule.projectName ?? 'Every project'}</Td>
                        <Td>{rule.enabled ? <Badge tone="success">On</Badge> : <Badge>Off</Badge>}</Td>
                        <Td className="whitespace-nowrap">
                          <span className="flex gap-2">
                            <ActionButton action={setRuleEnabledAction.bind(null, rule.id, !rule.enabled)} label={rule.enabled ? 'Disable' : 'Enable'} pendingLabel="…" ariaLabel={`${rule.enabled ? 'Disable' : 'Enable'} ${rule.name}`} />
                            <ActionButton action={deleteRuleAction.bind(null, rule.id)} label="Remove" pendingLabel="…" variant="danger" ariaLabel={`Remove ${rule.name}`} />
                          </span>
                        </Td>
                      </tr>
                    ))}
                  </tbody>
                </Table>
              </div>
            )}
            <RuleForm action={createRuleAction} projects={projects} providers={providers} />
          </Section>
        </div>
      )}
    </>
  );
}
