// Input and view schemas for projects, memberships, quotas and budgets. Free of server imports so
// the API (lib/api/operations/projects.ts) and the admin forms share them.
import { z } from 'zod';

export const PROJECT_ROLES = ['member', 'approver', 'owner'] as const;
export type ProjectRoleName = (typeof PROJECT_ROLES)[number];
export const QUOTA_PROVIDER_KINDS = ['vsphere', 'aws', 'azure', 'gcp'] as const;
export const QUOTA_LIMITS = ['maxInstances', 'maxVcpus', 'maxMemoryMiB', 'maxDiskGiB'] as const;
export type QuotaLimit = (typeof QUOTA_LIMITS)[number];

export const PROJECT_KEY_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export const projectKeySchema = z
  .string()
  .trim()
  .min(2, 'The key needs at least 2 characters')
  .max(40, 'The key can have at most 40 characters')
  .regex(PROJECT_KEY_PATTERN, 'Use lowercase letters, digits and single hyphens, e.g. "web-shop"');

const nameSchema = z.string().trim().min(1, 'Name is required').max(100, 'Name can have at most 100 characters');
const descriptionSchema = z.string().trim().max(1000, 'Description can have at most 1000 characters');
const costCentreSchema = z.string().trim().min(1, 'Cost centre is required').max(50, 'Cost centre can have at most 50 characters');
const idSchema = (what: string) => z.string().trim().min(1, `Choose ${what}`).max(100);

export const createProjectSchema = z.object({
  key: projectKeySchema,
  name: nameSchema,
  description: descriptionSchema.default(''),
  costCentre: costCentreSchema,
  ownerId: idSchema('an owner'),
});
export type CreateProjectInput = z.input<typeof createProjectSchema>;

/** The key is stable (it is stamped on cloud resources as a tag), so it cannot change. */
export const updateProjectSchema = z.object({
  name: nameSchema.optional(),
  description: descriptionSchema.optional(),
  costCentre: costCentreSchema.optional(),
  ownerId: idSchema('an owner').optional(),
  /** engine-gate: longest lease (days from today) of the project's VMs without approval; null = no project limit. */
  maxLeaseDays: z.number({ message: 'Maximum lease must be a whole number of days' }).int('Whole days').min(1, 'At least 1 day').max(3650, 'At most 3650 days').nullable().optional(),
  /** true archives the project, false restores it. */
  archived: z.boolean().optional(),
});
export type UpdateProjectInput = z.input<typeof updateProjectSchema>;

export const listProjectsQuerySchema = z.object({
  q: z.string().trim().max(100).optional(),
  includeArchived: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true'),
});
export type ListProjectsQuery = z.input<typeof listProjectsQuerySchema>;

export const projectRoleSchema = z.enum(PROJECT_ROLES, { message: 'Choose member, approver or owner' });

export const addMemberSchema = z
  .object({
    userId: z.string().trim().min(1).max(100).optional(),
    email: z.string().trim().toLowerCase().max(254).email('Enter a valid e-mail address').optional(),
    role: projectRoleSchema.default('member'),
  })
  .superRefine((value, ctx) => {
    if (!value.userId && !value.email) {
      ctx.addIssue({ code: 'custom', path: ['email'], message: 'Name the user by e-mail or user id' });
    }
  });
export type AddMemberInput = z.input<typeof addMemberSchema>;

export const updateMemberSchema = z.object({ role: projectRoleSchema });
export type UpdateMemberInput = z.input<typeof updateMemberSchema>;

const limitSchema = (label: string) =>
  z
    .number({ message: `${label} must be a whole number` })
    .int(`${label} must be a whole number`)
    .min(0, `${label} cannot be negative`)
    .max(10_000_000, `${label} is too large`)
    .nullable()
    .default(null);

/** Limits left empty (null) are unlimited; a quota with every limit empty is removed. */
export const setQuotaSchema = z.object({
  providerKind: z.enum(QUOTA_PROVIDER_KINDS, { message: 'Choose vsphere, aws, azure or gcp, or leave empty for all providers' }).nullable().default(null),
  maxInstances: limitSchema('Max instances'),
  maxVcpus: limitSchema('Max vCPUs'),
  maxMemoryMiB: limitSchema('Max memory'),
  maxDiskGiB: limitSchema('Max disk'),
});
export type SetQuotaInput = z.input<typeof setQuotaSchema>;

// ───────────── admin forms (what the pages post; the services validate again) ─────────────

/** The details form: archiving has its own button, so an absent checkbox must not mean "restore". */
export const updateProjectFormSchema = updateProjectSchema.omit({ archived: true });
/** The member picker sends "" until a user is chosen; the service then names the field. */
export const addMemberFormSchema = z.object({ userId: z.string().trim().max(100).default(''), role: projectRoleSchema.default('member') });
/** Memory is asked in GiB (the API takes MiB); "" means unlimited. */
export const setQuotaFormSchema = z.object({
  providerKind: z.string().trim().max(20).default(''),
  maxInstances: limitSchema('Max instances'),
  maxVcpus: limitSchema('Max vCPUs'),
  maxMemoryGiB: z.number({ message: 'Max memory (GiB) must be a number' }).min(0, 'Max memory (GiB) cannot be negative').max(10_000_000 / 1024, 'Max memory (GiB) is too large').nullable().default(null),
  maxDiskGiB: limitSchema('Max disk'),
});

// ───────────── views (plain JSON) ─────────────

export const userRefSchema = z.object({ id: z.string(), name: z.string(), email: z.string() });

export const quotaViewSchema = z.object({
  id: z.string(),
  providerKind: z.enum(QUOTA_PROVIDER_KINDS).nullable(),
  maxInstances: z.number().int().nullable(),
  maxVcpus: z.number().int().nullable(),
  maxMemoryMiB: z.number().int().nullable(),
  maxDiskGiB: z.number().int().nullable(),
  updatedAt: z.string(),
});
export type QuotaView = z.infer<typeof quotaViewSchema>;

export const quotaSummarySchema = z.object({
  /** The all-providers quota; null = no overall limits. */
  overall: quotaViewSchema.omit({ id: true, updatedAt: true, providerKind: true }).nullable(),
  /** Provider kinds with their own quota. */
  providerKinds: z.array(z.enum(QUOTA_PROVIDER_KINDS)),
});

export const projectViewSchema = z.object({
  id: z.string(),
  key: z.string(),
  name: z.string(),
  description: z.string(),
  costCentre: z.string(),
  /** Longest lease in days (the effective maximum is the smaller of this and the template's); null = none. */
  maxLeaseDays: z.number().int().nullable(),
  owner: userRefSchema,
  memberCount: z.number().int(),
  /** The caller's role in the project; null for admins who are not members. */
  myRole: z.enum(PROJECT_ROLES).nullable(),
  quota: quotaSummarySchema,
  archivedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ProjectView = z.infer<typeof projectViewSchema>;

export const usageSchema = z.object({
  instances: z.number().int(),
  vcpus: z.number().int(),
  memoryMiB: z.number().int(),
  diskGiB: z.number().int(),
});
export type QuotaUsage = z.infer<typeof usageSchema>;

export const projectDetailSchema = projectViewSchema.extend({
  quotas: z.array(quotaViewSchema),
  /** Current consumption by the project's live VMs, for comparison with the quotas. */
  usage: usageSchema,
});
export type ProjectDetail = z.infer<typeof projectDetailSchema>;

export const memberViewSchema = z.object({
  userId: z.string(),
  name: z.string(),
  email: z.string(),
  role: z.enum(PROJECT_ROLES),
  /** The project's accountable owner (Project.ownerId); cannot be removed or demoted. */
  isProjectOwner: z.boolean(),
  userStatus: z.enum(['active', 'disabled']),
  addedAt: z.string(),
});
export type MemberView = z.infer<typeof memberViewSchema>;

export const projectQuotasSchema = z.object({
  projectId: z.string(),
  quotas: z.array(quotaViewSchema),
  usage: usageSchema,
});
export type ProjectQuotas = z.infer<typeof projectQuotasSchema>;

export const budgetViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  providerKind: z.enum(QUOTA_PROVIDER_KINDS).nullable(),
  /** Decimal amount as a string with two decimals, e.g. "5000.00". */
  amount: z.string(),
  currency: z.string(),
  period: z.enum(['monthly', 'quarterly', 'annual']),
  alertThresholds: z.array(z.number().int()),
  startsOn: z.string(),
});
export type BudgetView = z.infer<typeof budgetViewSchema>;
