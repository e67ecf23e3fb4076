import type { Metadata } from 'next';
import Link from 'next/link';
import { formatDate, formatMoney, PROVIDER_NAMES } from '@/components/portal/format';
import { RequestStatusBadge } from '@/components/portal/StatusBadges';
import { EmptyState } from '@/components/ui/EmptyState';
import { inputClass } from '@/components/ui/Field';
import { PageHeader } from '@/components/ui/PageHeader';
import { Table, Td, Th } from '@/components/ui/Table';
import { db } from '@/lib/db/client';
import { ValidationError } from '@/lib/errors';
import { listRequests } from '@/lib/requests/service';
import { REQUEST_STATUSES, type RequestListResponse } from '@/lib/requests/schemas';
import { requirePrincipal } from '../../_lib/session';

export const metadata: Metadata = { title: 'My requests' };

type Search = Record<string, string | string[] | undefined>;
const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
const STATUS_LABEL = (s: string) => s.charAt(0).toUpperCase() + s.slice(1).replace(/_/g, ' ');

function href(current: Record<string, string>, change: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...current, ...change })) if (v) params.set(k, v);
  const qs = params.toString();
  return qs ? `/requests?${qs}` : '/requests';
}

export default async function MyRequestsPage({ searchParams }: { searchParams: Promise<Search> }) {
  const principal = await requirePrincipal('request:read-own');
  const raw = await searchParams;
  const current: Record<string, string> = {};
  for (const key of ['scope', 'status', 'q', 'sort', 'order', 'page']) {
    const v = first(raw[key]);
    if (v) current[key] = v.slice(0, 100);
  }
  let result: RequestListResponse;
  let invalid = false;
  try {
    result = await listRequests(db(), principal, current);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    // A hand-edited URL with a bad filter shows the unfiltered list and says so.
    invalid = true;
    result = await listRequests(db(), principal, {});
  }
  const pages = Math.max(1, Math.ceil(result.total / result.pageSize));
  const sort = current.sort ?? 'createdAt';
  const order = current.order ?? 'desc';
  const sortLink = (key: string, label: string) => {
    const active = sort === key;
    const next = active && order === 'desc' ? 'asc' : 'desc';
    return (
      <Link href={href(current, { sort: key, order: next, page: undefined })} className="hover:underline" aria-label={`Sort by ${label}${active ? ` (${order === 'desc' ? 'descending' : 'ascending'})` : ''}`}>
        {label}
        {active ? (order === 'desc' ? ' ↓' : ' ↑') : ''}
      </Link>
    );
  };
  const filtered = Boolean(current.status || current.q);
  return (
    <>
      <PageHeader
        title="My requests"
        description="Everything you have asked for, and where it stands."
        actions={
          <Link href="/catalog" className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white shadow-sm hover:bg-brand-700">
            New request
          </Link>
        }
      />
      <form method="get" action="/requests" className="mb-4 flex flex-wrap items-end gap-3" role="search" aria-label="Filter requests">
        <label className="text-sm">
          <span className="block font-medium text-slate-700">Show</span>
          <select name="scope" defaultValue={current.scope ?? 'mine'} className={inputClass}>
            <option value="mine">My requests</option>
            <option value="projects">All requests of my projects</option>
          </select>
        </label>
        <label className="text-sm">
          <span className="block font-medium text-slate-700">Status</span>
          <select name="status" defaultValue={current.status ?? ''} className={inputClass}>
            <option value="">Any</option>
            {REQUEST_STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS_LABEL(s)}
              </option>
            ))}
          </select>
        </label>
        <label className="text-sm">
          <span className="block font-medium text-slate-700">Search</span>
          <input name="q" defaultValue={current.q ?? ''} placeholder="REQ-12, VM name, justification" maxLength={100} className={inputClass} />
        </label>
        {current.sort && <input type="hidden" name="sort" value={current.sort} />}
        {current.order && <input type="hidden" name="order" value={current.order} />}
        <button type="submit" className="rounded-md border border-slate-300 bg-surface px-3 py-1.5 text-sm font-medium text-slate-800 shadow-sm hover:bg-slate-50">
          Apply
        </button>
        {filtered && (
          <Link href={href(current, { status: undefined, q: undefined, page: undefined })} className="text-sm text-slate-600 hover:underline">
            Clear filters
          </Link>
        )}
      </form>
      {invalid && <p role="status" className="mb-3 text-sm text-amber-800">The filter in the address was not valid; showing all requests.</p>}
      {result.total === 0 ? (
        filtered ? (
          <EmptyState title="No requests match">Change or clear the filters.</EmptyState>
        ) : (
          <EmptyState title="No requests yet" action={{ href: '/catalog', label: 'Open the Catalog' }}>
            Pick a template in the Catalog, choose a project and a placement, and submit it. Your requests and their approval status show up here.
          </EmptyState>
        )
      ) : (
        <>
          <Table caption={`Requests, page ${result.page} of ${pages}`}>
            <thead>
              <tr>
                <Th>{sortLink('number', 'Request')}</Th>
                <Th>Project</Th>
                <Th>What</Th>
                <Th>{sortLink('status', 'Status')}</Th>
                <Th align="right">{sortLink('estimatedMonthlyCost', 'Est. monthly')}</Th>
                <Th>{sortLink('createdAt', 'Created')}</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {result.items.map((r) => (
                <tr key={r.id}>
                  <Td className="font-medium whitespace-nowrap">
                    <Link href={`/requests/${r.id}`} className="text-link hover:underline">
                      REQ-{r.number}
                    </Link>
                  </Td>
                  <Td>
                    {r.projectName}
                    {current.scope === 'projects' && <span className="block text-xs text-slate-500">{r.requesterName}</span>}
                  </Td>
                  <Td>
                    <span className="font-medium">
                      {r.count > 1 ? `${r.count} × ` : ''}
                      {r.templateName}
                    </span>{' '}
                    {r.providerKind && (
                      <span className="text-slate-500">
                        · {PROVIDER_NAMES[r.providerKind]} {r.region}
                      </span>
                    )}
                    {r.policyName && <span className="block text-xs text-slate-500">Policy: {r.policyName}</span>}
                  </Td>
                  <Td>
                    <RequestStatusBadge status={r.status} />
                  </Td>
                  <Td align="right">{formatMoney(Number(r.estimatedMonthlyCost), r.currency)}</Td>
                  <Td className="whitespace-nowrap">{formatDate(r.submittedAt ?? r.createdAt)}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
          <nav aria-label="Pages" className="mt-4 flex items-center justify-between text-sm">
            <span className="text-slate-600">
              {result.total} request{result.total === 1 ? '' : 's'} · page {result.page} of {pages}
            </span>
            <span className="flex gap-3">
              {result.page > 1 && (
                <Link href={href(current, { page: String(result.page - 1) })} className="hover:underline" rel="prev">
                  ← Previous
                </Link>
              )}
              {result.page < pages && (
                <Link href={href(current, { page: String(result.page + 1) })} className="hover:underline" rel="next">
                  Next →
                </Link>
              )}
            </span>
          </nav>
        </>
      )}
    </>
  );
}
