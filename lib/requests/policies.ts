// Read-only list of approval policies with their steps, in evaluation order.
import type { ApproverType, PolicyAction, Role } from '@/generated/prisma/enums';
import type { Db } from '../db/client';

export interface PolicyView {
  id: string;
  name: string;
  description: string;
  priority: number;
  enabled: boolean;
  action: PolicyAction;
  conditions: Record<string, unknown>;
  steps: { order: number; name: string; approverType: ApproverType; approverRole: Role | null; approverUser: { name: string; email: string } | null }[];
}

export async function listApprovalPolicies(db: Db): Promise<PolicyView[]> {
  const policies = await db.approvalPolicy.findMany({
    orderBy: [{ priority: 'asc' }, { name: 'asc' }],
    include: { steps: { orderBy: { order: 'asc' }, include: { approverUser: { select: { name: true, email: true } } } } },
  });
  return policies.map((p) => ({
    id: p.id,
    name: p.name,
    description: p.description,
    priority: p.priority,
    enabled: p.enabled,
    action: p.action,
    conditions: p.conditions && typeof p.conditions === 'object' && !Array.isArray(p.conditions) ? (p.conditions as Record<string, unknown>) : {},
    steps: p.steps.map((s) => ({
      order: s.order,
      name: s.name,
      approverType: s.approverType,
      approverRole: s.approverRole,
      approverUser: s.approverUser,
    })),
  }));
}

/** "Up to $150/month · at most 4 vCPU" — a readable line for a policy's conditions. */
export function describeConditions(conditions: Record<string, unknown>, projectNames: Record<string, string> = {}): string {
  const parts: string[] = [];
  const c = conditions;
  if (typeof c.maxMonthlyCost === 'number') parts.push(`estimated cost up to $${c.maxMonthlyCost}/month`);
  if (typeof c.minMonthlyCost === 'number') parts.push(`estimated cost from $${c.minMonthlyCost}/month`);
  if (typeof c.maxVcpus === 'number') parts.push(`at most ${c.maxVcpus} vCPU per VM`);
  if (typeof c.maxMemoryMiB === 'number') parts.push(`at most ${c.maxMemoryMiB / 1024} GiB RAM per VM`);
  if (Array.isArray(c.providerKinds) && c.providerKinds.length) parts.push(`providers: ${c.providerKinds.join(', ')}`);
  if (Array.isArray(c.projectIds) && c.projectIds.length) {
    parts.push(`projects: ${c.projectIds.map((id) => projectNames[String(id)] ?? String(id)).join(', ')}`);
  }
  const known = new Set(['maxMonthlyCost', 'minMonthlyCost', 'maxVcpus', 'maxMemoryMiB', 'providerKinds', 'projectIds']);
  for (const [key, value] of Object.entries(c)) {
    if (!known.has(key)) parts.push(`${key}: ${JSON.stringify(value)}`);
  }
  return parts.length ? parts.join(' · ') : 'Any request';
}
