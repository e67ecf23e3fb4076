// The one home of the requests area's zod schemas: API bodies/queries/responses and the form.
import { z } from 'zod';

export const REQUEST_STATUSES = ['draft', 'pending_approval', 'approved', 'rejected', 'cancelled', 'provisioning', 'completed', 'failed'] as const;
export const ITEM_STATUSES = ['pending', 'provisioning', 'provisioned', 'failed', 'cancelled'] as const;
export const PROVIDER_KIND_VALUES = ['vsphere', 'aws', 'azure', 'gcp'] as const;

/** At most this many VMs in one request; quotas usually stop far earlier. */
export const MAX_COUNT = 500;
export const MAX_LEASE_DAYS = 3650;

const id = z.string().trim().min(1, 'Required.').max(64);
const parameterValue = z.union([z.string().max(1000), z.number().finite().min(-1e12).max(1e12), z.boolean()]);
export const parametersSchema = z
  .record(z.string().min(1).max(64), parameterValue)
  .refine((v) => Object.keys(v).length <= 50, 'At most 50 parameters.');

export const createRequestSchema = z.object({
  projectId: id.describe('Project the VMs belong to'),
  templateId: id.describe('Catalog template id'),
  size: z.string().trim().min(1, 'Choose a size.').max(64).describe("The template's size name, e.g. small"),
  providerAccountId: id.describe('Provider account of the placement'),
  region: z.string().trim().min(1, 'Choose a region.').max(100).describe('Region code of the placement'),
  count: z.coerce.number().int('Whole VMs only.').min(1, 'At least 1 VM.').max(MAX_COUNT, `At most ${MAX_COUNT} VMs per request.`),
  leaseDays: z.coerce.number().int().min(1, 'At least 1 day.').max(MAX_LEASE_DAYS).nullable().optional(),
  justification: z.string().trim().max(2000, 'At most 2,000 characters.').optional(),
  parameters: parametersSchema.optional(),
  submit: z.boolean().optional().describe('false saves a draft; default true'),
});
export type CreateRequestInput = z.infer<typeof createRequestSchema>;

export const estimateSchema = z.object({
  projectId: id,
  templateId: id,
  size: z.string().trim().min(1, 'Choose a size.').max(64),
  count: z.coerce.number().int().min(1).max(MAX_COUNT),
  /** Optional: the placement the quota/budget/policy preview is for (default: the cheapest). */
  providerAccountId: id.optional(),
  region: z.string().trim().min(1).max(100).optional(),
  parameters: parametersSchema.optional(),
});
export type EstimateInput = z.infer<typeof estimateSchema>;

export const LIST_SORTS = ['createdAt', 'number', 'status', 'estimatedMonthlyCost'] as const;
export const listRequestsQuerySchema = z.object({
  scope: z.enum(['mine', 'projects']).default('mine').describe('mine = my requests; projects = every request of my projects (admins: all)'),
  status: z.enum(REQUEST_STATUSES).optional(),
  projectId: z.string().min(1).max(64).optional(),
  q: z.string().trim().max(100).optional().describe('REQ number, justification or VM name'),
  sort: z.enum(LIST_SORTS).default('createdAt'),
  order: z.enum(['asc', 'desc']).default('desc'),
  page: z.coerce.number().int().min(1).max(100000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(25),
});
export type ListRequestsQuery = z.infer<typeof listRequestsQuerySchema>;

export const requestParamsSchema = z.object({ requestId: id.describe('Request id') });
export const cancelRequestSchema = z.object({ reason: z.string().trim().max(1000).optional() }).optional();

// ── responses ──
const money = z.string().max(40).describe('Decimal string, 2 decimals');

export const policyViewSchema = z.object({
  id: z.string().nullable(),
  name: z.string().nullable(),
  reason: z.string(),
  code: z.string().nullable(),
});

export const quotaLineSchema = z.object({
  name: z.string(),
  scope: z.string().describe("'all' or a provider kind"),
  resource: z.enum(['instances', 'vcpus', 'memoryMiB', 'diskGiB']),
  limit: z.number(),
  used: z.number().describe('Live VMs + in-flight requests'),
  requested: z.number(),
  after: z.number(),
  remaining: z.number().describe('limit − after (negative when exceeded)'),
  exceeded: z.boolean(),
});
export const quotaCheckSchema = z.object({ lines: z.array(quotaLineSchema), exceeded: z.array(z.object({ name: z.string(), limit: z.number(), after: z.number() })) });

export const budgetLineSchema = z.object({
  budget: money.nullable(),
  currency: z.string(),
  committed: money,
  request: money,
  after: money,
  remaining: money.nullable(),
  exceeded: z.boolean(),
  actualMonthToDate: money.nullable().describe("Billing: the project's actual spend this month (all services)"),
  forecastMonthEnd: money.nullable().describe("Billing: the project's month-end forecast (all services)"),
});

export const placementSchema = z.object({
  providerAccountId: z.string(),
  providerAccountName: z.string(),
  providerKind: z.enum(PROVIDER_KIND_VALUES),
  providerLabel: z.string(),
  region: z.string(),
  regionName: z.string(),
  instanceType: z.string(),
  monthlyCost: money.nullable().describe('Whole request per month; null when the price book has no rate'),
  monthlyCostPerVm: money.nullable(),
  computeMonthly: money.nullable(),
  diskMonthly: money.nullable(),
  currency: z.string(),
  cheapest: z.boolean(),
  quotaExceeded: z.boolean(),
});
export type PlacementView = z.infer<typeof placementSchema>;

export const policyPreviewSchema = z.object({
  outcome: z.enum(['auto_approve', 'require_approval', 'reject']),
  code: z.string(),
  policy: z.object({ id: z.string(), name: z.string() }).nullable(),
  reason: z.string(),
  levels: z.array(z.object({ order: z.number(), name: z.string(), mode: z.string(), approvers: z.string() })),
  summary: z.string().describe('"auto-approved" / "needs approval by …" / "will be rejected: …"'),
});

export const estimateResponseSchema = z.object({
  placements: z.array(placementSchema),
  selected: z.object({ providerAccountId: z.string(), region: z.string() }).nullable(),
  quota: quotaCheckSchema,
  budget: budgetLineSchema,
  policy: policyPreviewSchema.nullable(),
  currency: z.string(),
});
export type EstimateResponse = z.infer<typeof estimateResponseSchema>;

export const requestItemViewSchema = z.object({
  id: z.string(),
  status: z.enum(ITEM_STATUSES),
  vmIds: z.array(z.string()),
  name: z.string(),
  templateId: z.string(),
  templateName: z.string(),
  templateVersion: z.number(),
  templateVersionId: z.string(),
  providerAccountId: z.string(),
  providerAccountName: z.string(),
  providerKind: z.enum(PROVIDER_KIND_VALUES),
  region: z.string(),
  size: z.string(),
  instanceType: z.string(),
  image: z.string(),
  count: z.number(),
  vcpus: z.number(),
  memoryMiB: z.number(),
  diskGiB: z.number(),
  leaseDays: z.number().nullable(),
  parameters: z.record(z.string(), z.unknown()),
  estimatedMonthlyCost: money,
  jobs: z.array(z.object({ index: z.number(), status: z.string(), attempts: z.number(), nextAttemptAt: z.string().nullable(), lastError: z.string().nullable() })),
});

export const approvalViewSchema = z.object({
  id: z.string(),
  order: z.number(),
  name: z.string(),
  mode: z.string(),
  approvers: z.string(),
  status: z.string(),
  decidedAt: z.string().nullable(),
  dueAt: z.string().nullable(),
  decisions: z.array(z.object({ decider: z.string(), outcome: z.string(), comment: z.string(), at: z.string() })),
});

export const timelineViewSchema = z.object({
  at: z.string(),
  type: z.string(),
  message: z.string(),
  itemId: z.string().nullable(),
  actorLabel: z.string().nullable(),
});

export const REQUEST_KINDS = ['provision', 'vm_action'] as const;

/** A vm_action request's VM and action (engine-gate: lib/vms/gate.ts); null for provisioning requests. */
export const requestVmActionSchema = z.object({
  vmId: z.string().nullable(),
  vmName: z.string(),
  action: z.string(),
  summary: z.string(),
  fromSize: z.string().nullable(),
  toSize: z.string().nullable(),
  oldMonthly: z.string().nullable(),
  newMonthly: z.string().nullable(),
  costDelta: z.string().nullable(),
  leaseTo: z.string().nullable(),
  jobId: z.string().nullable(),
});

export const requestDetailSchema = z.object({
  id: z.string(),
  number: z.number(),
  kind: z.enum(REQUEST_KINDS),
  vmAction: requestVmActionSchema.nullable(),
  status: z.enum(REQUEST_STATUSES),
  projectId: z.string(),
  projectName: z.string(),
  requester: z.object({ id: z.string(), name: z.string(), email: z.string() }),
  justification: z.string(),
  estimatedMonthlyCost: money,
  currency: z.string(),
  policy: policyViewSchema,
  evaluation: z.unknown().nullable(),
  createdAt: z.string(),
  submittedAt: z.string().nullable(),
  decidedAt: z.string().nullable(),
  completedAt: z.string().nullable(),
  items: z.array(requestItemViewSchema),
  approvals: z.array(approvalViewSchema),
  timeline: z.array(timelineViewSchema),
  actions: z.object({ cancel: z.boolean(), submit: z.boolean() }),
});
export type RequestDetail = z.infer<typeof requestDetailSchema>;

export const requestListItemSchema = z.object({
  id: z.string(),
  number: z.number(),
  kind: z.enum(REQUEST_KINDS),
  status: z.enum(REQUEST_STATUSES),
  projectId: z.string(),
  projectName: z.string(),
  requesterName: z.string(),
  templateName: z.string(),
  providerKind: z.enum(PROVIDER_KIND_VALUES).nullable(),
  region: z.string().nullable(),
  count: z.number(),
  estimatedMonthlyCost: money,
  currency: z.string(),
  policyName: z.string().nullable(),
  createdAt: z.string(),
  submittedAt: z.string().nullable(),
});
export const listRequestsResponseSchema = z.object({
  items: z.array(requestListItemSchema),
  total: z.number(),
  page: z.number(),
  pageSize: z.number(),
});
export type RequestListResponse = z.infer<typeof listRequestsResponseSchema>;

export const createRequestResponseSchema = z.object({
  id: z.string(),
  number: z.number(),
  status: z.enum(REQUEST_STATUSES),
  estimatedMonthlyCost: money,
  currency: z.string(),
  policy: policyViewSchema,
  items: z.array(z.object({ id: z.string(), status: z.enum(ITEM_STATUSES), name: z.string(), count: z.number(), estimatedMonthlyCost: money })),
});
export type CreateRequestResponse = z.infer<typeof createRequestResponseSchema>;
