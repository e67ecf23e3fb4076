// Inventory discovery: list every VM of an account in each enabled region (all pages) into the
// VM table. Each page is written with ONE multi-row INSERT … ON CONFLICT (account, provider id)
// (plus one read of the page's existing rows and their Skyport jobs, for ownership and drift), so
// a sync costs a handful of queries per 500 VMs, never one per VM; unchanged VMs are not rewritten.
// VMs made outside Skyport are kept as "unmanaged"; VMs that vanished from a fully listed region are marked deleted (the row,
// its jobs and audit history stay). Status per account and per region goes to ProviderSyncStatus.
import { z } from 'zod';
import type { ProviderAccount } from '@/generated/prisma/client';
import type { JobKind, VmState } from '@/generated/prisma/enums';
import { isProviderError } from '@/providers/errors';
import type { ObservedVm, ProviderAdapter, ProviderSize } from '@/providers/types';
import { recordAudit, type AuditContext } from '../audit/record';
import type { Db } from '../db/client';
import { upsertInstanceTypes } from '../catalog/instance-types';
import { NotFoundError, ValidationError } from '../errors';
import { detectDrift, POWER_JOB_KINDS } from '../inventory/drift';
import { adapterForAccount } from './service';

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

/** The account as a whole in ProviderSyncStatus. */
export const ACCOUNT_STATUS_REGION = '*';
export const SYNC_PAGE_SIZE = 500;
const MAX_PAGES_PER_REGION = 10_000;

interface Lookups {
  projects: Map<string, string>;
  users: Map<string, string>;
}

interface RegionCounts extends RegionSyncResult {
  unmanaged: number;
  drifted: number;
}

export async function syncProviderAccount(db: Db, accountId: string, audit: AuditContext): Promise<SyncResult> {
  const account = await db.providerAccount.findUnique({ where: { id: accountId }, include: { regions: true } });
  if (!account) throw new NotFoundError('Provider account');
  const regions = account.regions.filter((r) => r.enabled).map((r) => r.code).sort();
  if (!regions.length) {
    throw new ValidationError([{ field: 'enabledRegions', message: 'Enable at least one region before syncing.' }], 'No enabled regions.');
  }
  const started = new Date();
  await markStarted(db, account.id, ACCOUNT_STATUS_REGION, started);
  let adapter: ProviderAdapter | null = null;
  try {
    adapter = adapterForAccount(account).adapter;
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
    await adapter?.close?.();
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
  const results: RegionCounts[] = [];
  let failure: unknown = null;
  for (const region of regions) {
    const started = new Date();
    await markStarted(db, account.id, region, started);
    try {
      const counts = await syncRegion(db, adapter, account, region, lookups, started);
      await finishStatus(db, account.id, region, started, { ...counts, error: null });
      results.push(counts);
    } catch (error) {
      await finishStatus(db, account.id, region, started, { error: error instanceof Error ? error.message : String(error) });
      failure ??= error;
    }
  }
  return { results, failure };
}

async function sizeTable(db: Db, adapter: ProviderAdapter, account: ProviderAccount, region: string): Promise<Map<string, ProviderSize>> {
  try {
    const sizes = await adapter.listSizes(region);
    // The catalog's instance-type table (contract 6): once per region per sync.
    await upsertInstanceTypes(db, account.kind, region, sizes);
    return new Map(sizes.flatMap((s) => [[s.id, s] as const, [s.name, s] as const]));
  } catch (error) {
    // Sizes only fill in vCPU/RAM the listing lacks; the VM listing itself must not fail for them.
    if (isProviderError(error)) return new Map();
    throw error;
  }
}

async function syncRegion(db: Db, adapter: ProviderAdapter, account: ProviderAccount, region: string, lookups: Lookups, seenAt: Date): Promise<RegionCounts> {
  const counts: RegionCounts = { region, discovered: 0, created: 0, updated: 0, removed: 0, unmanaged: 0, drifted: 0 };
  const sizes = await sizeTable(db, adapter, account, region);
  let pageToken: string | undefined;
  let pages = 0;
  const seen: string[] = [];
  do {
    const page = await adapter.listVms(region, { pageToken, pageSize: SYNC_PAGE_SIZE });
    pages += 1;
    for (const vm of page.vms) seen.push(vm.providerId);
    if (page.vms.length) {
      const written = await upsertPage(db, account, page.vms, { lookups, sizes, seenAt });
      counts.created += written.created;
      counts.updated += written.updated;
      counts.unmanaged += written.unmanaged;
      counts.drifted += written.drifted;
      counts.discovered += page.vms.length;
    }
    pageToken = page.nextPageToken;
  } while (pageToken && pages < MAX_PAGES_PER_REGION);

  // Rows of this region the full listing did not return vanished. Rows first seen after this sync
  // started belong to a newer, overlapping sync and are left alone.
  const startedAt = seenAt.toISOString();
  counts.removed = await db.$executeRaw`
    UPDATE "Vm" SET "state" = 'deleted', "deletedAt" = now()::timestamp(3), "updatedAt" = now()::timestamp(3)
    WHERE "providerAccountId" = ${account.id} AND "regionCode" = ${region} AND "deletedAt" IS NULL
      AND "firstSeenAt" < ${startedAt}::timestamp(3) AND NOT ("providerId" = ANY(${seen}::text[]))`;
  return counts;
}

interface ExistingRow {
  providerId: string;
  id: string;
  managed: boolean;
  expectedSize: string | null;
  projectId: string | null;
  ownerId: string | null;
  lastPowerJob: JobKind | null;
  jobInFlight: boolean;
  /** Size of the VM's last succeeded Skyport resize, which becomes the size Skyport expects. */
  resizedTo: string | null;
}

async function existingRows(db: Db, accountId: string, providerIds: string[]): Promise<Map<string, ExistingRow>> {
  const rows = await db.$queryRaw<ExistingRow[]>`
    SELECT v."providerId", v."id", v."managed", v."expectedSize", v."projectId", v."ownerId",
      (SELECT j."kind" FROM "ProvisioningJob" j
        WHERE j."vmId" = v."id" AND j."status" = 'succeeded' AND j."kind"::text = ANY(${POWER_JOB_KINDS}::text[])
        ORDER BY j."finishedAt" DESC NULLS LAST, j."createdAt" DESC LIMIT 1) AS "lastPowerJob",
      EXISTS (SELECT 1 FROM "ProvisioningJob" j WHERE j."vmId" = v."id" AND j."status" IN ('queued', 'running')) AS "jobInFlight",
      (SELECT j."payload"->>'size' FROM "ProvisioningJob" j
        WHERE j."vmId" = v."id" AND j."status" = 'succeeded' AND j."kind" = 'resize_vm'
        ORDER BY j."finishedAt" DESC NULLS LAST, j."createdAt" DESC LIMIT 1) AS "resizedTo"
    FROM "Vm" v
    WHERE v."providerAccountId" = ${accountId} AND v."providerId" = ANY(${providerIds}::text[])`;
  return new Map(rows.map((r) => [r.providerId, r]));
}

/** Columns written per VM, as parallel arrays for one UNNEST-based INSERT. */
interface PageColumns {
  providerId: string[];
  name: string[];
  regionCode: string[];
  zone: (string | null)[];
  size: string[];
  vcpus: (number | null)[];
  memoryMiB: (number | null)[];
  imageId: (string | null)[];
  state: VmState[];
  providerState: string[];
  tags: string[];
  privateIp: (string | null)[];
  publicIp: (string | null)[];
  providerCreatedAt: (string | null)[];
  createdBySkyport: boolean[];
  managed: boolean[];
  projectId: (string | null)[];
  ownerId: (string | null)[];
  expectedSize: (string | null)[];
  drift: boolean[];
  driftReasons: string[];
}

async function upsertPage(
  db: Db,
  account: ProviderAccount,
  vms: ObservedVm[],
  context: { lookups: Lookups; sizes: Map<string, ProviderSize>; seenAt: Date },
): Promise<{ created: number; updated: number; unmanaged: number; drifted: number }> {
  // A provider may list a VM twice on one page boundary; ON CONFLICT cannot touch a row twice per statement.
  const unique = [...new Map(vms.map((vm) => [vm.providerId, vm])).values()];
  const existing = await existingRows(db, account.id, unique.map((vm) => vm.providerId));
  const cols: PageColumns = {
    providerId: [], name: [], regionCode: [], zone: [], size: [], vcpus: [], memoryMiB: [], imageId: [], state: [], providerState: [],
    tags: [], privateIp: [], publicIp: [], providerCreatedAt: [], createdBySkyport: [], managed: [], projectId: [], ownerId: [],
    expectedSize: [], drift: [], driftReasons: [],
  };
  let unmanaged = 0;
  let drifted = 0;
  for (const vm of unique) {
    const before = existing.get(vm.providerId);
    const hasTags = vm.skyport !== null;
    const managed = hasTags || (before?.managed ?? false);
    // The first sighting of a managed VM fixes the size Skyport expects (resizes through Skyport update it).
    const knownSize = before?.resizedTo ?? before?.expectedSize ?? null;
    const expectedSize = managed ? (knownSize ?? vm.size) : null;
    const reasons = detectDrift({
      wasManaged: before?.managed ?? false,
      hasSkyportTags: hasTags,
      observedSize: vm.size,
      observedState: vm.state,
      expectedSize: knownSize,
      lastPowerJob: before?.lastPowerJob ?? null,
      jobInFlight: before?.jobInFlight ?? false,
    });
    // Tags name the owner and project; a tag naming nobody we know keeps what the row had (e.g. a claim).
    const projectId = (vm.skyport && context.lookups.projects.get(vm.skyport.project)) ?? before?.projectId ?? null;
    const ownerId = (vm.skyport && context.lookups.users.get(vm.skyport.owner.toLowerCase())) ?? before?.ownerId ?? null;
    const size = context.sizes.get(vm.size);
    if (!managed) unmanaged += 1;
    if (reasons.length) drifted += 1;
    cols.providerId.push(vm.providerId);
    cols.name.push(vm.name);
    cols.regionCode.push(vm.region);
    cols.zone.push(vm.zone ?? null);
    cols.size.push(vm.size);
    cols.vcpus.push(vm.vcpus ?? size?.vcpus ?? null);
    cols.memoryMiB.push(vm.memoryMiB ?? size?.memoryMiB ?? null);
    cols.imageId.push(vm.imageId ?? null);
    cols.state.push(vm.state);
    cols.providerState.push(vm.providerState);
    cols.tags.push(JSON.stringify(vm.tags));
    cols.privateIp.push(vm.privateIp ?? null);
    cols.publicIp.push(vm.publicIp ?? null);
    cols.providerCreatedAt.push(vm.createdAt ? vm.createdAt.toISOString() : null);
    cols.createdBySkyport.push(hasTags);
    cols.managed.push(managed);
    cols.projectId.push(projectId);
    cols.ownerId.push(ownerId);
    cols.expectedSize.push(expectedSize);
    cols.drift.push(reasons.length > 0);
    // text[][] cannot be ragged, so reasons travel comma-joined and are split in SQL.
    cols.driftReasons.push(reasons.join(','));
  }
  // Timestamps travel as UTC ISO text cast to timestamp(3): the columns are "without time zone" in UTC.
  const seenAt = context.seenAt.toISOString();
  await db.$executeRaw`
    INSERT INTO "Vm" AS v (
      "id", "providerAccountId", "providerKind", "providerId", "name", "regionCode", "zone", "size", "vcpus", "memoryMiB", "imageId",
      "state", "providerState", "tags", "privateIp", "publicIp", "providerCreatedAt", "createdBySkyport", "managed", "projectId", "ownerId",
      "expectedSize", "drift", "driftReasons", "driftDetectedAt", "firstSeenAt", "lastSeenAt", "deletedAt", "createdAt", "updatedAt")
    SELECT
      'vm' || replace(gen_random_uuid()::text, '-', ''), ${account.id}, ${account.kind}::"ProviderKind", r."providerId", r."name", r."regionCode", r."zone", r."size",
      r."vcpus", r."memoryMiB", r."imageId", r."state"::"VmState", r."providerState", r."tags"::jsonb, r."privateIp", r."publicIp",
      r."providerCreatedAt"::timestamp(3), r."createdBySkyport", r."managed", r."projectId", r."ownerId", r."expectedSize", r."drift",
      CASE WHEN r."driftReasons" = '' THEN ARRAY[]::text[] ELSE string_to_array(r."driftReasons", ',') END,
      CASE WHEN r."drift" THEN ${seenAt}::timestamp(3) ELSE NULL END, ${seenAt}::timestamp(3), ${seenAt}::timestamp(3),
      CASE WHEN r."state" = 'deleted' THEN ${seenAt}::timestamp(3) ELSE NULL END, ${seenAt}::timestamp(3), ${seenAt}::timestamp(3)
    FROM unnest(
      ${cols.providerId}::text[], ${cols.name}::text[], ${cols.regionCode}::text[], ${cols.zone}::text[], ${cols.size}::text[],
      ${cols.vcpus}::int[], ${cols.memoryMiB}::int[], ${cols.imageId}::text[], ${cols.state}::text[], ${cols.providerState}::text[],
      ${cols.tags}::text[], ${cols.privateIp}::text[], ${cols.publicIp}::text[], ${cols.providerCreatedAt}::text[],
      ${cols.createdBySkyport}::boolean[], ${cols.managed}::boolean[], ${cols.projectId}::text[], ${cols.ownerId}::text[],
      ${cols.expectedSize}::text[], ${cols.drift}::boolean[], ${cols.driftReasons}::text[]
    ) AS r("providerId", "name", "regionCode", "zone", "size", "vcpus", "memoryMiB", "imageId", "state", "providerState", "tags",
           "privateIp", "publicIp", "providerCreatedAt", "createdBySkyport", "managed", "projectId", "ownerId", "expectedSize", "drift", "driftReasons")
    ON CONFLICT ("providerAccountId", "providerId") DO UPDATE SET
      "name" = EXCLUDED."name", "regionCode" = EXCLUDED."regionCode", "zone" = EXCLUDED."zone", "size" = EXCLUDED."size",
      "vcpus" = EXCLUDED."vcpus", "memoryMiB" = EXCLUDED."memoryMiB", "imageId" = EXCLUDED."imageId", "state" = EXCLUDED."state",
      "providerState" = EXCLUDED."providerState", "tags" = EXCLUDED."tags", "privateIp" = EXCLUDED."privateIp", "publicIp" = EXCLUDED."publicIp",
      "providerCreatedAt" = EXCLUDED."providerCreatedAt", "createdBySkyport" = EXCLUDED."createdBySkyport", "managed" = EXCLUDED."managed",
      "projectId" = EXCLUDED."projectId", "ownerId" = EXCLUDED."ownerId", "expectedSize" = EXCLUDED."expectedSize",
      "drift" = EXCLUDED."drift", "driftReasons" = EXCLUDED."driftReasons",
      "driftDetectedAt" = CASE WHEN NOT EXCLUDED."drift" THEN NULL ELSE COALESCE(v."driftDetectedAt", EXCLUDED."driftDetectedAt") END,
      "lastSeenAt" = GREATEST(v."lastSeenAt", EXCLUDED."lastSeenAt"),
      "deletedAt" = CASE WHEN EXCLUDED."state" = 'deleted' THEN COALESCE(v."deletedAt", EXCLUDED."deletedAt") ELSE NULL END,
      "updatedAt" = EXCLUDED."updatedAt"
    -- A row changed after this listing began (a day-2 action recorded its new state) is newer
    -- than what the listing saw: leave it to the next sync rather than write stale state back.
    -- An unchanged VM is not rewritten (every rewrite touches ~25 indexes): only when something
    -- differs, or its lastSeenAt is over an hour old (so "last seen" stays accurate to the hour).
    WHERE v."updatedAt" <= ${seenAt}::timestamp(3) AND ((v."name", v."regionCode", v."zone", v."size", v."vcpus", v."memoryMiB", v."imageId", v."state", v."providerState", v."tags",
           v."privateIp", v."publicIp", v."providerCreatedAt", v."createdBySkyport", v."managed", v."projectId", v."ownerId",
           v."expectedSize", v."drift", v."driftReasons", v."deletedAt" IS NULL)
      IS DISTINCT FROM
          (EXCLUDED."name", EXCLUDED."regionCode", EXCLUDED."zone", EXCLUDED."size", EXCLUDED."vcpus", EXCLUDED."memoryMiB", EXCLUDED."imageId",
           EXCLUDED."state", EXCLUDED."providerState", EXCLUDED."tags", EXCLUDED."privateIp", EXCLUDED."publicIp", EXCLUDED."providerCreatedAt",
           EXCLUDED."createdBySkyport", EXCLUDED."managed", EXCLUDED."projectId", EXCLUDED."ownerId", EXCLUDED."expectedSize", EXCLUDED."drift",
           EXCLUDED."driftReasons", EXCLUDED."state" <> 'deleted')
      OR v."lastSeenAt" < ${seenAt}::timestamp(3) - interval '1 hour')`;
  // "updated" = seen again (whether or not anything changed), as the sync API has always counted.
  return { created: unique.length - existing.size, updated: existing.size, unmanaged, drifted };
}

async function markStarted(db: Db, accountId: string, regionCode: string, at: Date) {
  await db.providerSyncStatus.upsert({
    where: { providerAccountId_regionCode: { providerAccountId: accountId, regionCode } },
    create: { providerAccountId: accountId, regionCode, running: true, lastStartedAt: at },
    update: { running: true, lastStartedAt: at },
  });
}

type StatusWriter = Pick<Db, 'providerSyncStatus'>;

async function finishStatus(
  db: StatusWriter,
  accountId: string,
  regionCode: string,
  started: Date,
  outcome: { error: string | null; discovered?: number; created?: number; updated?: number; removed?: number; unmanaged?: number; drifted?: number },
) {
  const now = new Date();
  const { error } = outcome;
  const counts = {
    discovered: outcome.discovered, created: outcome.created, updated: outcome.updated,
    removed: outcome.removed, unmanaged: outcome.unmanaged, drifted: outcome.drifted,
  };
  const data = error
    ? { running: false, lastFinishedAt: now, lastErrorAt: now, lastError: error.slice(0, 2000), durationMs: now.getTime() - started.getTime() }
    : { running: false, lastFinishedAt: now, lastSuccessAt: now, lastError: null, durationMs: now.getTime() - started.getTime(), ...counts };
  await db.providerSyncStatus.upsert({
    where: { providerAccountId_regionCode: { providerAccountId: accountId, regionCode } },
    create: { providerAccountId: accountId, regionCode, ...data },
    update: data,
  });
}

/** Sync status of an account: the account row ("*") first, then one row per region. */
export async function syncStatuses(db: Db, accountId: string) {
  const rows = await db.providerSyncStatus.findMany({ where: { providerAccountId: accountId }, orderBy: { regionCode: 'asc' } });
  return rows.sort((a, b) => Number(b.regionCode === ACCOUNT_STATUS_REGION) - Number(a.regionCode === ACCOUNT_STATUS_REGION));
}
