import type { Metadata } from 'next';
import { Badge, type BadgeTone } from '@/components/ui/Badge';
import { EmptyState } from '@/components/ui/EmptyState';
import { PageHeader } from '@/components/ui/PageHeader';
import type { ApproverType, PolicyAction } from '@/generated/prisma/enums';
import { db } from '@/lib/db/client';
import { describeConditions, listApprovalPolicies, type PolicyView } from '@/lib/requests/policies';
import { requirePrincipal } from '../../../_lib/session';

export const metadata: Metadata = { title: 'Approval policies' };

const ACTIONS: Record<PolicyAction, { label: string; tone: BadgeTone }> = {
  auto_approve: { label: 'Auto-approve', tone: 'success' },
  require_approval: { label: 'Require approval', tone: 'warning' },
  deny: { label: 'Deny', tone: 'danger' },
};

const APPROVER: Record<ApproverType, string> = {
  user: 'Named user',
  role: 'Anyone with role',
  project_owner: 'Owner of the project',
  project_approver: 'Approver of the project',
};

function approverOf(step: PolicyView['steps'][number]): string {
  if (step.approverType === 'user') return step.approverUser ? `${step.approverUser.name} (${step.approverUser.email})` : 'Named user (missing)';
  if (step.approverType === 'role') return `${APPROVER.role} “${step.approverRole ?? '?'}”`;
  return APPROVER[step.approverType];
}

export default async function PoliciesPage() {
  await requirePrincipal('admin:policies');
  const [policies, projects] = await Promise.all([
    listApprovalPolicies(db()),
    db().project.findMany({ select: { id: true, name: true } }),
  ]);
  const projectNames = Object.fromEntries(projects.map((p) => [p.id, p.name]));
  return (
    <>
      <PageHeader
        title="Approval policies"
        description="Evaluated in priority order (lowest first); the first policy whose conditions all match decides how a request is routed."
      />
      {policies.length === 0 ? (
        <EmptyState title="No approval policies">
          Without a policy every request needs an administrator’s approval. Start with the demo data (SKYPORT_DEMO=1) for sample policies.
        </EmptyState>
      ) : (
        <ol className="space-y-4" aria-label="Approval policies in evaluation order">
          {policies.map((p) => (
            <li key={p.id} className={`rounded-xl border bg-white p-5 shadow-sm ${p.enabled ? 'border-slate-200' : 'border-dashed border-slate-300 opacity-75'}`}>
              <div className="flex flex-wrap items-center gap-2">
                <span className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs text-slate-600" title="Priority">#{p.priority}</span>
                <h2 className="font-semibold">{p.name}</h2>
                <Badge tone={ACTIONS[p.action].tone}>{ACTIONS[p.action].label}</Badge>
                {!p.enabled && <Badge>Disabled</Badge>}
              </div>
              {p.description && <p className="mt-1 text-sm text-slate-600">{p.description}</p>}
              <dl className="mt-3 grid gap-2 text-sm sm:grid-cols-[8rem_1fr]">
                <dt className="font-medium text-slate-500">Applies to</dt>
                <dd>{describeConditions(p.conditions, projectNames)}</dd>
                {p.action === 'require_approval' && (
                  <>
                    <dt className="font-medium text-slate-500">Approval steps</dt>
                    <dd>
                      {p.steps.length === 0 ? (
                        <span className="text-slate-500">No steps defined.</span>
                      ) : (
                        <ol className="list-decimal space-y-0.5 pl-5">
                          {p.steps.map((s) => (
                            <li key={s.order}>
                              <span className="font-medium">{s.name}</span> <span className="text-slate-600">— {approverOf(s)}</span>
                            </li>
                          ))}
                        </ol>
                      )}
                    </dd>
                  </>
                )}
              </dl>
            </li>
          ))}
        </ol>
      )}
    </>
  );
}
