// The one home of the approval-policy shapes: conditions, outcome, approval chain levels with
// timeouts, quota/budget enforcement. Free of server imports so the API, the admin form and the
// evaluator share them.
import { z } from 'zod';
import { PROVIDER_KINDS } from '@/providers/types';

export const POLICY_ACTIONS = ['auto_approve', 'require_approval', 'reject'] as const;
export type PolicyActionName = (typeof POLICY_ACTIONS)[number];
export const LEVEL_MODES = ['any', 'all'] as const;
export const TIMEOUT_ACTIONS = ['auto_approve', 'reject', 'escalate'] as const;
export type TimeoutAction = (typeof TIMEOUT_ACTIONS)[number];
export const ENFORCEMENT_MODES = ['hard', 'soft'] as const;
export const APPROVER_ROLES = ['requester', 'approver', 'admin'] as const;
/** What a policy is evaluated for: new requests, or day-2 actions on existing VMs. */
export const POLICY_SCOPES = ['provision', 'vm_action'] as const;
export type PolicyScope = (typeof POLICY_SCOPES)[number];
/** The day-2 actions a vm_action policy can target (the VM actions plus lease extension). */
export const GATED_VM_ACTIONS = ['start', 'stop', 'reboot', 'resize', 'delete', 'extend_lease'] as const;
export type GatedVmAction = (typeof GATED_VM_ACTIONS)[number];
/** Conditions that only make sense for one scope (the other scope's evaluator ignores them). */
const VM_ACTION_ONLY = ['actions', 'minCostDelta', 'maxCostDelta', 'minLeaseDays', 'maxLeaseDays'] as const;
const PROVISION_ONLY = ['minCount', 'maxCount', 'parameters'] as const;

const money = z.number().min(0, 'Must be 0 or more').max(100_000_000, 'At most 100,000,000');
const small = (max: number) => z.number().int('Must be a whole number').min(0, 'Must be 0 or more').max(max, `At most ${max}`);
const idList = (what: string) => z.array(z.string().trim().min(1).max(100)).max(200, `At most 200 ${what}`);

export const parameterConditionSchema = z.object({
  /** Template parameter name, e.g. "environment". */
  name: z.string().trim().min(1, 'Name the parameter').max(64).regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'Letters, digits and _ only'),
  /** The condition holds when the parameter's value (as text) is one of these. */
  values: z.array(z.string().trim().min(1).max(100)).min(1, 'Give at least one value').max(50),
});

/** Every present condition must hold; an empty object matches every request. */
export const policyConditionsSchema = z
  .object({
    minMonthlyCost: money.optional(),
    maxMonthlyCost: money.optional(),
    /** Per VM. */
    minVcpus: small(1024).optional(),
    maxVcpus: small(1024).optional(),
    /** Per VM, MiB. */
    minMemoryMiB: small(16 * 1024 * 1024).optional(),
    maxMemoryMiB: small(16 * 1024 * 1024).optional(),
    minCount: small(10_000).optional(),
    maxCount: small(10_000).optional(),
    providerKinds: z.array(z.enum(PROVIDER_KINDS)).max(PROVIDER_KINDS.length).optional(),
    /** Region codes, e.g. "eu-west-1". */
    regions: idList('regions').optional(),
    projectIds: idList('projects').optional(),
    /** Template ids or slugs. */
    templates: idList('templates').optional(),
    parameters: z.array(parameterConditionSchema).max(10, 'At most 10 parameter conditions').optional(),
    /** vm_action scope: the actions the policy applies to; absent or empty = every action. */
    actions: z.array(z.enum(GATED_VM_ACTIONS)).max(GATED_VM_ACTIONS.length).optional(),
    /** vm_action scope: change of the VM's monthly price (new − old; negative when it gets cheaper). */
    minCostDelta: z.number().min(-100_000_000).max(100_000_000, 'At most 100,000,000').optional(),
    maxCostDelta: z.number().min(-100_000_000).max(100_000_000, 'At most 100,000,000').optional(),
    /** vm_action scope (extend_lease): days from today the lease would run after the extension. */
    minLeaseDays: small(3650).optional(),
    maxLeaseDays: small(3650).optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const pairs = [
      ['minMonthlyCost', 'maxMonthlyCost'],
      ['minVcpus', 'maxVcpus'],
      ['minMemoryMiB', 'maxMemoryMiB'],
      ['minCount', 'maxCount'],
      ['minCostDelta', 'maxCostDelta'],
      ['minLeaseDays', 'maxLeaseDays'],
    ] as const;
    for (const [min, max] of pairs) {
      const lo = c[min];
      const hi = c[max];
      if (lo !== undefined && hi !== undefined && lo > hi) {
        ctx.addIssue({ code: 'custom', path: [max], message: `Must be at least the minimum (${lo})` });
      }
    }
  });
export type PolicyConditions = z.infer<typeof policyConditionsSchema>;

export const approverSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('user'),
    userId: z.string().trim().min(1, 'Choose a user').max(100),
    /** Readable name kept with the policy (filled in by the service). */
    label: z.string().max(200).optional(),
  }),
  z.object({ type: z.literal('role'), role: z.enum(APPROVER_ROLES) }),
  z.object({ type: z.literal('project_owner') }),
  z.object({ type: z.literal('project_approvers') }),
]);
export type ApproverSpec = z.infer<typeof approverSchema>;

export const policyLevelSchema = z
  .object({
    name: z.string().trim().min(1, 'Name the level').max(100),
    mode: z.enum(LEVEL_MODES).default('any'),
    approvers: z.array(approverSchema).min(1, 'Add at least one approver').max(20),
    /** Hours the level may wait before timeoutAction applies; null = waits forever. */
    timeoutHours: z.number().int('Whole hours').min(1, 'At least 1 hour').max(8760, 'At most 8760 hours (a year)').nullable().default(null),
    timeoutAction: z.enum(TIMEOUT_ACTIONS).nullable().default(null),
  })
  .superRefine((level, ctx) => {
    if (level.timeoutHours !== null && level.timeoutAction === null) {
      ctx.addIssue({ code: 'custom', path: ['timeoutAction'], message: 'Choose what happens when the level times out' });
    }
  });
export type PolicyLevel = z.infer<typeof policyLevelSchema>;

const policyFields = {
  name: z.string().trim().min(1, 'Name is required').max(100, 'At most 100 characters'),
  description: z.string().trim().max(1000, 'At most 1000 characters').default(''),
  /** Lower first; the first enabled policy whose conditions hold decides. */
  priority: z.number().int('Whole number').min(0).max(100_000).default(100),
  enabled: z.boolean().default(true),
  conditions: policyConditionsSchema.default({}),
  action: z.enum(POLICY_ACTIONS),
  levels: z.array(policyLevelSchema).max(10, 'At most 10 levels').default([]),
  rejectReason: z.string().trim().max(500, 'At most 500 characters').default(''),
  quotaMode: z.enum(ENFORCEMENT_MODES).default('hard'),
  budgetMode: z.enum(ENFORCEMENT_MODES).default('hard'),
  scope: z.enum(POLICY_SCOPES).default('provision'),
};

type PolicyShape = {
  action: PolicyActionName;
  levels: PolicyLevel[];
  rejectReason: string;
  scope: PolicyScope;
  conditions: PolicyConditions;
};

/** Cross-field rules: an approval chain needs levels, a reject needs a reason, escalation needs a next level. */
function refinePolicy(p: PolicyShape, ctx: z.RefinementCtx) {
  if (p.action === 'require_approval' && p.levels.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['levels'], message: 'An approval chain needs at least one level' });
  }
  if (p.action === 'reject' && !p.rejectReason) {
    ctx.addIssue({ code: 'custom', path: ['rejectReason'], message: 'Say why matching requests are rejected' });
  }
  p.levels.forEach((level, i) => {
    if (level.timeoutAction === 'escalate' && i === p.levels.length - 1) {
      ctx.addIssue({ code: 'custom', path: ['levels', i, 'timeoutAction'], message: 'The last level has no next level to escalate to' });
    }
  });
  // A condition of the other scope would silently never be looked at: refuse it instead.
  const foreign = p.scope === 'vm_action' ? PROVISION_ONLY : VM_ACTION_ONLY;
  for (const key of foreign) {
    if (p.conditions[key] !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['conditions', key], message: p.scope === 'vm_action' ? 'Only for policies on new requests' : 'Only for policies on day-2 actions' });
    }
  }
}

const policyObject = z.object(policyFields);
export const policyInputSchema = policyObject.superRefine(refinePolicy);
export type PolicyInput = z.input<typeof policyInputSchema>;
export type PolicyData = z.output<typeof policyInputSchema>;

/** PATCH: any subset; the merged result is validated again with policyInputSchema. */
export const policyPatchSchema = z.object({
  name: policyFields.name.optional(),
  description: z.string().trim().max(1000).optional(),
  priority: z.number().int().min(0).max(100_000).optional(),
  enabled: z.boolean().optional(),
  conditions: policyConditionsSchema.optional(),
  action: z.enum(POLICY_ACTIONS).optional(),
  levels: z.array(policyLevelSchema).max(10).optional(),
  rejectReason: z.string().trim().max(500).optional(),
  quotaMode: z.enum(ENFORCEMENT_MODES).optional(),
  budgetMode: z.enum(ENFORCEMENT_MODES).optional(),
  scope: z.enum(POLICY_SCOPES).optional(),
});
export type PolicyPatch = z.input<typeof policyPatchSchema>;

/** A stored policy as the evaluator sees it. */
export interface PolicyDefinition extends PolicyData {
  id: string;
}

export const policyViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  priority: z.number(),
  enabled: z.boolean(),
  conditions: policyConditionsSchema,
  action: z.enum(POLICY_ACTIONS),
  levels: z.array(policyLevelSchema),
  rejectReason: z.string(),
  quotaMode: z.enum(ENFORCEMENT_MODES),
  budgetMode: z.enum(ENFORCEMENT_MODES),
  scope: z.enum(POLICY_SCOPES),
  summary: z.string().describe('Readable conditions'),
  updatedAt: z.string(),
});
export type PolicyView = z.infer<typeof policyViewSchema>;

export const simulateInputSchema = z.object({
  /** The draft set to try (disabled ones are ignored, as in real evaluation). */
  policies: z
    .array(policyObject.extend({ id: z.string().max(100).optional() }).superRefine(refinePolicy))
    .max(100, 'At most 100 policies'),
  /** How many of the latest submitted requests to replay. */
  last: z.number().int().min(1).max(1000).default(100),
});
export type SimulateInput = z.input<typeof simulateInputSchema>;

export const simulationResultSchema = z.object({
  evaluated: z.number(),
  changed: z.number(),
  rows: z.array(
    z.object({
      requestId: z.string(),
      number: z.number(),
      /** provision, or vm_action (a day-2 action replayed through the draft's vm_action policies). */
      kind: z.enum(POLICY_SCOPES),
      projectName: z.string(),
      estimatedMonthlyCost: z.number(),
      current: z.object({ outcome: z.string(), policyName: z.string().nullable(), levels: z.array(z.string()) }),
      simulated: z.object({ outcome: z.string(), policyName: z.string().nullable(), levels: z.array(z.string()), reason: z.string() }),
      changed: z.boolean(),
    }),
  ),
});
export type SimulationResult = z.infer<typeof simulationResultSchema>;

/** Facts about one request that policies look at (contract 5). */
export interface RequestFacts {
  projectId: string;
  templateId: string;
  templateSlug: string;
  providerKind: (typeof PROVIDER_KINDS)[number];
  providerAccountId: string;
  regionCode: string;
  count: number;
  vcpusPerVm: number;
  memoryMiBPerVm: number;
  diskGiBPerVm: number;
  /** Whole request, per month. */
  estimatedMonthlyCost: number;
  parameters: Record<string, unknown>;
  requesterId: string;
  quotaExceeded: { name: string; limit: number; after: number }[];
  budgetExceeded: boolean;
}

/** Facts about one day-2 action that vm_action policies look at. */
export interface ActionFacts {
  action: GatedVmAction;
  vmId: string;
  projectId: string;
  /** The VM's template when it came from a request (null for claimed VMs). */
  templateId: string | null;
  templateSlug: string | null;
  providerKind: (typeof PROVIDER_KINDS)[number];
  providerAccountId: string;
  regionCode: string;
  /** The VM's vCPU / RAM after the action (the target size for resize, else the current one). */
  vcpus: number;
  memoryMiB: number;
  /** The VM's monthly price after the action, and new − old (0 when the price book has no rate). */
  estimatedMonthlyCost: number;
  costDelta: number;
  /** extend_lease: days from today the lease would run after the extension; null otherwise. */
  leaseDays: number | null;
  /** extend_lease beyond the effective maximum lease (template and project): never runs without approval. */
  beyondLeaseMax: boolean;
  requesterId: string;
  quotaExceeded: { name: string; limit: number; after: number }[];
  /** A resize that raises the monthly price takes the project over its monthly budget (the request submission's budget line). */
  budgetExceeded?: boolean;
}

export interface EvaluatedLevel {
  order: number;
  name: string;
  mode: 'any' | 'all';
  /** Readable, e.g. "project owner, role admin". */
  approvers: string;
  /** Machine-readable approvers and timeout, used by startApprovalChain. */
  approverSpecs: ApproverSpec[];
  timeoutHours: number | null;
  timeoutAction: TimeoutAction | null;
}

export interface PolicyEvaluation {
  outcome: 'auto_approve' | 'require_approval' | 'reject';
  /** lease_max: a lease extension beyond the effective maximum (day-2 actions only). */
  code: 'policy' | 'quota_exceeded' | 'budget_exceeded' | 'default' | 'lease_max';
  policy: { id: string; name: string } | null;
  reason: string;
  levels: EvaluatedLevel[];
}
