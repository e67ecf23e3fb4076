// Readable lines for policies: conditions ("estimated cost up to $150/month · at most 4 vCPU per VM")
// and approvers ("project owner, role admin"). Pure, shared by the evaluator, the API and the UI.
import type { ApproverSpec, PolicyConditions, PolicyScope } from './schemas';

const money = (n: number) => `$${n.toLocaleString('en-US', { maximumFractionDigits: 2 })}`;
const gib = (mib: number) => `${Math.round((mib / 1024) * 10) / 10} GiB`;

export function describeConditions(c: PolicyConditions, names: Record<string, string> = {}, scope: PolicyScope = 'provision'): string {
  const parts: string[] = [];
  const range = (lo: number | undefined, hi: number | undefined, fmt: (n: number) => string, what: string) => {
    if (lo !== undefined && hi !== undefined) parts.push(`${what} ${fmt(lo)}–${fmt(hi)}`);
    else if (lo !== undefined) parts.push(`${what} from ${fmt(lo)}`);
    else if (hi !== undefined) parts.push(`${what} up to ${fmt(hi)}`);
  };
  const day2 = scope === 'vm_action';
  if (c.actions?.length) parts.push(`actions: ${c.actions.map((a) => a.replace('_', ' ')).join(', ')}`);
  range(c.minMonthlyCost, c.maxMonthlyCost, (n) => `${money(n)}/month`, day2 ? 'new monthly price' : 'estimated cost');
  range(c.minVcpus, c.maxVcpus, (n) => `${n} vCPU`, day2 ? 'target vCPU' : 'vCPU per VM');
  range(c.minMemoryMiB, c.maxMemoryMiB, gib, day2 ? 'target RAM' : 'RAM per VM');
  range(c.minCount, c.maxCount, String, 'VM count');
  range(c.minCostDelta, c.maxCostDelta, (n) => `${n < 0 ? '−' : '+'}${money(Math.abs(n))}/month`, 'price change');
  range(c.minLeaseDays, c.maxLeaseDays, (n) => `${n} days`, 'lease');
  if (c.providerKinds?.length) parts.push(`providers: ${c.providerKinds.join(', ')}`);
  if (c.regions?.length) parts.push(`regions: ${c.regions.join(', ')}`);
  if (c.projectIds?.length) parts.push(`projects: ${c.projectIds.map((id) => names[id] ?? id).join(', ')}`);
  if (c.templates?.length) parts.push(`templates: ${c.templates.map((id) => names[id] ?? id).join(', ')}`);
  for (const p of c.parameters ?? []) parts.push(`${p.name} is ${p.values.join(' or ')}`);
  return parts.length ? parts.join(' · ') : scope === 'vm_action' ? 'any day-2 action' : 'any request';
}

export function describeApprover(a: ApproverSpec): string {
  switch (a.type) {
    case 'user':
      return a.label ?? `user ${a.userId}`;
    case 'role':
      return `role ${a.role}`;
    case 'project_owner':
      return 'project owner';
    case 'project_approvers':
      return 'project approvers';
  }
}

export function describeApprovers(approvers: readonly ApproverSpec[]): string {
  return approvers.map(describeApprover).join(', ');
}
