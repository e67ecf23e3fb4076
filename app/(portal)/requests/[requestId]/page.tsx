import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { notFound } from 'next/navigation';
import { formatMemory, formatMoney, PROVIDER_NAMES } from '@/components/portal/format';
import { RequestStatusBadge } from '@/components/portal/StatusBadges';
import { RequestProgress } from '@/components/provisioning/RequestProgress';
import { Badge } from '@/components/ui/Badge';
import { Breadcrumb } from '@/components/ui/Breadcrumb';
import { PageHeader } from '@/components/ui/PageHeader';
import { Table, Td, Th } from '@/components/ui/Table';
import { db } from '@/lib/db/client';
import { NotFoundError } from '@/lib/errors';
import type { RequestDetail } from '@/lib/requests/schemas';
import { getRequest } from '@/lib/requests/service';
import { requirePrincipal } from '../../../_lib/session';
import { RequestActions } from './RequestActions';

export const metadata: Metadata = { title: 'Request' };
export const dynamic = 'force-dynamic';

const at = (iso: string | null) =>
  iso ? new Date(iso).toLocaleString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC' }) + ' UTC' : '—';

interface Snapshot {
  quota?: { lines?: { name: string; after: number; limit: number; exceeded: boolean }[] };
  budget?: { budget: string | null; committed: string; request: string; after: string; exceeded: boolean; currency: string };
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  const id = `h-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <section aria-labelledby={id} className="rounded-xl border border-slate-200 bg-surface p-4 shadow-sm">
      <h2 id={id} className="mb-3 text-sm font-semibold">
        {title}
      </h2>
      {children}
    </section>
  );
}

const STEP_TONE: Record<string, 'success' | 'danger' | 'warning' | 'neutral'> = { approved: 'success', rejected: 'danger', pending: 'warning', skipped: 'neutral', waiting: 'neutral' };

export default async function RequestPage({ params }: { params: Promise<{ requestId: string }> }) {
  const principal = await requirePrincipal('request:read-own');
  const { requestId } = await params;
  let r: RequestDetail;
  try {
    r = await getRequest(db(), principal, requestId.slice(0, 64));
  } catch (error) {
    if (error instanceof NotFoundError) notFound();
    throw error;
  }
  const snapshot = (r.evaluation ?? {}) as Snapshot;
  const money = (v: string) => formatMoney(Number(v), r.currency);
  return (
    <>
      <Breadcrumb trail={[{ href: '/requests', label: 'My requests' }]} current={`REQ-${r.number}`} />
      <PageHeader
        title={`REQ-${r.number}`}
        description={`${r.projectName} · requested by ${r.requester.name} · ${money(r.estimatedMonthlyCost)}/month`}
        actions={<RequestActions requestId={r.id} canSubmit={r.actions.submit} canCancel={r.actions.cancel} />}
      />
      <div className="mb-6 flex flex-wrap items-center gap-3 text-sm">
        <span data-testid="request-status">
          <RequestStatusBadge status={r.status} />
        </span>
        <span className="text-slate-600">Created {at(r.createdAt)}</span>
        {r.submittedAt && <span className="text-slate-600">· submitted {at(r.submittedAt)}</span>}
        {r.decidedAt && <span className="text-slate-600">· decided {at(r.decidedAt)}</span>}
        {r.completedAt && <span className="text-slate-600">· finished {at(r.completedAt)}</span>}
      </div>

      <div className="grid grid-cols-1 gap-4 lg:grid-cols-3">
        <div className="space-y-4 lg:col-span-2">
          {r.vmAction && (
            <Section title="Day-2 action">
              <dl className="grid grid-cols-[max-content_1fr] gap-x-3 gap-y-1 text-sm" data-testid="request-vm-action">
                <dt className="text-slate-600">VM</dt>
                <dd>
                  {r.vmAction.vmId ? (
                    <a href={`/inventory/${r.vmAction.vmId}`} className="text-link hover:underline">
                      {r.vmAction.vmName}
                    </a>
                  ) : (
                    r.vmAction.vmName
                  )}
                </dd>
                <dt className="text-slate-600">Action</dt>
                <dd className="first-letter:uppercase">{r.vmAction.summary}</dd>
                {r.vmAction.toSize && (
                  <>
                    <dt className="text-slate-600">Size</dt>
                    <dd>
                      {r.vmAction.fromSize} → <span className="font-medium">{r.vmAction.toSize}</span>
                    </dd>
                  </>
                )}
                {(r.vmAction.oldMonthly || r.vmAction.newMonthly) && (
                  <>
                    <dt className="text-slate-600">Monthly price</dt>
                    <dd>
                      {r.vmAction.oldMonthly ? money(r.vmAction.oldMonthly) : '?'} → {r.vmAction.newMonthly ? money(r.vmAction.newMonthly) : '?'}
                      {r.vmAction.costDelta !== null ? ` (${Number(r.vmAction.costDelta) >= 0 ? '+' : '−'}${money(String(Math.abs(Number(r.vmAction.costDelta))))})` : ''}
                    </dd>
                  </>
                )}
                {r.vmAction.leaseTo && (
                  <>
                    <dt className="text-slate-600">New lease end</dt>
                    <dd>{at(r.vmAction.leaseTo)}</dd>
                  </>
                )}
                {r.vmAction.jobId && (
                  <>
                    <dt className="text-slate-600">Job</dt>
                    <dd className="font-mono text-xs">{r.vmAction.jobId}</dd>
                  </>
                )}
              </dl>
            </Section>
          )}
          {r.items.length > 0 && (
          <Section title="Items">
            <Table caption="Items of this request">
              <thead>
                <tr>
                  <Th>Item</Th>
                  <Th>Placement</Th>
                  <Th>Status</Th>
                  <Th align="right">Monthly</Th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {r.items.map((i) => (
                  <tr key={i.id}>
                    <Td>
                      <span className="font-medium">
                        {i.count} × {i.templateName}
                      </span>{' '}
                      <span className="text-xs text-slate-500">(version {i.templateVersion})</span>
                      <span className="block text-xs text-slate-500">
                        {i.size}: {i.vcpus} vCPU · {formatMemory(i.memoryMiB)} · {i.diskGiB} GiB · {i.name}
                      </span>
                      <span className="block text-xs text-slate-500">Lease: {i.leaseDays ? `${i.leaseDays} days` : 'none'}</span>
                      {Object.keys(i.parameters).length > 0 && (
                        <span className="block text-xs text-slate-500">
                          {Object.entries(i.parameters)
                            .map(([k, v]) => `${k}=${String(v)}`)
                            .join(' · ')}
                        </span>
                      )}
                    </Td>
                    <Td>
                      {PROVIDER_NAMES[i.providerKind]} · {i.providerAccountName}
                      <span className="block text-xs text-slate-500">
                        {i.region} · {i.instanceType}
                      </span>
                    </Td>
                    <Td>
                      {i.status.replace(/_/g, ' ')}
                      {i.vmIds.length > 0 && (
                        <span className="block text-xs">
                          {i.vmIds.map((id, n) => (
                            <a key={id} href={`/inventory/${id}`} className="mr-2 text-link hover:underline">
                              VM {n + 1}
                            </a>
                          ))}
                        </span>
                      )}
                      {i.jobs.some((j) => j.lastError) && (
                        <span className="block text-xs text-red-700">{i.jobs.find((j) => j.lastError)?.lastError}</span>
                      )}
                    </Td>
                    <Td align="right">{money(i.estimatedMonthlyCost)}</Td>
                  </tr>
                ))}
              </tbody>
            </Table>
          </Section>
          )}

          {r.kind === 'provision' && ['approved', 'provisioning', 'completed', 'failed'].includes(r.status) && (
            // RequestProgress is its own titled panel ("Provisioning", live while work runs).
            <RequestProgress requestId={r.id} renderedStatus={r.status} />
          )}

          <Section title="Timeline">
            <ol className="space-y-3 border-l border-slate-200 pl-4" data-testid="timeline">
              {r.timeline.map((t, n) => (
                <li key={n} className="relative text-sm">
                  <span aria-hidden className="absolute -left-[1.3rem] top-1.5 h-2 w-2 rounded-full bg-brand-500" />
                  <span className="block text-xs text-slate-500">
                    <time dateTime={t.at}>{at(t.at)}</time> · {t.type.replace(/_/g, ' ')}
                    {t.actorLabel ? ` · ${t.actorLabel}` : ''}
                  </span>
                  <span className="block">{t.message}</span>
                </li>
              ))}
            </ol>
          </Section>
        </div>

        <div className="space-y-4">
          <Section title="Policy">
            {r.policy.code ? (
              <div className="text-sm">
                <p className="font-medium">{r.policy.name ?? 'Default rule'}</p>
                <p className="mt-1 text-slate-700">{r.policy.reason}</p>
              </div>
            ) : (
              <p className="text-sm text-slate-500">Evaluated when the request is submitted.</p>
            )}
          </Section>

          <Section title="Approval chain">
            {r.approvals.length === 0 ? (
              <p className="text-sm text-slate-500">{r.status === 'draft' ? 'Not submitted yet.' : 'No approval needed.'}</p>
            ) : (
              <ol className="space-y-3 text-sm">
                {r.approvals.map((a) => (
                  <li key={a.id}>
                    <span className="flex items-center justify-between gap-2">
                      <span className="font-medium">
                        {a.order}. {a.name}
                      </span>
                      <Badge tone={STEP_TONE[a.status] ?? 'neutral'}>{a.status}</Badge>
                    </span>
                    <span className="block text-xs text-slate-500">
                      {a.mode === 'all' ? 'All of' : 'Any of'}: {a.approvers}
                      {a.dueAt && a.status === 'pending' ? ` · due ${at(a.dueAt)}` : ''}
                    </span>
                    {a.decisions.map((d, n) => (
                      <span key={n} className="mt-1 block text-xs">
                        <span className={d.outcome === 'approve' ? 'text-emerald-700' : 'text-red-700'}>{d.outcome === 'approve' ? 'Approved' : 'Rejected'}</span> by {d.decider}, {at(d.at)}
                        {d.comment && <span className="block italic text-slate-600">“{d.comment}”</span>}
                      </span>
                    ))}
                  </li>
                ))}
              </ol>
            )}
          </Section>

          {(snapshot.quota?.lines?.length || snapshot.budget) && (
            <Section title="Quota and budget at submit">
              <ul className="space-y-1 text-xs">
                {snapshot.quota?.lines?.map((l) => (
                  <li key={l.name} className={l.exceeded ? 'font-medium text-red-700' : ''}>
                    {l.name}: {l.after} of {l.limit}
                  </li>
                ))}
                {snapshot.budget && (
                  <li className={snapshot.budget.exceeded ? 'font-medium text-red-700' : ''}>
                    Budget: {formatMoney(Number(snapshot.budget.after), snapshot.budget.currency)} of{' '}
                    {snapshot.budget.budget === null ? 'no budget' : formatMoney(Number(snapshot.budget.budget), snapshot.budget.currency)} this month
                  </li>
                )}
              </ul>
            </Section>
          )}

          {r.justification && (
            <Section title="Justification">
              <p className="whitespace-pre-wrap text-sm">{r.justification}</p>
            </Section>
          )}
        </div>
      </div>
    </>
  );
}
