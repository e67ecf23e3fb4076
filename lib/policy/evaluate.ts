// Policy evaluation (contract 5). evaluatePolicySet is pure: the first enabled policy (by priority,
// then name) whose conditions all hold decides; quota and budget overruns reject unless that policy
// softens them into its approval chain; no match means the project owner approves.
import type { Prisma } from '@/generated/prisma/client';
import type { Db } from '../db/client';
import { describeApprovers, describeConditions } from './describe';
import type { ActionFacts, EvaluatedLevel, PolicyConditions, PolicyDefinition, PolicyEvaluation, PolicyLevel, RequestFacts } from './schemas';
import { loadPolicyDefinitions } from './store';

type Tx = Prisma.TransactionClient | Db;

const within = (value: number, lo: number | undefined, hi: number | undefined) =>
  (lo === undefined || value >= lo) && (hi === undefined || value <= hi);

export function conditionsMatch(c: PolicyConditions, f: RequestFacts): boolean {
  if (!within(f.estimatedMonthlyCost, c.minMonthlyCost, c.maxMonthlyCost)) return false;
  if (!within(f.vcpusPerVm, c.minVcpus, c.maxVcpus)) return false;
  if (!within(f.memoryMiBPerVm, c.minMemoryMiB, c.maxMemoryMiB)) return false;
  if (!within(f.count, c.minCount, c.maxCount)) return false;
  if (c.providerKinds?.length && !c.providerKinds.includes(f.providerKind)) return false;
  if (c.regions?.length && !c.regions.includes(f.regionCode)) return false;
  if (c.projectIds?.length && !c.projectIds.includes(f.projectId)) return false;
  if (c.templates?.length && !c.templates.includes(f.templateId) && !c.templates.includes(f.templateSlug)) return false;
  for (const p of c.parameters ?? []) {
    const value = f.parameters[p.name];
    if (value === undefined || value === null || !p.values.includes(String(value))) return false;
  }
  return true;
}

export const DEFAULT_LEVEL: PolicyLevel = {
  name: 'Project owner',
  mode: 'any',
  approvers: [{ type: 'project_owner' }],
  timeoutHours: null,
  timeoutAction: null,
};

/**
 * Day-2 actions without a chain of their own go to the project owner or, when the owner is the
 * one asking (often: they own their VMs), an admin — never approved unseen.
 */
export const ACTION_DEFAULT_LEVEL: PolicyLevel = {
  name: 'Project owner or an admin',
  mode: 'any',
  approvers: [{ type: 'project_owner' }, { type: 'role', role: 'admin' }],
  timeoutHours: null,
  timeoutAction: null,
};

function toLevels(levels: readonly PolicyLevel[]): EvaluatedLevel[] {
  return levels.map((l, i) => ({
    order: i + 1,
    name: l.name,
    mode: l.mode,
    approvers: describeApprovers(l.approvers),
    approverSpecs: l.approvers,
    timeoutHours: l.timeoutHours,
    timeoutAction: l.timeoutAction,
  }));
}

export function sortPolicies<T extends { priority: number; name: string }>(policies: readonly T[]): T[] {
  return [...policies].sort((a, b) => a.priority - b.priority || a.name.localeCompare(b.name));
}

/** Policies stored before scopes existed have none: they are provisioning policies. */
const scopeOf = (p: Pick<PolicyDefinition, 'scope'>) => p.scope ?? 'provision';

export function evaluatePolicySet(policies: readonly PolicyDefinition[], facts: RequestFacts): PolicyEvaluation {
  const match = sortPolicies(policies.filter((p) => p.enabled && scopeOf(p) === 'provision')).find((p) => conditionsMatch(p.conditions, facts)) ?? null;
  const ref = match ? { id: match.id, name: match.name } : null;

  if (match?.action === 'reject') {
    return { outcome: 'reject', code: 'policy', policy: ref, reason: `Rejected by “${match.name}”: ${match.rejectReason}`, levels: [] };
  }

  // Overruns first: a hard quota/budget stops the request whatever the policy would have done.
  const overruns: { code: 'quota_exceeded' | 'budget_exceeded'; text: string }[] = [];
  if (facts.quotaExceeded.length) {
    const text = `Quota exceeded: ${facts.quotaExceeded.map((q) => `${q.name} ${q.after} of ${q.limit}`).join(', ')}`;
    if (!match || match.quotaMode === 'hard') return { outcome: 'reject', code: 'quota_exceeded', policy: ref, reason: text, levels: [] };
    overruns.push({ code: 'quota_exceeded', text });
  }
  if (facts.budgetExceeded) {
    const text = "This request takes the project over this month's budget";
    if (!match || match.budgetMode === 'hard') return { outcome: 'reject', code: 'budget_exceeded', policy: ref, reason: text, levels: [] };
    overruns.push({ code: 'budget_exceeded', text });
  }

  if (!match) {
    return {
      outcome: 'require_approval',
      code: 'default',
      policy: null,
      reason: 'No policy matched; the project owner approves.',
      levels: toLevels([DEFAULT_LEVEL]),
    };
  }

  const conditions = describeConditions(match.conditions);
  if (overruns.length) {
    // Soft mode: an overrun is never auto-approved; it goes to the policy's chain (or the owner).
    const levels = match.action === 'require_approval' && match.levels.length ? match.levels : [DEFAULT_LEVEL];
    return {
      outcome: 'require_approval',
      code: overruns[0]!.code,
      policy: ref,
      reason: `${overruns.map((o) => o.text).join('; ')}; “${match.name}” allows it with approval.`,
      levels: toLevels(levels),
    };
  }
  if (match.action === 'auto_approve') {
    return { outcome: 'auto_approve', code: 'policy', policy: ref, reason: `Auto-approved by “${match.name}” (${conditions}).`, levels: [] };
  }
  return {
    outcome: 'require_approval',
    code: 'policy',
    policy: ref,
    reason: `“${match.name}” requires approval (${conditions}).`,
    // A chain stored without levels (older rows) still needs someone: the project owner.
    levels: toLevels(match.levels.length ? match.levels : [DEFAULT_LEVEL]),
  };
}

/** Evaluates the enabled policies stored in the database. */
export async function evaluatePolicies(db: Tx, facts: RequestFacts): Promise<PolicyEvaluation> {
  return evaluatePolicySet(await loadPolicyDefinitions(db, { enabledOnly: true }), facts);
}

/** A vm_action policy's conditions against one day-2 action. A condition the action has no value for does not hold. */
export function actionConditionsMatch(c: PolicyConditions, f: ActionFacts): boolean {
  if (c.actions?.length && !c.actions.includes(f.action)) return false;
  if (!within(f.estimatedMonthlyCost, c.minMonthlyCost, c.maxMonthlyCost)) return false;
  if (!within(f.costDelta, c.minCostDelta, c.maxCostDelta)) return false;
  if (!within(f.vcpus, c.minVcpus, c.maxVcpus)) return false;
  if (!within(f.memoryMiB, c.minMemoryMiB, c.maxMemoryMiB)) return false;
  if (c.minLeaseDays !== undefined || c.maxLeaseDays !== undefined) {
    if (f.leaseDays === null || !within(f.leaseDays, c.minLeaseDays, c.maxLeaseDays)) return false;
  }
  if (c.providerKinds?.length && !c.providerKinds.includes(f.providerKind)) return false;
  if (c.regions?.length && !c.regions.includes(f.regionCode)) return false;
  if (c.projectIds?.length && !c.projectIds.includes(f.projectId)) return false;
  if (c.templates?.length && !(f.templateId && c.templates.includes(f.templateId)) && !(f.templateSlug && c.templates.includes(f.templateSlug))) return false;
  return true;
}

/**
 * Day-2 actions (pure): the first enabled vm_action policy by priority whose conditions hold
 * decides. No match → the action runs now. A hard quota or budget overrun (resize) rejects unless
 * the policy softens it; a lease extension beyond the effective maximum is never auto-approved — it goes to
 * the matching policy's chain, or the project owner.
 */
export function evaluateActionPolicySet(policies: readonly PolicyDefinition[], facts: ActionFacts): PolicyEvaluation {
  const match = sortPolicies(policies.filter((p) => p.enabled && scopeOf(p) === 'vm_action')).find((p) => actionConditionsMatch(p.conditions, facts)) ?? null;
  const ref = match ? { id: match.id, name: match.name } : null;
  if (match?.action === 'reject') {
    return { outcome: 'reject', code: 'policy', policy: ref, reason: `Rejected by “${match.name}”: ${match.rejectReason}`, levels: [] };
  }
  const overruns: { code: 'quota_exceeded' | 'budget_exceeded' | 'lease_max'; text: string }[] = [];
  if (facts.quotaExceeded.length) {
    const text = `Quota exceeded: ${facts.quotaExceeded.map((q) => `${q.name} ${q.after} of ${q.limit}`).join(', ')}`;
    if (!match || match.quotaMode === 'hard') return { outcome: 'reject', code: 'quota_exceeded', policy: ref, reason: text, levels: [] };
    overruns.push({ code: 'quota_exceeded', text });
  }
  // As for new requests: over budget is refused unless the matching policy's budget mode is soft.
  if (facts.budgetExceeded) {
    const text = "This resize takes the project over this month's budget";
    if (!match || match.budgetMode === 'hard') return { outcome: 'reject', code: 'budget_exceeded', policy: ref, reason: text, levels: [] };
    overruns.push({ code: 'budget_exceeded', text });
  }
  if (facts.beyondLeaseMax) overruns.push({ code: 'lease_max', text: `The lease would run ${facts.leaseDays} days from today, beyond the maximum` });
  if (overruns.length) {
    const levels = match?.action === 'require_approval' && match.levels.length ? match.levels : [ACTION_DEFAULT_LEVEL];
    return {
      outcome: 'require_approval',
      code: overruns[0]!.code,
      policy: ref,
      reason: `${overruns.map((o) => o.text).join('; ')}; ${match?.action === 'require_approval' ? `“${match.name}” routes it to its approval chain.` : 'the project owner or an admin approves.'}`,
      levels: toLevels(levels),
    };
  }
  if (!match) return { outcome: 'auto_approve', code: 'default', policy: null, reason: 'No day-2 policy matched; the action runs now.', levels: [] };
  const conditions = describeConditions(match.conditions, {}, 'vm_action');
  if (match.action === 'auto_approve') {
    return { outcome: 'auto_approve', code: 'policy', policy: ref, reason: `Allowed by “${match.name}” (${conditions}).`, levels: [] };
  }
  return {
    outcome: 'require_approval',
    code: 'policy',
    policy: ref,
    reason: `“${match.name}” requires approval (${conditions}).`,
    levels: toLevels(match.levels.length ? match.levels : [ACTION_DEFAULT_LEVEL]),
  };
}

/** Evaluates the enabled vm_action policies stored in the database. */
export async function evaluateActionPolicies(db: Tx, facts: ActionFacts): Promise<PolicyEvaluation> {
  return evaluateActionPolicySet(await loadPolicyDefinitions(db, { enabledOnly: true }), facts);
}
