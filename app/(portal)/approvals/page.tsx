import type { Metadata } from 'next';
import Link from 'next/link';
import { formatMemory, formatMoney } from '@/components/portal/format';
import { Badge } from '@/components/ui/Badge';
import { EmptyState } from '@/components/ui/EmptyState';
import { inputClass } from '@/components/ui/Field';
import { PageHeader } from '@/components/ui/PageHeader';
import { listApprovals } from '@/lib/approvals';
import { listApprovalsQuerySchema, type ApprovalItem } from '@/lib/approvals/schemas';
import { projectScope } from '@/lib/auth/permissions';
import { PROVIDER_LABELS } from '@/lib/catalog/listing';
import { db } from '@/lib/db/client';
import { PROVIDER_KINDS } from '@/providers/types';
import { requirePrincipal } from '../../_lib/session';
import { bulkDecideAction, decideAction } from './actions';
import { BulkDecisionForm, DecisionForm } from './DecisionForms';

export const metadata: Metadata = { title: 'Approvals' };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) || undefined;

const SORT_LABELS = { oldest: 'Oldest first', newest: 'Newest first', cost_desc: 'Most expensive first', cost_asc: 'Cheapest first' } as const;

function dateTime(iso: string | null) {
  return iso ? new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }) + ' UTC' : '—';
}

function ApprovalCard({ a }: { a: ApprovalItem }) {
  const label = `REQ-${a.requestNumber}`;
  const cost = Number(a.estimatedMonthlyCost);
  return (
    <li className="rounded-lg border border-slate-200 bg-surface p-4 shadow-sm" aria-labelledby={`appr-${a.id}`} data-testid="approval-item">
      <div className="flex flex-wrap items-start gap-3">
        <input type="checkbox" form="bulk-decisions" name="approvalIds" value={a.id} aria-label={`Select ${label}`} className="mt-1.5 h-4 w-4" />
        <div className="min-w-0 flex-1">
          <h2 id={`appr-${a.id}`} className="text-base font-semibold">
            <Link href={`/requests/${a.requestId}`} className="hover:underline">
              {label}
            </Link>{' '}
            <span className="font-normal text-slate-600">
              · {a.project.name} · {formatMoney(cost, a.currency)}/month
            </span>
          </h2>
          <p className="text-sm text-slate-600">
            Level {a.level} of {a.levelCount}: <span className="font-medium">{a.levelName}</span> ({a.approvers}
            {a.mode === 'all' ? `; all must approve, ${a.approvalsNeeded} still needed` : ''})
            {a.dueAt ? ` · due ${dateTime(a.dueAt)}${a.timeoutAction ? `, then ${a.timeoutAction.replace('_', '-')}` : ''}` : ''}
          </p>
        </div>
      </div>
      <div className="mt-3 grid gap-4 lg:grid-cols-3">
        <dl className="grid grid-cols-[max-content_1fr] gap-x-3 gap-y-1 text-sm lg:col-span-2">
          <dt className="text-slate-600">Requester</dt>
          <dd>
            {a.requester.name} <span className="text-slate-600">{a.requester.email}</span>
          </dd>
          <dt className="text-slate-600">Submitted</dt>
          <dd>{dateTime(a.submittedAt)}</dd>
          {a.vmAction && (
            <div className="contents" data-testid="approval-vm-action">
              <dt className="text-slate-600">Day-2 action</dt>
              <dd>
                <span className="font-medium capitalize">{a.vmAction.action.replace('_', ' ')}</span> of{' '}
                <Link href={`/inventory/${a.vmAction.vmId}`} className="text-link hover:underline">
                  {a.vmAction.vmName}
                </Link>
              </dd>
              <dt className="text-slate-600">Placement</dt>
              <dd>
                {PROVIDER_LABELS[a.vmAction.providerKind]} · {a.vmAction.region}
              </dd>
              {a.vmAction.toSize && (
                <>
                  <dt className="text-slate-600">Size</dt>
                  <dd>
                    {a.vmAction.fromSize} ({a.vmAction.fromVcpus ?? '?'} vCPU, {a.vmAction.fromMemoryMiB !== null ? formatMemory(a.vmAction.fromMemoryMiB) : '?'}) →{' '}
                    <span className="font-medium">
                      {a.vmAction.toSize} ({a.vmAction.toVcpus ?? '?'} vCPU, {a.vmAction.toMemoryMiB !== null ? formatMemory(a.vmAction.toMemoryMiB) : '?'})
                    </span>
                  </dd>
                </>
              )}
              {(a.vmAction.oldMonthly || a.vmAction.newMonthly) && (
                <>
                  <dt className="text-slate-600">Price</dt>
                  <dd>
                    {a.vmAction.oldMonthly ? formatMoney(Number(a.vmAction.oldMonthly), a.currency) : '?'} → {a.vmAction.newMonthly ? formatMoney(Number(a.vmAction.newMonthly), a.currency) : '?'} per month
                    {a.vmAction.costDelta !== null && (
                      <span className={Number(a.vmAction.costDelta) > 0 ? ' font-medium text-red-700' : ' text-emerald-700'}>
                        {' '}
                        ({Number(a.vmAction.costDelta) >= 0 ? '+' : '−'}
                        {formatMoney(Math.abs(Number(a.vmAction.costDelta)), a.currency)})
                      </span>
                    )}
                  </dd>
                </>
              )}
              {a.vmAction.leaseTo && (
                <>
                  <dt className="text-slate-600">Lease</dt>
                  <dd>
                    {a.vmAction.leaseFrom ? dateTime(a.vmAction.leaseFrom) : 'none'} → <span className="font-medium">{dateTime(a.vmAction.leaseTo)}</span> (+{a.vmAction.days} days)
                  </dd>
                </>
              )}
            </div>
          )}
          {a.items.map((i, n) => (
            <div key={n} className="contents">
              <dt className="text-slate-600">What</dt>
              <dd>
                {i.count} × {i.templateName} <span className="text-slate-600">(v{i.templateVersion})</span>, size {i.size}{i.instanceType !== i.size ? <span className="text-slate-600"> ({i.instanceType})</span> : null}: {i.vcpus} vCPU, {formatMemory(i.memoryMiB)}, {i.diskGiB} GiB
              </dd>
              <dt className="text-slate-600">Placement</dt>
              <dd>
                {PROVIDER_LABELS[i.providerKind]} · {i.providerAccountName} · {i.region}
              </dd>
            </div>
          ))}
          {!a.vmAction && (
            <>
              <dt className="text-slate-600">Estimate</dt>
              <dd>{formatMoney(cost, a.currency)} per month</dd>
            </>
          )}
          <dt className="text-slate-600">Quota after</dt>
          <dd>
            {a.quota.length ? (
              <ul>
                {a.quota.map((q) => (
                  <li key={q.name}>
                    {q.name}: {q.after} of {q.limit} {q.exceeded && <Badge tone="danger">over quota</Badge>}
                  </li>
                ))}
              </ul>
            ) : a.vmAction ? (
              'No quota impact (adds no vCPU or RAM under a quota limit)'
            ) : (
              'No quota limits'
            )}
          </dd>
          <dt className={a.vmAction ? 'hidden' : 'text-slate-600'}>Budget after</dt>
          <dd className={a.vmAction ? 'hidden' : undefined}>
            {a.budget?.budget ? (
              <>
                {formatMoney(Number(a.budget.after ?? 0), a.currency)} of {formatMoney(Number(a.budget.budget), a.currency)} this month{' '}
                {a.budget.exceeded && <Badge tone="danger">over budget</Badge>}
              </>
            ) : (
              'No budget set'
            )}
          </dd>
          <dt className="text-slate-600">Policy</dt>
          <dd>{a.policy.reason || a.policy.name || '—'}</dd>
          {a.justification && (
            <>
              <dt className="text-slate-600">Justification</dt>
              <dd>“{a.justification}”</dd>
            </>
          )}
          <dt className="text-slate-600">Earlier decisions</dt>
          <dd>
            {a.earlierDecisions.length ? (
              <ul>
                {a.earlierDecisions.map((d, n) => (
                  <li key={n}>
                    Level {d.level} ({d.levelName}): {d.decider} {d.outcome === 'approve' ? 'approved' : 'rejected'} {dateTime(d.at)}
                    {d.comment ? ` — “${d.comment}”` : ''}
                  </li>
                ))}
              </ul>
            ) : (
              'None yet'
            )}
          </dd>
        </dl>
        <DecisionForm action={decideAction.bind(null, a.id)} label={label} />
      </div>
    </li>
  );
}

/** One GET-filter <select> whose first choice, "All", clears the filter. */
function FilterSelect({ id, name, label, value, options }: { id: string; name: string; label: string; value: string | undefined; options: { value: string; label: string }[] }) {
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium">{label}</label>
      <select id={id} name={name} defaultValue={value ?? ''} className={inputClass}>
        <option value="">All</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>{o.label}</option>
        ))}
      </select>
    </div>
  );
}

export default async function ApprovalsPage({ searchParams }: { searchParams: SearchParams }) {
  const principal = await requirePrincipal('approval:decide');
  const sp = await searchParams;
  const parsed = listApprovalsQuerySchema.safeParse({
    q: first(sp.q),
    projectId: first(sp.projectId),
    providerKind: first(sp.providerKind),
    minCost: first(sp.minCost),
    maxCost: first(sp.maxCost),
    sort: first(sp.sort),
  });
  const query = parsed.success ? parsed.data : listApprovalsQuerySchema.parse({});
  const [{ approvals, total }, projects] = await Promise.all([
    listApprovals(db(), principal, query),
    db().project.findMany({ where: { archivedAt: null, ...(projectScope(principal).projectId ? { id: projectScope(principal).projectId } : {}) }, select: { id: true, name: true }, orderBy: { name: 'asc' } }),
  ]);
  const filtered = Boolean(query.q || query.projectId || query.providerKind || query.minCost !== undefined || query.maxCost !== undefined);
  return (
    <>
      <PageHeader title="Approvals" description="Requests waiting for your decision, with everything you need to decide." />
      <form method="get" className="mb-4 grid gap-3 rounded-lg border border-slate-200 bg-surface p-3 sm:grid-cols-2 lg:grid-cols-6" aria-label="Filter approvals">
        <div className="lg:col-span-2">
          <label htmlFor="f-q" className="block text-sm font-medium">Search</label>
          <input id="f-q" name="q" defaultValue={query.q} maxLength={100} placeholder="REQ-1042, requester, project" className={inputClass} />
        </div>
        <FilterSelect id="f-project" name="projectId" label="Project" value={query.projectId} options={projects.map((p) => ({ value: p.id, label: p.name }))} />
        <FilterSelect id="f-kind" name="providerKind" label="Provider" value={query.providerKind} options={PROVIDER_KINDS.map((k) => ({ value: k, label: PROVIDER_LABELS[k] }))} />
        <div className="grid grid-cols-2 gap-2">
          <div>
            <label htmlFor="f-min" className="block text-sm font-medium">Min $/mo</label>
            <input id="f-min" name="minCost" type="number" min={0} step="any" defaultValue={query.minCost} className={inputClass} />
          </div>
          <div>
            <label htmlFor="f-max" className="block text-sm font-medium">Max $/mo</label>
            <input id="f-max" name="maxCost" type="number" min={0} step="any" defaultValue={query.maxCost} className={inputClass} />
          </div>
        </div>
        <div>
          <label htmlFor="f-sort" className="block text-sm font-medium">Sort</label>
          <select id="f-sort" name="sort" defaultValue={query.sort} className={inputClass}>
            {Object.entries(SORT_LABELS).map(([value, label]) => (
              <option key={value} value={value}>{label}</option>
            ))}
          </select>
        </div>
        <div className="flex items-end gap-2 sm:col-span-2 lg:col-span-6">
          <button type="submit" className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700">Apply filters</button>
          {filtered && <Link href="/approvals" className="text-sm underline">Clear</Link>}
          {!parsed.success && <p className="text-sm text-red-700">Some filters were invalid and are ignored.</p>}
        </div>
      </form>
      <div className="mb-4">
        <BulkDecisionForm action={bulkDecideAction} empty={approvals.length === 0} />
      </div>
      {approvals.length === 0 ? (
        <EmptyState title={filtered ? 'No approvals match these filters' : 'Nothing waiting for you'}>
          When a request reaches an approval level that is yours — as a named approver, through your role, or as owner or approver of its
          project — it appears here. You never approve your own requests.
        </EmptyState>
      ) : (
        <>
          <p className="mb-2 text-sm text-slate-600" aria-live="polite">
            {total} waiting{total > approvals.length ? `, showing ${approvals.length}` : ''}.
          </p>
          <ul className="mt-4 space-y-4" aria-label="Approvals waiting for you">
            {approvals.map((a) => (
              <ApprovalCard key={a.id} a={a} />
            ))}
          </ul>
        </>
      )}
    </>
  );
}
