import type { Metadata } from 'next';
import Link from 'next/link';
import { forbidden } from 'next/navigation';
import { EmptyState } from '@/components/ui/EmptyState';
import { PageHeader } from '@/components/ui/PageHeader';
import { Table, Td, Th } from '@/components/ui/Table';
import { can } from '@/lib/auth/permissions';
import { DIMENSION_LABELS, getCostBreakdown, getCostSummary, listCostLineItems } from '@/lib/billing/costs';
import { COST_DIMENSIONS } from '@/lib/billing/schemas';
import { costScopeFor } from '@/lib/billing/scope';
import { DIMENSION_FILTER, type ExplorerState, explorerHref, parseExplorerState, type SearchParams } from '@/lib/billing/url-state';
import { db } from '@/lib/db/client';
import { requirePrincipal } from '../../_lib/session';
import { CostTrendChart } from './CostTrendChart';
import { money } from './money';

export const metadata: Metadata = { title: 'Costs' };

const tile = 'rounded-xl border border-slate-200 bg-surface p-4 shadow-sm';
const link = 'font-medium text-link underline-offset-2 hover:underline';
const selectClass = 'mt-1 block w-full rounded-md border border-slate-300 bg-surface px-2 py-1.5 text-sm';
const PAGE_SIZE = 50;

const FILTER_LABELS: Record<string, string> = {
  provider: 'Provider', region: 'Region', projectId: 'Project', serviceCategory: 'Service category', service: 'Service',
  subAccount: 'Sub-account', chargeCategory: 'Charge category', resourceId: 'Resource', vmId: 'VM', tagKey: 'Tag', tagValue: 'Tag value',
};

function Filters({ state }: { state: ExplorerState }) {
  const active = Object.entries(FILTER_LABELS).filter(([k]) => state.filters[k as keyof typeof state.filters] !== undefined);
  return (
    <form method="get" action="/costs" className={`${tile} mb-6 grid gap-3 sm:grid-cols-2 lg:grid-cols-6`} aria-label="Cost filters">
      {Object.keys(FILTER_LABELS).map((k) => {
        const v = state.filters[k as keyof typeof state.filters];
        return v !== undefined && k !== 'tagKey' ? <input key={k} type="hidden" name={k} value={String(v)} /> : null;
      })}
      <label className="text-sm font-medium text-slate-800">
        From
        <input type="date" name="start" defaultValue={state.filters.start} className={selectClass} />
      </label>
      <label className="text-sm font-medium text-slate-800">
        To (exclusive)
        <input type="date" name="end" defaultValue={state.filters.end} className={selectClass} />
      </label>
      <label className="text-sm font-medium text-slate-800">
        Group by
        <select name="groupBy" defaultValue={state.groupBy} className={selectClass}>
          {COST_DIMENSIONS.map((d) => (
            <option key={d} value={d}>{DIMENSION_LABELS[d]}</option>
          ))}
        </select>
      </label>
      <label className="text-sm font-medium text-slate-800">
        Columns
        <select name="pivot" defaultValue={state.pivot ?? ''} className={selectClass}>
          <option value="">Total only</option>
          {COST_DIMENSIONS.map((d) => (
            <option key={d} value={d}>{DIMENSION_LABELS[d]}</option>
          ))}
        </select>
      </label>
      <label className="text-sm font-medium text-slate-800">
        Tag key
        <input name="tagKey" defaultValue={state.filters.tagKey ?? ''} placeholder="e.g. project" className={selectClass} maxLength={200} />
      </label>
      <fieldset className="text-sm">
        <legend className="font-medium text-slate-800">Cost</legend>
        <div className="mt-1 flex gap-3">
          <label className="flex items-center gap-1">
            <input type="radio" name="metric" value="effective" defaultChecked={state.metric === 'effective'} /> Effective
          </label>
          <label className="flex items-center gap-1">
            <input type="radio" name="metric" value="billed" defaultChecked={state.metric === 'billed'} /> Billed
          </label>
        </div>
      </fieldset>
      <div className="flex flex-wrap items-center gap-2 sm:col-span-2 lg:col-span-6">
        <button type="submit" className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700">Apply</button>
        {active.map(([k, label]) => (
          <Link key={k} href={explorerHref(state, { [k]: undefined, ...(k === 'tagKey' ? { tagValue: undefined } : {}), page: undefined })}
            className="rounded-full border border-slate-300 px-2.5 py-0.5 text-xs text-slate-700 hover:bg-slate-50" aria-label={`Remove filter ${label}`}>
            {label}: {String(state.filters[k as keyof typeof state.filters]) || '(none)'} ×
          </Link>
        ))}
        {active.length > 0 && <Link href={explorerHref(state, Object.fromEntries(Object.keys(FILTER_LABELS).map((k) => [k, undefined])))} className={`${link} text-xs`}>Clear filters</Link>}
      </div>
    </form>
  );
}

export default async function CostsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const principal = await requirePrincipal('cost:read-own');
  const state = parseExplorerState(await searchParams);
  const scope = costScopeFor(principal);
  // Project owners reach their costs from the URL (the Costs menu entry is admin-only); anyone
  // owning no project gets the 403 page, as before.
  if (!scope.all && scope.projectIds.length === 0) forbidden();
  const database = db();
  const [summary, breakdown, items] = await Promise.all([
    getCostSummary(database, scope, state.filters),
    getCostBreakdown(database, scope, state.filters, { groupBy: state.groupBy, pivot: state.pivot, tagKey: state.filters.tagKey }),
    state.items ? listCostLineItems(database, scope, state.filters, { page: state.page, pageSize: PAGE_SIZE }) : Promise.resolve(null),
  ]);
  const metricKey = state.metric === 'billed' ? 'billedCost' : 'effectiveCost';
  const metricLabel = state.metric === 'billed' ? 'Billed cost' : 'Effective cost';
  const currency = summary.currency;
  const admin = can(principal, 'cost:import');
  const month = state.filters.start.slice(0, 7);
  const drill = (rowKey: string, colKey?: string) =>
    explorerHref(state, {
      [DIMENSION_FILTER[state.groupBy]]: rowKey,
      ...(state.pivot && colKey !== undefined ? { [DIMENSION_FILTER[state.pivot]]: colKey } : {}),
      items: '1',
      page: undefined,
    });

  return (
    <>
      <PageHeader
        title="Costs"
        description={`All providers from one FOCUS model: cloud bills and on-prem chargeback. ${scope.all ? '' : 'You see the projects you own.'} Amounts in ${currency}.`}
        actions={
          <div className="flex flex-wrap gap-3 text-sm">
            {admin && <Link href="/costs/imports" className={link}>Upload cost file</Link>}
            {admin && <Link href="/costs/budgets" className={link}>Budgets</Link>}
            <a href={`/api/v1/costs/showback?month=${month}&by=project`} className={link}>Showback CSV ({month})</a>
          </div>
        }
      />
      {state.problem && <p role="alert" className="mb-4 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900">{state.problem}</p>}

      <section aria-label="Cost at a glance" className="mb-6 grid gap-3 sm:grid-cols-3">
        <div className={tile} data-testid="tile-mtd">
          <h2 className="text-xs font-semibold uppercase tracking-wide text-slate-600">Month to date</h2>
          <p className="mt-1 text-2xl font-semibold tabular-nums">{money(summary.monthToDate[metricKey], currency)}</p>
          <p className="text-xs text-slate-600">{metricLabel.toLowerCase()}</p>
        </div>
        <div className={tile} data-testid="tile-forecast">
          <h2 className="text-xs font-semibold uppercase tracking-wide text-slate-600">Forecast to month end</h2>
          <p className="mt-1 text-2xl font-semibold tabular-nums">{money(summary.forecastMonthEnd[metricKey], currency)}</p>
          <p className="text-xs text-slate-600" title={summary.forecastMonthEnd.method}>run-rate: month to date ÷ days elapsed × days in month</p>
        </div>
        <div className={tile} data-testid="tile-last-month">
          <h2 className="text-xs font-semibold uppercase tracking-wide text-slate-600">Last month</h2>
          <p className="mt-1 text-2xl font-semibold tabular-nums">{money(summary.lastMonth[metricKey], currency)}</p>
          <p className="text-xs text-slate-600">{metricLabel.toLowerCase()}</p>
        </div>
      </section>

      <Filters state={state} />

      {summary.rowCount === 0 ? (
        <EmptyState title="No costs in this range" action={admin ? { href: '/costs/imports', label: 'Upload a FOCUS file' } : undefined}>
          Costs appear once billing data is imported (FOCUS CSV, gzipped CSV or Parquet; a watched folder per provider account) and the
          daily on-prem chargeback has run. Try a wider date range.
        </EmptyState>
      ) : (
        <div className="space-y-8">
          <section aria-labelledby="by-provider">
            <h2 id="by-provider" className="mb-2 text-base font-semibold">By provider, {state.filters.start} to {state.filters.end}</h2>
            <ul className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4" data-testid="provider-totals">
              {summary.totals.map((t) => (
                <li key={`${t.provider}-${t.currency}`} className={tile}>
                  <Link href={explorerHref(state, { provider: t.provider, page: undefined })} className={link}>{t.provider}</Link>
                  <p className="mt-1 text-xl font-semibold tabular-nums">{money(t[metricKey], t.currency)}</p>
                  <p className="text-xs text-slate-600">billed {money(t.billedCost, t.currency)} · effective {money(t.effectiveCost, t.currency)}</p>
                </li>
              ))}
            </ul>
            {summary.currencies.length > 1 && (
              <p className="mt-2 text-xs text-slate-600">Several currencies: totals below are in {currency}; others: {summary.currencies.slice(1).join(', ')} (filter by provider to see them).</p>
            )}
          </section>

          <section aria-labelledby="trend">
            <h2 id="trend" className="mb-2 text-base font-semibold">Daily trend ({metricLabel.toLowerCase()}, {currency})</h2>
            <div className={tile}>
              <CostTrendChart points={breakdown.daily.map((d) => ({ day: d.day, value: Number(d[metricKey]) }))} currency={currency} label={metricLabel} />
              <details className="mt-2 text-sm">
                <summary className="cursor-pointer text-link">Table view of the daily trend</summary>
                <div className="mt-2">
                  <Table caption={`Daily ${metricLabel.toLowerCase()}`}>
                    <thead><tr><Th>Day</Th><Th align="right">Billed</Th><Th align="right">Effective</Th></tr></thead>
                    <tbody className="divide-y divide-slate-100">
                      {breakdown.daily.map((d) => (
                        <tr key={d.day}><Td>{d.day}</Td><Td align="right">{money(d.billedCost, currency)}</Td><Td align="right">{money(d.effectiveCost, currency)}</Td></tr>
                      ))}
                    </tbody>
                  </Table>
                </div>
              </details>
            </div>
          </section>

          <section aria-labelledby="pivot">
            <h2 id="pivot" className="mb-2 text-base font-semibold">
              {metricLabel} by {DIMENSION_LABELS[state.groupBy].toLowerCase()}{state.pivot ? ` and ${DIMENSION_LABELS[state.pivot].toLowerCase()}` : ''}
            </h2>
            <Table caption={`${metricLabel} by ${DIMENSION_LABELS[state.groupBy]}; select an amount to see its line items`}>
              <thead>
                <tr>
                  <Th>{state.groupBy === 'tag' ? `Tag ${state.filters.tagKey}` : DIMENSION_LABELS[state.groupBy]}</Th>
                  {state.pivot && breakdown.columns.map((c) => <Th key={c.key} align="right">{c.label}</Th>)}
                  <Th align="right">Total</Th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100" data-testid="pivot-rows">
                {breakdown.rows.map((r) => (
                  <tr key={r.key}>
                    <Td>{r.label}</Td>
                    {state.pivot &&
                      breakdown.columns.map((c) => (
                        <Td key={c.key} align="right">
                          {r.cells[c.key] ? <Link href={drill(r.key, c.key)} className={link}>{money(r.cells[c.key]![metricKey], currency)}</Link> : '—'}
                        </Td>
                      ))}
                    <Td align="right"><Link href={drill(r.key)} className={link} title={`Line items of ${r.label}`}>{money(r[metricKey], currency)}<span className="sr-only"> — line items of {r.label}</span></Link></Td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr className="border-t border-slate-200 font-semibold">
                  <Td>Total</Td>
                  {state.pivot && breakdown.columns.map((c) => <Td key={c.key} align="right">{''}</Td>)}
                  <Td align="right">{money(breakdown.total[metricKey], currency)}</Td>
                </tr>
              </tfoot>
            </Table>
          </section>

          {!state.items ? (
            <p className="text-sm"><Link href={explorerHref(state, { items: '1', page: undefined })} className={link}>Show the line items behind these totals</Link></p>
          ) : (
            items && (
              <section aria-labelledby="items">
                <h2 id="items" className="mb-2 text-base font-semibold">Line items ({items.total})</h2>
                <Table caption="Cost line items">
                  <thead>
                    <tr><Th>Charge period</Th><Th>Provider</Th><Th>Service</Th><Th>Resource</Th><Th>Category</Th><Th align="right">Billed</Th><Th align="right">Effective</Th></tr>
                  </thead>
                  <tbody className="divide-y divide-slate-100" data-testid="line-items">
                    {items.items.map((i) => (
                      <tr key={i.id}>
                        <Td className="whitespace-nowrap">{i.chargePeriodStart.slice(0, 16).replace('T', ' ')}</Td>
                        <Td>{i.providerName}</Td>
                        <Td>{i.serviceName ?? '—'}</Td>
                        <Td className="max-w-[16rem] break-all">
                          {i.vmId ? <Link href={`/inventory/${i.vmId}`} className={link}>{i.vmName ?? i.resourceName ?? i.resourceId}</Link> : (i.resourceName ?? i.resourceId ?? '—')}
                        </Td>
                        <Td>{i.chargeCategory}</Td>
                        <Td align="right">{money(i.billedCost, i.billingCurrency)}</Td>
                        <Td align="right">{money(i.effectiveCost, i.billingCurrency)}</Td>
                      </tr>
                    ))}
                  </tbody>
                </Table>
                <nav aria-label="Line item pages" className="mt-2 flex gap-4 text-sm">
                  {state.page > 1 && <Link href={explorerHref(state, { page: String(state.page - 1) })} className={link}>Previous</Link>}
                  {state.page * PAGE_SIZE < items.total && <Link href={explorerHref(state, { page: String(state.page + 1) })} className={link}>Next</Link>}
                  <span className="text-slate-600">Page {state.page} of {Math.max(1, Math.ceil(items.total / PAGE_SIZE))}</span>
                </nav>
              </section>
            )
          )}
        </div>
      )}
    </>
  );
}
