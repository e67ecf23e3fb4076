// Inventory discovery: list every VM of an account in each enabled region (all pages) into the
// VM table. The listing is pipelined with the writes: while one batch (≥ 500 VMs) is written, the
// next provider page is already being fetched (at most one page in flight, at most one batch
// being written). Each batch costs one read of its existing rows and, only for new or changed
// VMs, one multi-row INSERT … ON CONFLICT (account, provider id) — see sync-write.ts — so a sync
// is a handful of queries per 500 VMs, never one per VM, and unchanged VMs are not rewritten.
// VMs made outside Skyport are kept as "unmanaged"; VMs that vanished from a fully listed region
// are marked deleted once per region at the end (the row, its jobs and audit history stay).
// Status and progress per account and per region go to ProviderSyncStatus (sync-status.ts).
import { z } from 'zod';
import type { ProviderAccount } from '@/generated/prisma/client';
import { isProviderError } from '@/providers/errors';
import type { ListVmsPage, ObservedVm, ProviderAdapter, ProviderSize } from '@/providers/types';
import { recordAudit, type AuditContext } from '../audit/record';
import type { Db } from '../db/client';
import { upsertInstanceTypes } from '../catalog/instance-types';
import { NotFoundError, ValidationError } from '../errors';
import { adapterForAccount } from './service';
import { ACCOUNT_STATUS_REGION, finishStatus, markStarted, SyncProgress, syncStatuses } from './sync-status';
import { listingXid, writeBatch, type BatchContext, type Lookups } from './sync-write';

export { ACCOUNT_STATUS_REGION, syncStatuses };

export const syncResultSchema = z.object({
  accountId: z.string(),
  regions: z.array(
    z.object({ region: z.string(), discovered: z.number().int(), created: z.number().int(), updated: z.number().int(), removed: z.number().int() }),
  ),
  total: z.number().int(),
});

export interface RegionSyncResult {
  region: string;
  discovered: number;
  created: number;
  updated: number;
  removed: number;
}

export interface SyncResult {
  accountId: string;
  regions: RegionSyncResult[];
  total: number;
}

/** Provider page size asked for, and the least number of VMs written per batch. */
export const SYNC_PAGE_SIZE = 500;
const MAX_PAGES_PER_REGION = 10_000;

interface RegionCounts extends RegionSyncResult {
  unmanaged: number;
  drifted: number;
}

export interface SyncOptions {
  /** graphile-worker job running this sync, shown with its progress. */
  jobId?: string;
  /** An adapter for the account that the caller owns (not closed here); tests hold its listing. */
  adapter?: ProviderAdapter;
}

/** The account must exist and have an enabled region; returns the enabled region codes. */
export async function syncableRegions(db: Db, accountId: string): Promise<{ account: ProviderAccount; regions: string[] }> {
  const account = await db.providerAccount.findUnique({ where: { id: accountId }, include: { regions: true } });
  if (!account) throw new NotFoundError('Provider account');
  const regions = account.regions.filter((r) => r.enabled).map((r) => r.code).sort();
  if (!regions.length) {
    throw new ValidationError([{ field: 'enabledRegions', message: 'Enable at least one region before syncing.' }], 'No enabled regions.');
  }
  return { account, regions };
}

export async function syncProviderAccount(db: Db, accountId: string, audit: AuditContext, options: SyncOptions = {}): Promise<SyncResult> {
  const { account, regions } = await syncableRegions(db, accountId);
  const started = new Date();
  await markStarted(db, account.id, ACCOUNT_STATUS_REGION, started, { regionsTotal: regions.length, jobId: options.jobId ?? null });
  let adapter: ProviderAdapter | null = null;
  try {
    adapter = options.adapter ?? adapterForAccount(account).adapter;
    const { results, failure } = await syncRegions(db, adapter, account, regions);
    const total = results.reduce((sum, r) => sum + r.discovered, 0);
    const counts = sumCounts(results);
    if (failure) throw failure;
    await db.$transaction(async (tx) => {
      await tx.providerAccount.update({ where: { id: account.id }, data: { lastSyncedAt: new Date(), status: 'ok', statusMessage: `Synced ${total} VMs` } });
      await finishStatus(tx, account.id, ACCOUNT_STATUS_REGION, started, { ...counts, error: null });
      await recordAudit(tx, audit, {
        action: 'provider_account.sync',
        targetType: 'provider_account',
        targetId: account.id,
        after: { regions: results.map(publicCounts), total, unmanaged: counts.unmanaged, drifted: counts.drifted },
      });
    });
    return { accountId: account.id, regions: results.map(publicCounts), total };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // A failure is recorded on the account (status + message + sync status) before it reaches the caller.
    await db.$transaction(async (tx) => {
      if (isProviderError(error)) {
        await tx.providerAccount.update({ where: { id: account.id }, data: { status: 'error', statusMessage: `Sync failed: ${message}`.slice(0, 1000) } });
      }
      await finishStatus(tx, account.id, ACCOUNT_STATUS_REGION, started, { error: message });
      await recordAudit(tx, audit, {
        action: 'provider_account.sync',
        targetType: 'provider_account',
        targetId: account.id,
        after: { ok: false, errorCode: isProviderError(error) ? error.code : 'internal', detail: message.slice(0, 1000) },
      });
    });
    throw error;
  } finally {
    if (adapter !== options.adapter) await adapter?.close?.();
  }
}

function publicCounts(r: RegionCounts): RegionSyncResult {
  return { region: r.region, discovered: r.discovered, created: r.created, updated: r.updated, removed: r.removed };
}

function sumCounts(results: RegionCounts[]) {
  const sum = { discovered: 0, created: 0, updated: 0, removed: 0, unmanaged: 0, drifted: 0 };
  for (const r of results) for (const key of Object.keys(sum) as (keyof typeof sum)[]) sum[key] += r[key];
  return sum;
}

async function loadLookups(db: Db): Promise<Lookups> {
  // Ownership from Skyport tags: project keys and owner e-mails, resolved once per sync.
  const [projects, users] = await Promise.all([
    db.project.findMany({ select: { id: true, key: true } }),
    db.user.findMany({ select: { id: true, email: true } }),
  ]);
  return { projects: new Map(projects.map((p) => [p.key, p.id])), users: new Map(users.map((u) => [u.email.toLowerCase(), u.id])) };
}

/** Every region is attempted; the first failure is returned after the others ran (each has its own status). */
async function syncRegions(db: Db, adapter: ProviderAdapter, account: ProviderAccount, regions: string[]) {
  const lookups = await loadLookups(db);
  const progress = new SyncProgress(db, account.id);
  const results: RegionCounts[] = [];
  let failure: unknown = null;
  for (const region of regions) {
    const started = new Date();
    await markStarted(db, account.id, region, started);
    const listed = { count: 0 };
    try {
      // Taken before the first page is asked for: the stale-write guard (sync-write.ts).
      const xid = await listingXid(db);
      const counts = await syncRegion(db, adapter, account, region, { lookups, seenAt: started, listingXid: xid, progress, listed });
      await finishStatus(db, account.id, region, started, { ...counts, error: null });
      results.push(counts);
    } catch (error) {
      await finishStatus(db, account.id, region, started, { error: error instanceof Error ? error.message : String(error) });
      failure ??= error;
    }
    await progress.regionDone(listed.count);
  }
  return { results, failure };
}

async function sizeTable(db: Db, adapter: ProviderAdapter, account: ProviderAccount, region: string): Promise<Map<string, ProviderSize>> {
  try {
    const sizes = await adapter.listSizes(region);
    // The catalog's instance-type table (contract 6), once per region per sync — skipped when it
    // already holds exactly these sizes: its backfill UPDATE scans every VM row of the provider,
    // and the rows this sync covers get vCPU/RAM from the same sizes below.
    if (!(await instanceTypesKnown(db, account.kind, region, sizes))) await upsertInstanceTypes(db, account.kind, region, sizes);
    return new Map(sizes.flatMap((s) => [[s.id, s] as const, [s.name, s] as const]));
  } catch (error) {
    // Sizes only fill in vCPU/RAM the listing lacks; the VM listing itself must not fail for them.
    if (isProviderError(error)) return new Map();
    throw error;
  }
}

async function instanceTypesKnown(db: Db, kind: ProviderAccount['kind'], region: string, sizes: ProviderSize[]): Promise<boolean> {
  const known = await db.instanceType.findMany({ where: { providerKind: kind, regionCode: region }, select: { name: true, label: true, vcpus: true, memoryMiB: true } });
  const byName = new Map(known.map((k) => [k.name, k]));
  // The same sizes upsertInstanceTypes stores (it ignores ones without a usable shape).
  const storable = sizes.filter((s) => s.id && Number.isInteger(s.vcpus) && s.vcpus > 0 && Number.isInteger(s.memoryMiB) && s.memoryMiB > 0);
  return storable.every((s) => {
    const k = byName.get(s.id);
    return k !== undefined && k.label === (s.name ?? '') && k.vcpus === s.vcpus && k.memoryMiB === s.memoryMiB;
  });
}

const ignore = () => undefined;

async function syncRegion(
  db: Db,
  adapter: ProviderAdapter,
  account: ProviderAccount,
  region: string,
  run: { lookups: Lookups; seenAt: Date; listingXid: string; progress: SyncProgress; listed: { count: number } },
): Promise<RegionCounts> {
  const counts: RegionCounts = { region, discovered: 0, created: 0, updated: 0, removed: 0, unmanaged: 0, drifted: 0 };
  const seen: string[] = [];
  const list = (pageToken?: string) => {
    const page = adapter.listVms(region, { pageToken, pageSize: SYNC_PAGE_SIZE });
    page.catch(ignore); // awaited below; a rejection while a batch is being written must not go unhandled
    return page;
  };
  let next: Promise<ListVmsPage> | null = list();
  // The size table (vCPU/RAM the listing may lack) is only needed by the first write: fetched
  // while the first page is listed.
  const sizes = sizeTable(db, adapter, account, region);
  sizes.catch(ignore);
  const write = async (batch: ObservedVm[]) => {
    const context: BatchContext = { lookups: run.lookups, sizes: await sizes, seenAt: run.seenAt, listingXid: run.listingXid };
    const written = await writeBatch(db, account, batch, context);
    counts.created += written.created;
    counts.updated += written.updated;
    counts.unmanaged += written.unmanaged;
    counts.drifted += written.drifted;
    await run.progress.listed(region, counts.discovered);
  };

  let writing: Promise<void> | null = null;
  let buffer: ObservedVm[] = [];
  let pages = 0;
  try {
    while (next) {
      const page: ListVmsPage = await next;
      pages += 1;
      // Ask for the next page before writing this one: the provider and the database work at once.
      next = page.nextPageToken && pages < MAX_PAGES_PER_REGION ? list(page.nextPageToken) : null;
      for (const vm of page.vms) seen.push(vm.providerId);
      counts.discovered += page.vms.length;
      run.listed.count = counts.discovered;
      buffer.push(...page.vms);
      if (buffer.length >= SYNC_PAGE_SIZE || !next) {
        if (writing) await writing; // one batch written at a time: memory stays bounded
        const batch = buffer;
        buffer = [];
        writing = batch.length ? write(batch) : null;
        writing?.catch(ignore);
      }
    }
    if (writing) await writing;
    else await sizes; // an empty region still records its instance types (and their errors)
  } finally {
    // On a failure, let what is in flight settle before the caller records the region's error.
    await Promise.all([writing?.catch(ignore), next?.catch(ignore), sizes.catch(ignore)]);
  }

  // Rows of this region the full listing did not return vanished. Rows first seen after this sync
  // started belong to a newer, overlapping sync and are left alone, and so are rows observed after
  // the listing began (the same guard as the batch writes).
  const startedAt = run.seenAt.toISOString();
  counts.removed = await db.$executeRaw`
    UPDATE "Vm" SET "state" = 'deleted', "deletedAt" = now()::timestamp(3), "updatedAt" = now()::timestamp(3), "observedXid" = ${run.listingXid}::bigint
    WHERE "providerAccountId" = ${account.id} AND "regionCode" = ${region} AND "deletedAt" IS NULL
      AND "firstSeenAt" < ${startedAt}::timestamp(3) AND "observedXid" < ${run.listingXid}::bigint AND NOT ("providerId" = ANY(${seen}::text[]))`;
  return counts;
}
