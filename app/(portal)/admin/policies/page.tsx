import type { Metadata } from 'next';
import Link from 'next/link';
import { Badge, type BadgeTone } from '@/components/ui/Badge';
import { Breadcrumb } from '@/components/ui/Breadcrumb';
import { EmptyState } from '@/components/ui/EmptyState';
import { PageHeader } from '@/components/ui/PageHeader';
import { db } from '@/lib/db/client';
import { describeApprovers } from '@/lib/policy/describe';
import type { PolicyActionName } from '@/lib/policy/schemas';
import { listPolicies } from '@/lib/policy/service';
import { requirePrincipal } from '../../../_lib/session';
import { deletePolicyAction, setPolicyEnabledAction } from './actions';
import { asInput } from './data';
import { PolicyRowActions } from './PolicyRowActions';
import { SimulationPanel } from './SimulationPanel';

export const metadata: Metadata = { title: 'Approval policies' };

const ACTIONS: Record<PolicyActionName, { label: string; tone: BadgeTone }> = {
  auto_approve: { label: 'Auto-approve', tone: 'success' },
  require_approval: { label: 'Approval chain', tone: 'warning' },
  reject: { label: 'Reject', tone: 'danger' },
};

const TIMEOUT: Record<string, string> = { auto_approve: 'auto-approve', reject: 'reject', escalate: 'escalate' };

export default async function PoliciesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePrincipal('admin:policies');
  const saved = (await searchParams).saved === '1';
  const policies = await listPolicies(db());
  return (
    <>
      <Breadcrumb trail={[{ href: '/admin', label: 'Admin' }]} current="Policies" />
      <PageHeader
        title="Approval policies"
        description="Evaluated top to bottom for every submitted request; the first enabled policy whose conditions all hold decides. No match: the project owner approves."
        actions={
          <Link href="/admin/policies/new" className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700">
            New policy
          </Link>
        }
      />
      {saved && (
        <p role="status" className="mb-4 text-sm text-emerald-700">
          Policy saved. It applies to requests submitted from now on.
        </p>
      )}
      {policies.length === 0 ? (
        <EmptyState title="No approval policies">Without a policy every request needs its project owner’s approval.</EmptyState>
      ) : (
        <ol className="space-y-4" aria-label="Approval policies in evaluation order">
          {policies.map((p, index) => (
            <li key={p.id} className={`rounded-lg border border-slate-200 bg-surface p-4 shadow-sm ${p.enabled ? '' : 'opacity-70'}`} data-testid="policy">
              <div className="flex flex-wrap items-start justify-between gap-3">
                <div>
                  <h2 className="text-base font-semibold">
                    <span className="text-slate-600">{index + 1}.</span>{' '}
                    <Link href={`/admin/policies/${p.id}`} className="hover:underline">
                      {p.name}
                    </Link>{' '}
                    <Badge tone={ACTIONS[p.action].tone}>{ACTIONS[p.action].label}</Badge> {p.scope === 'vm_action' && <Badge tone="neutral">day-2 actions</Badge>} {!p.enabled && <Badge>disabled</Badge>}
                  </h2>
                  {p.description && <p className="text-sm text-slate-600">{p.description}</p>}
                </div>
                <PolicyRowActions
                  name={p.name}
                  enabled={p.enabled}
                  toggle={setPolicyEnabledAction.bind(null, p.id, !p.enabled)}
                  remove={deletePolicyAction.bind(null, p.id)}
                />
              </div>
              <dl className="mt-3 grid gap-x-4 gap-y-1 text-sm sm:grid-cols-[max-content_1fr]">
                <dt className="font-medium text-slate-600">Priority</dt>
                <dd>{p.priority}</dd>
                <dt className="font-medium text-slate-600">When</dt>
                <dd>{p.summary}</dd>
                {p.action === 'reject' && (
                  <>
                    <dt className="font-medium text-slate-600">Reason</dt>
                    <dd>{p.rejectReason}</dd>
                  </>
                )}
                {p.action === 'require_approval' && (
                  <>
                    <dt className="font-medium text-slate-600">Chain</dt>
                    <dd>
                      <ol className="list-decimal pl-5">
                        {p.levels.map((l, i) => (
                          <li key={i}>
                            <span className="font-medium">{l.name}</span>: {describeApprovers(l.approvers)} ({l.mode === 'all' ? 'all must approve' : 'any one'})
                            {l.timeoutHours ? ` · after ${l.timeoutHours} h: ${TIMEOUT[l.timeoutAction ?? ''] ?? '—'}` : ''}
                          </li>
                        ))}
                      </ol>
                    </dd>
                  </>
                )}
                <dt className="font-medium text-slate-600">Quota / budget overrun</dt>
                <dd>
                  quota {p.quotaMode === 'soft' ? 'routes to approval' : 'rejects'} · budget {p.budgetMode === 'soft' ? 'routes to approval' : 'rejects'}
                </dd>
              </dl>
            </li>
          ))}
        </ol>
      )}
      <SimulationPanel initialDraft={JSON.stringify(policies.map(asInput), null, 2)} />
    </>
  );
}
