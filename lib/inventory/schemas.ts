// The one home of the inventory's schemas: listVms query (filters, sort, keyset cursor), the list
// item, the VM view (getVm) and the claim body. API operations, pages and lib share these.
import { z } from 'zod';
import { ProviderKind, VmState } from '@/generated/prisma/enums';
import { DRIFT_REASONS } from './drift';

/** Sortable columns; `cost` sorts by the stored monthly cost (VmMonthlyCost, refreshed by a job). */
export const SORT_KEYS = ['name', 'provider', 'account', 'region', 'size', 'vcpus', 'memory', 'state', 'owner', 'project', 'lease', 'ip', 'firstSeen', 'lastSeen', 'cost'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
/** `name` ascending, `-name` descending. */
export const SORT_VALUES = [...SORT_KEYS, ...SORT_KEYS.map((k) => `-${k}` as const)] as const;
export type SortValue = (typeof SORT_VALUES)[number];

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;
export const PAGE_SIZES = [25, 50, 100, 200] as const;

const blankToUndefined = (v: unknown) => (v === '' || v === null ? undefined : v);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blankToUndefined, schema.optional());
const bool = z.enum(['true', 'false']).transform((v) => v === 'true');
/** PostgreSQL text cannot hold NUL: refuse it as a 400 rather than failing in the driver. */
const text = (max: number) => z.string().trim().max(max).refine((v) => !v.includes('\u0000'), 'must not contain NUL characters');

/** Filters shared by listVms and exportVms. */
export const vmFilterSchema = z.object({
  provider: optional(z.enum(ProviderKind)),
  account: optional(text(100)),
  region: optional(text(100)),
  state: optional(z.enum(VmState)),
  project: optional(text(100)),
  owner: optional(text(100)),
  /** `key` (has the tag) or `key=value`. */
  tag: optional(text(300).pipe(z.string().min(1))),
  managed: optional(bool),
  drift: optional(bool),
  /** Lease ends before this instant (the "expiring this week" tile). */
  leaseBefore: optional(z.iso.datetime({ offset: true }).or(z.iso.date())),
  /** Substring of the name, an IP or the provider id (case-insensitive). */
  q: optional(text(200)),
  /** Monthly cost range (inclusive, the stored figure; VMs without one never match a range). */
  costMin: optional(z.coerce.number().min(0).max(1e12)),
  costMax: optional(z.coerce.number().min(0).max(1e12)),
});
export type VmFilter = z.infer<typeof vmFilterSchema>;
export const FILTER_KEYS = Object.keys(vmFilterSchema.shape) as (keyof VmFilter)[];

export const listVmsQuerySchema = vmFilterSchema.extend({
  limit: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE)),
  cursor: optional(text(1000)),
  sort: z.preprocess(blankToUndefined, z.enum(SORT_VALUES).default('name')),
});
export type ListVmsQuery = z.infer<typeof listVmsQuerySchema>;

const moneySchema = z.object({ amount: z.string(), currency: z.string() });

export const vmListItemSchema = z.object({
  id: z.string(),
  name: z.string(),
  providerKind: z.enum(ProviderKind),
  providerId: z.string(),
  accountId: z.string(),
  accountName: z.string(),
  regionCode: z.string(),
  zone: z.string().nullable(),
  size: z.string(),
  vcpus: z.number().int().nullable(),
  memoryMiB: z.number().int().nullable(),
  diskGiB: z.number().int().nullable(),
  state: z.enum(VmState),
  managed: z.boolean(),
  drift: z.boolean(),
  driftReasons: z.array(z.enum(DRIFT_REASONS)),
  owner: z.object({ id: z.string(), name: z.string(), email: z.string() }).nullable(),
  project: z.object({ id: z.string(), key: z.string(), name: z.string() }).nullable(),
  leaseExpiresAt: z.string().nullable(),
  privateIp: z.string().nullable(),
  publicIp: z.string().nullable(),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
  deletedAt: z.string().nullable(),
  /** This month's forecast from billing rows when the VM has any, else the price book (markup/discount applied); null when no rate matches. */
  monthlyCost: moneySchema.nullable(),
  /** Where monthlyCost comes from. */
  monthlyCostSource: z.enum(['billing', 'price_book']).nullable(),
});
export type VmListItem = z.infer<typeof vmListItemSchema>;

export const listVmsResponseSchema = z.object({
  vms: z.array(vmListItemSchema),
  nextCursor: z.string().nullable(),
  total: z.number().int(),
});
export type ListVmsResult = z.infer<typeof listVmsResponseSchema>;

export const vmViewSchema = vmListItemSchema.extend({
  /** Region id (contract 8 name; same as regionCode). */
  region: z.string(),
  tags: z.record(z.string(), z.string()),
  projectId: z.string().nullable(),
  ownerId: z.string().nullable(),
  requestId: z.string().nullable(),
  requestItemId: z.string().nullable(),
  imageId: z.string().nullable(),
  providerState: z.string(),
  createdBySkyport: z.boolean(),
  claimedAt: z.string().nullable(),
  expectedSize: z.string().nullable(),
  driftDetectedAt: z.string().nullable(),
  providerCreatedAt: z.string().nullable(),
  /**
   * Billed (effective) cost of this VM this month from billing rows linked to it, and the month-end
   * forecast (cost explorer's method: month to date ÷ days elapsed × days in the month); null without billing rows.
   */
  costToDate: z.object({ currency: z.string(), monthToDate: z.string(), forecastMonthEnd: z.string(), method: z.string() }).nullable(),
  /** The Skyport job working on this VM now (queued or running), if any. */
  pendingAction: z.object({ jobId: z.string(), kind: z.string(), status: z.string(), createdAt: z.string() }).nullable(),
});
export type VmView = z.infer<typeof vmViewSchema>;

export const vmParamsSchema = z.object({ vmId: text(100).pipe(z.string().min(1)) });

export const claimVmSchema = z.object({
  projectId: text(100).pipe(z.string().min(1, 'Choose a project')),
  ownerId: text(100).pipe(z.string().min(1, 'Choose an owner')),
});
export type ClaimVmInput = z.infer<typeof claimVmSchema>;

export const tagWriteResultSchema = z.object({ vm: vmViewSchema, tagsWritten: z.record(z.string(), z.string()) });

export const inventoryTilesSchema = z.object({
  byProviderState: z.array(z.object({ providerKind: z.enum(ProviderKind), state: z.enum(VmState), count: z.number().int() })),
  total: z.number().int(),
  unmanaged: z.number().int(),
  drift: z.number().int(),
  leasesExpiringThisWeek: z.number().int(),
  weekEnd: z.string(),
});
export type InventoryTiles = z.infer<typeof inventoryTilesSchema>;
