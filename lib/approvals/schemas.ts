// Approval inbox and decision shapes, shared by the API, the inbox page and lib/approvals.
import { z } from 'zod';
import { PROVIDER_KINDS } from '@/providers/types';

export const DECISIONS = ['approve', 'reject'] as const;

const comment = z.string().trim().max(2000, 'At most 2000 characters');

export const decisionInputSchema = z
  .object({ decision: z.enum(DECISIONS), comment: comment.optional() })
  .superRefine((v, ctx) => {
    if (v.decision === 'reject' && !v.comment) ctx.addIssue({ code: 'custom', path: ['comment'], message: 'Say why you reject the request' });
  });
export type DecisionInput = z.input<typeof decisionInputSchema>;

export const bulkDecisionInputSchema = z
  .object({
    approvalIds: z.array(z.string().min(1).max(100)).min(1, 'Choose at least one approval').max(100, 'At most 100 at once'),
    decision: z.enum(DECISIONS),
    comment: comment.optional(),
  })
  .superRefine((v, ctx) => {
    if (v.decision === 'reject' && !v.comment) ctx.addIssue({ code: 'custom', path: ['comment'], message: 'Say why you reject the requests' });
  });
export type BulkDecisionInput = z.input<typeof bulkDecisionInputSchema>;

export const APPROVAL_SORTS = ['oldest', 'newest', 'cost_desc', 'cost_asc'] as const;

export const listApprovalsQuerySchema = z.object({
  /** Request number ("1042" or "REQ-1042"), requester name/e-mail or project name. */
  q: z.string().trim().max(100).optional(),
  projectId: z.string().max(100).optional(),
  providerKind: z.enum(PROVIDER_KINDS).optional(),
  minCost: z.coerce.number().min(0).max(100_000_000).optional(),
  maxCost: z.coerce.number().min(0).max(100_000_000).optional(),
  sort: z.enum(APPROVAL_SORTS).default('oldest'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type ListApprovalsQuery = z.input<typeof listApprovalsQuerySchema>;

export const approvalItemSchema = z.object({
  id: z.string().describe('Approval id (the pending level of the request)'),
  requestId: z.string(),
  requestNumber: z.number(),
  /** provision = new VMs (items); vm_action = a day-2 action on one VM (vmAction). */
  kind: z.enum(['provision', 'vm_action']),
  vmAction: z
    .object({
      vmId: z.string(),
      vmName: z.string(),
      providerKind: z.enum(PROVIDER_KINDS),
      region: z.string(),
      action: z.string(),
      summary: z.string(),
      fromSize: z.string().nullable(),
      toSize: z.string().nullable(),
      fromVcpus: z.number().nullable(),
      toVcpus: z.number().nullable(),
      fromMemoryMiB: z.number().nullable(),
      toMemoryMiB: z.number().nullable(),
      oldMonthly: z.string().nullable(),
      newMonthly: z.string().nullable(),
      costDelta: z.string().nullable(),
      leaseFrom: z.string().nullable(),
      leaseTo: z.string().nullable(),
      days: z.number().nullable(),
    })
    .nullable(),
  level: z.number().describe('1-based level in the chain'),
  levelName: z.string(),
  levelCount: z.number(),
  mode: z.enum(['any', 'all']),
  approvers: z.string(),
  /** all-of levels: approvals still needed, counting this caller. */
  approvalsNeeded: z.number(),
  dueAt: z.string().nullable(),
  timeoutAction: z.string().nullable(),
  submittedAt: z.string().nullable(),
  requester: z.object({ id: z.string(), name: z.string(), email: z.string() }),
  project: z.object({ id: z.string(), name: z.string() }),
  justification: z.string(),
  items: z.array(
    z.object({
      templateName: z.string(),
      templateVersion: z.number(),
      /** The template's size name (e.g. "large"). */
      size: z.string(),
      /** What the provider runs it as (instance type or vSphere sizing). */
      instanceType: z.string(),
      vcpus: z.number(),
      memoryMiB: z.number(),
      diskGiB: z.number(),
      providerKind: z.enum(PROVIDER_KINDS),
      providerAccountName: z.string(),
      region: z.string(),
      count: z.number(),
      estimatedMonthlyCost: z.string(),
    }),
  ),
  estimatedMonthlyCost: z.string(),
  currency: z.string(),
  policy: z.object({ id: z.string().nullable(), name: z.string().nullable(), reason: z.string(), code: z.string().nullable() }),
  quota: z.array(z.object({ name: z.string(), limit: z.number(), after: z.number(), exceeded: z.boolean() })),
  budget: z.object({ budget: z.string().nullable(), after: z.string().nullable(), exceeded: z.boolean() }).nullable(),
  earlierDecisions: z.array(z.object({ level: z.number(), levelName: z.string(), decider: z.string(), outcome: z.string(), comment: z.string(), at: z.string() })),
});
export type ApprovalItem = z.infer<typeof approvalItemSchema>;

export const approvalListSchema = z.object({ approvals: z.array(approvalItemSchema), total: z.number() });

export const decisionResultSchema = z.object({
  approvalId: z.string(),
  requestId: z.string(),
  /** provision, or vm_action (a day-2 action: approved → its job runs). */
  kind: z.enum(['provision', 'vm_action']),
  decision: z.enum(DECISIONS),
  /** The request's status after the decision. */
  requestStatus: z.string(),
  /** The level's status after the decision (all-of levels stay pending until everyone approved). */
  levelStatus: z.string(),
});
export type DecisionResult = z.infer<typeof decisionResultSchema>;

export const bulkDecisionResultSchema = z.object({
  results: z.array(
    z.object({ approvalId: z.string(), ok: z.boolean(), requestStatus: z.string().nullable(), error: z.string().nullable() }),
  ),
});
