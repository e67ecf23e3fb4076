// Input and view schemas of billing (cost explorer, imports, showback, budgets). Free of server
// imports so the API operations, the pages and the forms share them.
import { z } from 'zod';

export const COST_DIMENSIONS = ['provider', 'region', 'project', 'serviceCategory', 'service', 'subAccount', 'chargeCategory', 'resource', 'tag'] as const;
export type CostDimension = (typeof COST_DIMENSIONS)[number];

const isoDate = z
  .string()
  .max(10)
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Use an ISO date, e.g. 2026-01-31')
  .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v), 'Not a valid date');
const filterValue = z.string().max(500);

/** Query filters shared by the summary, breakdown and line items; `end` is exclusive (as FOCUS periods). */
export const costFiltersSchema = z
  .object({
    start: isoDate,
    end: isoDate,
    provider: filterValue.optional(),
    region: filterValue.optional(),
    projectId: z.string().max(100).optional(),
    serviceCategory: filterValue.optional(),
    service: filterValue.optional(),
    subAccount: filterValue.optional(),
    chargeCategory: z.string().max(50).optional(),
    resourceId: filterValue.optional(),
    vmId: z.string().max(100).optional(),
    tagKey: z.string().max(200).optional(),
    tagValue: filterValue.optional(),
  })
  .refine((f) => f.start < f.end, { message: 'end must be after start', path: ['end'] })
  .refine((f) => Date.parse(f.end) - Date.parse(f.start) <= 3700 * 86_400_000, { message: 'The range can span at most 10 years', path: ['end'] });
export type CostFilters = z.output<typeof costFiltersSchema>;

const money = z.object({ billedCost: z.string(), effectiveCost: z.string() });

export const costSummarySchema = z.object({
  currency: z.string(),
  currencies: z.array(z.string()),
  start: z.string(),
  end: z.string(),
  totals: z.array(z.object({ provider: z.string(), currency: z.string(), billedCost: z.string(), effectiveCost: z.string() })),
  total: money,
  monthToDate: money,
  forecastMonthEnd: money.extend({ method: z.string() }),
  lastMonth: money,
  rowCount: z.number(),
});

export const costBreakdownQuerySchema = costFiltersSchema.and(
  z.object({
    groupBy: z.enum(COST_DIMENSIONS).default('provider'),
    pivot: z.enum(COST_DIMENSIONS).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(200),
  }),
);

export const costBreakdownSchema = z.object({
  currency: z.string(),
  currencies: z.array(z.string()),
  groupBy: z.enum(COST_DIMENSIONS),
  pivot: z.enum(COST_DIMENSIONS).nullable(),
  columns: z.array(z.object({ key: z.string(), label: z.string() })),
  rows: z.array(z.object({ key: z.string(), label: z.string(), billedCost: z.string(), effectiveCost: z.string(), cells: z.record(z.string(), money) })),
  total: money,
  daily: z.array(z.object({ day: z.string(), billedCost: z.string(), effectiveCost: z.string() })),
  source: z.enum(['rollup', 'tagRollup', 'resourceRollup', 'raw']),
});

export const costLineItemsQuerySchema = costFiltersSchema.and(
  z.object({ page: z.coerce.number().int().min(1).max(100_000).default(1), pageSize: z.coerce.number().int().min(1).max(500).default(50) }),
);

export const costLineItemsSchema = z.object({
  items: z.array(
    z.object({
      id: z.string(), chargePeriodStart: z.string(), chargePeriodEnd: z.string(), providerName: z.string(), billingAccountId: z.string().nullable(),
      subAccountId: z.string().nullable(), regionId: z.string().nullable(), serviceCategory: z.string().nullable(), serviceName: z.string().nullable(),
      chargeCategory: z.string(), chargeDescription: z.string().nullable(), resourceId: z.string().nullable(), resourceName: z.string().nullable(),
      vmId: z.string().nullable(), vmName: z.string().nullable(), projectId: z.string().nullable(), billedCost: z.string(), effectiveCost: z.string(), billingCurrency: z.string(),
      tags: z.record(z.string(), z.string()),
    }),
  ),
  total: z.number(),
  page: z.number(),
  pageSize: z.number(),
});

export const costImportSchema = z.object({
  id: z.string(),
  fileName: z.string(),
  source: z.string(),
  status: z.string(),
  /** queued, copy, link, validate, index, rows (row-by-row path), swap, done. */
  phase: z.string().nullable(),
  rowsRead: z.number(),
  rowsPerSecond: z.number(),
  rowCount: z.number(),
  rejectedRows: z.number(),
  message: z.string().nullable(),
  errors: z.array(z.object({ row: z.number(), column: z.string(), value: z.string(), message: z.string() })),
  periods: z.array(z.object({ month: z.string(), providerName: z.string(), billingAccountId: z.string().nullable(), rows: z.number(), replacedRows: z.number() })),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type CostImportView = z.infer<typeof costImportSchema>;

/** Optional fields of the upload form / multipart request besides `file` (a blank field = not given). */
const blank = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());
export const importDefaultsSchema = z.object({
  providerName: blank(z.string().trim().max(200)),
  billingCurrency: blank(z.string().trim().max(3, 'Use a 3-letter currency code').toUpperCase().regex(/^[A-Z]{3}$/, 'Use a 3-letter currency code')),
  azureCostKind: blank(z.enum(['actual', 'amortized'])),
});

export const showbackQuerySchema = z.object({
  month: z.string().max(7).regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'Use YYYY-MM'),
  by: z.enum(['project', 'costCentre']).default('project'),
});

// ───────────── budgets ─────────────
export const BUDGET_PROVIDER_KINDS = ['vsphere', 'aws', 'azure', 'gcp'] as const;
const amount = z
  .union([z.string().max(30), z.number()])
  .transform((v) => String(v).trim())
  .refine((v) => /^\d{1,14}(\.\d{1,2})?$/.test(v) && Number(v) > 0, 'Use a positive amount with at most 2 decimals');
const thresholds = z.array(z.number().int().min(1).max(1000)).min(1).max(10);

export const createBudgetSchema = z.object({
  name: z.string().trim().min(1, 'Name is required').max(100),
  projectId: z.string().trim().min(1, 'Choose a project').max(100),
  providerKind: z.enum(BUDGET_PROVIDER_KINDS).nullable().optional(),
  amount,
  currency: z.string().trim().max(3, 'Use a 3-letter currency code').toUpperCase().regex(/^[A-Z]{3}$/, 'Use a 3-letter currency code').default('USD'),
  alertThresholds: thresholds.default([50, 80, 100]),
  startsOn: isoDate.optional(),
});
export type CreateBudgetInput = z.input<typeof createBudgetSchema>;

export const updateBudgetSchema = z.object({
  name: z.string().trim().min(1).max(100).optional(),
  providerKind: z.enum(BUDGET_PROVIDER_KINDS).nullable().optional(),
  amount: amount.optional(),
  currency: z.string().trim().max(3).toUpperCase().regex(/^[A-Z]{3}$/).optional(),
  alertThresholds: thresholds.optional(),
});
export type UpdateBudgetInput = z.input<typeof updateBudgetSchema>;

export const budgetViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  projectId: z.string().nullable(),
  projectName: z.string().nullable(),
  providerKind: z.string().nullable(),
  amount: z.string(),
  currency: z.string(),
  period: z.string(),
  alertThresholds: z.array(z.number()),
  actualMonthToDate: z.string(),
  forecastMonthEnd: z.string(),
  percentUsed: z.number(),
  alerts: z.array(z.object({ threshold: z.number(), forecast: z.boolean(), periodStart: z.string(), amount: z.string(), triggeredAt: z.string() })),
});
export type BudgetView = z.infer<typeof budgetViewSchema>;

/** The budget forms: checkboxes send thresholds as strings, an empty provider means "all providers". */
export const budgetFormSchema = z.object({
  name: z.string().trim().min(1, 'Name is required').max(100),
  projectId: z.string().trim().min(1, 'Choose a project').max(100),
  providerKind: z.preprocess((v) => (v === '' ? null : v), z.enum(BUDGET_PROVIDER_KINDS).nullable()),
  amount,
  currency: z.string().trim().max(3, 'Use a 3-letter currency code').toUpperCase().regex(/^[A-Z]{3}$/, 'Use a 3-letter currency code'),
  alertThresholds: z.array(z.coerce.number().int().min(1).max(1000)).min(1, 'Pick at least one threshold').max(10),
});
export const budgetAmountFormSchema = z.object({ amount });
