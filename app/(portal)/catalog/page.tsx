import type { Metadata } from 'next';
import Link from 'next/link';
import { formatMemory, formatMoney } from '@/components/portal/format';
import { EmptyState } from '@/components/ui/EmptyState';
import { PageHeader } from '@/components/ui/PageHeader';
import { can, isAdmin } from '@/lib/auth/permissions';
import { HOURS_PER_MONTH, listCatalog } from '@/lib/catalog/listing';
import { db } from '@/lib/db/client';
import { requirePrincipal } from '../../_lib/session';

export const metadata: Metadata = { title: 'Catalog' };

export default async function CatalogPage() {
  const principal = await requirePrincipal('catalog:read');
  // Templates restricted to projects the user is not in stay hidden (admins see all).
  const templates = await listCatalog(db(), { projectIds: isAdmin(principal) ? undefined : Object.keys(principal.projects) });
  return (
    <>
      <PageHeader title="Catalog" description="Pick a template, choose where it runs, and submit a request." />
      {templates.length === 0 ? (
        <EmptyState
          title="No templates yet"
          action={can(principal, 'admin:catalog') ? { href: '/admin', label: 'Go to Admin' } : undefined}
        >
          {can(principal, 'admin:catalog')
            ? 'Add the first template under Admin → Catalog; it appears here for everyone.'
            : 'An administrator has not published any templates yet. Ask them to add one under Admin → Catalog.'}
        </EmptyState>
      ) : (
        <ul aria-label="Templates" className="grid gap-4 sm:grid-cols-2 xl:grid-cols-3">
          {templates.map((t) => (
            <li key={t.id} aria-labelledby={`tpl-${t.slug}`} className="flex flex-col rounded-xl border border-slate-200 bg-surface p-5 shadow-sm">
              <div className="flex items-start justify-between gap-3">
                <div>
                  <p className="text-xs font-medium uppercase tracking-wide text-link">{t.category}</p>
                  <h2 id={`tpl-${t.slug}`} className="mt-1 font-semibold">{t.name}</h2>
                </div>
                {t.fromMonthlyPrice !== null && (
                  <p className="shrink-0 text-right text-sm leading-tight text-slate-600">
                    <span className="block text-xs">from</span>
                    <span className="text-lg font-semibold text-slate-900">{formatMoney(t.fromMonthlyPrice, t.currency, { maximumFractionDigits: 0 })}</span>
                    <span className="text-xs">/month</span>
                  </p>
                )}
              </div>
              <p className="mt-2 text-sm text-slate-600">{t.description}</p>
              <dl className="mt-3 flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-500">
                <div><dt className="sr-only">CPU</dt><dd>{t.vcpus} vCPU</dd></div>
                <div><dt className="sr-only">Memory</dt><dd>{formatMemory(t.memoryMiB)} RAM</dd></div>
                <div><dt className="sr-only">Disk</dt><dd>{t.diskGiB} GiB disk</dd></div>
                <div><dt className="sr-only">Operating system</dt><dd>{t.os}</dd></div>
                {t.defaultLeaseDays !== null && <div><dt className="sr-only">Lease</dt><dd>{t.defaultLeaseDays}-day lease</dd></div>}
              </dl>
              {t.sizes.length > 1 && (
                <div className="mt-3">
                  <h3 className="text-xs font-medium text-slate-500">{t.sizes.length} sizes</h3>
                  <ul className="mt-1 space-y-0.5 text-xs text-slate-600" aria-label={`Sizes of ${t.name}`}>
                    {t.sizes.map((s) => (
                      <li key={s.name} className="flex justify-between gap-2">
                        <span>
                          <span className="font-medium text-slate-800">{s.label}</span> · {s.vcpus} vCPU · {formatMemory(s.memoryMiB)} · {s.diskGiB} GiB
                        </span>
                        <span className="whitespace-nowrap">{s.fromMonthlyPrice === null ? '—' : `from ${formatMoney(s.fromMonthlyPrice, t.currency, { maximumFractionDigits: 0 })}`}</span>
                      </li>
                    ))}
                  </ul>
                </div>
              )}
              <div className="mt-4 border-t border-slate-100 pt-3">
                <h3 className="text-xs font-medium text-slate-500">Available on</h3>
                {t.providers.length === 0 ? (
                  <p className="mt-1 text-sm text-slate-500">No provider mapping yet.</p>
                ) : (
                  <ul className="mt-2 grid grid-cols-2 gap-2" aria-label={`Providers for ${t.name}`}>
                    {t.providers.map((p) => (
                      <li key={p.providerKind} className="rounded-lg bg-slate-50 px-2.5 py-1.5 text-xs ring-1 ring-inset ring-slate-200">
                        <span className="block font-medium text-slate-800">{p.label}</span>
                        <span className="block text-slate-500">
                          {p.size}
                          {p.regionCodes.some((r) => r !== '*') && ` · ${p.regionCodes.filter((r) => r !== '*').join(', ')}`}
                        </span>
                        <span className="block text-slate-700">
                          {p.monthlyPrice === null ? 'Price on request' : `${formatMoney(p.monthlyPrice, t.currency)}/mo`}
                        </span>
                      </li>
                    ))}
                  </ul>
                )}
              </div>
              {can(principal, 'request:create') && (
                <div className="mt-auto pt-4">
                  <Link
                    href={`/catalog/${t.slug}`}
                    aria-label={`Request ${t.name}`}
                    className="inline-flex rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white shadow-sm hover:bg-brand-700"
                  >
                    Request
                  </Link>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      {templates.length > 0 && (
        <p className="mt-6 text-xs text-slate-500">
          Monthly prices are estimates from the current price book ({HOURS_PER_MONTH} hours a month plus disk; on-premises vSphere at the internal
          chargeback rate) for the smallest size, before tax; your project’s discounts apply on the request form.
        </p>
      )}
    </>
  );
}
