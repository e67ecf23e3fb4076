// One batch of listed VMs into the VM table (used by sync.ts). Per batch (≥ 500 VMs, several
// provider pages when a provider pages smaller): ONE read of the batch's existing rows — whether
// their provider-observed columns and tags still equal the listing (compared in SQL), ownership and
// drift columns, and Skyport's jobs only for managed or tagged VMs — then, only for the rows that
// are new or differ, ONE multi-row INSERT … ON CONFLICT. Unchanged VMs cost no write at all
// (every rewrite touches ~27 indexes, 5 of them GIN); a batch of unchanged VMs is a single SELECT.
import { createHash } from 'node:crypto';
import type { ProviderAccount } from '@/generated/prisma/client';
import type { JobKind, VmState } from '@/generated/prisma/enums';
import { displayNameOf, type ObservedVm, type ProviderSize } from '@/providers/types';
import type { Db } from '../db/client';
import { detectDrift, POWER_JOB_KINDS } from '../inventory/drift';

export interface Lookups {
  projects: Map<string, string>;
  users: Map<string, string>;
}

export interface BatchContext {
  lookups: Lookups;
  sizes: Map<string, ProviderSize>;
  /** When the region's listing began: the timestamps written (and the older, wall-clock guard). */
  seenAt: Date;
  /** listingXid() taken before the region's first page was asked for: the stale-write guard. */
  listingXid: string;
}

/*
 * The stale-write guard. A listing is a snapshot from some instant after it was asked for; a
 * day-2 action (lib/vms/run-action.ts) or a tag write (claim, re-apply) may record a newer
 * observation of the same VM while the listing is in flight or its batch is being written, and the
 * listing must not overwrite it (a stop that succeeded would show "running" again until the next
 * sync). Vm.updatedAt alone cannot decide that: it is a wall-clock reading taken by the writing
 * process (Prisma stamps it in JavaScript), compared with the listing start read by the syncing
 * process; a sync whose clock reads ahead of the writer's by δ (another worker host, a clock step,
 * or the same millisecond with `<=`) writes its stale listing over every observation recorded
 * within δ after the listing began (sync-race.test.ts shows it). So both sides also read ONE
 * monotonic counter, PostgreSQL's transaction ids: every observer stamps the row with its own
 * transaction's id (markObserved; assigned at that transaction's first write, after it observed),
 * the sync takes an id before it lists (listingXid) and writes only rows stamped before that id —
 * an earlier id belongs to an observation made before the listing was asked for, which the
 * listing therefore already reflects. What the sync writes is stamped with its listing id (not its
 * own, later one), so overlapping syncs are ordered by when they listed. updatedAt is compared as
 * well, so writers that do not stamp (the provisioning task's upsert) keep the protection they had.
 */

/** An id from the database's transaction counter, taken before a listing is asked for. */
export async function listingXid(db: Db): Promise<string> {
  const [row] = await db.$queryRaw<{ xid: string }[]>`SELECT pg_current_xact_id()::text AS xid`;
  return row!.xid;
}

/**
 * Stamps a VM row as observed by the calling transaction (after writing what the provider
 * reported): a sync whose listing began before this transaction then leaves the row alone.
 */
export async function markObserved(tx: Pick<Db, '$executeRaw'>, vmId: string): Promise<void> {
  await tx.$executeRaw`UPDATE "Vm" SET "observedXid" = pg_current_xact_id()::text::bigint WHERE "id" = ${vmId}`;
}

export interface BatchCounts {
  created: number;
  updated: number;
  unmanaged: number;
  drifted: number;
  /** Rows actually inserted or rewritten (new or changed). */
  written: number;
}

/** "Last seen" stays accurate to this even for VMs that never change (they are rewritten this rarely). */
const LAST_SEEN_REFRESH = '1 hour';

interface ExistingRow {
  /** 1-based position of the VM in the batch (cheaper to send back than a 150-character ARM id). */
  ord: number;
  managed: boolean;
  expectedSize: string | null;
  projectId: string | null;
  ownerId: string | null;
  drift: boolean;
  driftReasons: string[];
  /** The stored provider-observed columns equal the listing's (compared in SQL, see observedHash). */
  observedSame: boolean;
  tagsSame: boolean;
  notDeleted: boolean;
  /** Written after this listing began (e.g. a day-2 action): the sync must not overwrite it. */
  newerThanListing: boolean;
  lastSeenStale: boolean;
  lastPowerJob: JobKind | null;
  jobInFlight: boolean | null;
  /** Size of the VM's last succeeded Skyport resize, which becomes the size Skyport expects. */
  resizedTo: string | null;
}

/**
 * md5 of the provider-observed columns in exactly the text PostgreSQL's json_build_array(…)::text
 * gives for the stored row (JSON values joined by ", "), so one SQL comparison per row tells
 * whether they changed and the read returns a boolean instead of every column. A mismatch in
 * formatting could only cost a needless rewrite, never hide a change.
 */
function observedHash(row: DesiredRow): string {
  const values = [
    row.name, row.regionCode, row.zone, row.size, row.vcpus, row.memoryMiB, row.imageId, row.state, row.providerState,
    row.privateIp, row.publicIp, row.providerCreatedAt ? row.providerCreatedAt.getTime() : null, row.createdBySkyport,
  ];
  return createHash('md5').update(`[${values.map((v) => JSON.stringify(v)).join(', ')}]`).digest('hex');
}

async function existingRows(db: Db, accountId: string, rows: DesiredRow[], seenAt: string, xid: string): Promise<Map<string, ExistingRow>> {
  const providerIds = rows.map((r) => r.providerId);
  const hashes = rows.map(observedHash);
  const tags = rows.map((r) => JSON.stringify(r.tags));
  // Skyport's tags on the VM now: drift can apply even to a row that is not managed yet.
  const tagged = rows.filter((r) => r.createdBySkyport).map((r) => r.providerId);
  // Job lookups only where drift can apply (managed rows, or rows whose VM carries Skyport tags
  // now); for unmanaged VMs the CASE never runs the subqueries.
  const found = await db.$queryRaw<ExistingRow[]>`
    SELECT p."ord"::int AS "ord", v."managed", v."expectedSize", v."projectId", v."ownerId", v."drift", v."driftReasons",
      md5(json_build_array(v."name", v."regionCode", v."zone", v."size", v."vcpus", v."memoryMiB", v."imageId", v."state", v."providerState",
        v."privateIp", v."publicIp", (extract(epoch FROM v."providerCreatedAt") * 1000)::bigint, v."createdBySkyport")::text) = p."hash" AS "observedSame",
      v."tags" = p."tags"::jsonb AS "tagsSame",
      v."deletedAt" IS NULL AS "notDeleted",
      (v."observedXid" >= ${xid}::bigint OR v."updatedAt" > ${seenAt}::timestamp(3)) AS "newerThanListing",
      v."lastSeenAt" < ${seenAt}::timestamp(3) - ${LAST_SEEN_REFRESH}::interval AS "lastSeenStale",
      CASE WHEN v."managed" OR v."providerId" = ANY(${tagged}::text[]) THEN (SELECT j."kind" FROM "ProvisioningJob" j
        WHERE j."vmId" = v."id" AND j."status" = 'succeeded' AND j."kind"::text = ANY(${POWER_JOB_KINDS}::text[])
        ORDER BY j."finishedAt" DESC NULLS LAST, j."createdAt" DESC LIMIT 1) END AS "lastPowerJob",
      CASE WHEN v."managed" OR v."providerId" = ANY(${tagged}::text[]) THEN
        EXISTS (SELECT 1 FROM "ProvisioningJob" j WHERE j."vmId" = v."id" AND j."status" IN ('queued', 'running')) END AS "jobInFlight",
      CASE WHEN v."managed" OR v."providerId" = ANY(${tagged}::text[]) THEN (SELECT j."payload"->>'size' FROM "ProvisioningJob" j
        WHERE j."vmId" = v."id" AND j."status" = 'succeeded' AND j."kind" = 'resize_vm'
        ORDER BY j."finishedAt" DESC NULLS LAST, j."createdAt" DESC LIMIT 1) END AS "resizedTo"
    FROM unnest(${providerIds}::text[], ${hashes}::text[], ${tags}::text[]) WITH ORDINALITY AS p("providerId", "hash", "tags", "ord")
    -- One unique-index probe per listed VM. The account id goes in as an InitPlan parameter on
    -- purpose: compared with a literal, an account the statistics do not know yet (any first
    -- sync) looks like one row, and the planner then walks (providerAccountId, id) — every row of
    -- the account — once per listed VM (≈ 1 s per batch at 10,000 VMs instead of ≈ 1 ms).
    CROSS JOIN LATERAL (SELECT * FROM "Vm" w WHERE w."providerAccountId" = (SELECT ${accountId}::text) AND w."providerId" = p."providerId" LIMIT 1) v`;
  return new Map(found.map((r) => [providerIds[r.ord - 1]!, r]));
}

/** What the sync wants a VM's row to say. */
interface DesiredRow {
  providerId: string;
  name: string;
  regionCode: string;
  zone: string | null;
  size: string;
  vcpus: number | null;
  memoryMiB: number | null;
  imageId: string | null;
  state: VmState;
  providerState: string;
  tags: Record<string, string>;
  privateIp: string | null;
  publicIp: string | null;
  providerCreatedAt: Date | null;
  createdBySkyport: boolean;
  managed: boolean;
  projectId: string | null;
  ownerId: string | null;
  expectedSize: string | null;
  drift: boolean;
  driftReasons: string[];
}

/** The provider-observed part of a row (independent of what the row said before). */
function observedRow(vm: ObservedVm, sizes: Map<string, ProviderSize>): DesiredRow {
  const size = sizes.get(vm.size);
  return {
    providerId: vm.providerId,
    name: displayNameOf(vm),
    regionCode: vm.region,
    zone: vm.zone ?? null,
    size: vm.size,
    vcpus: vm.vcpus ?? size?.vcpus ?? null,
    memoryMiB: vm.memoryMiB ?? size?.memoryMiB ?? null,
    imageId: vm.imageId ?? null,
    state: vm.state,
    providerState: vm.providerState,
    tags: vm.tags,
    privateIp: vm.privateIp ?? null,
    publicIp: vm.publicIp ?? null,
    providerCreatedAt: vm.createdAt ?? null,
    createdBySkyport: vm.skyport !== null,
    managed: false,
    projectId: null,
    ownerId: null,
    expectedSize: null,
    drift: false,
    driftReasons: [],
  };
}

/** Ownership, expected size and drift, from the VM's tags and what its row said before. */
function withOwnershipAndDrift(row: DesiredRow, vm: ObservedVm, before: ExistingRow | undefined, lookups: Lookups): DesiredRow {
  const hasTags = vm.skyport !== null;
  const managed = hasTags || (before?.managed ?? false);
  // The first sighting of a managed VM fixes the size Skyport expects (resizes through Skyport update it).
  const knownSize = before?.resizedTo ?? before?.expectedSize ?? null;
  const reasons = detectDrift({
    wasManaged: before?.managed ?? false,
    hasSkyportTags: hasTags,
    observedSize: vm.size,
    observedState: vm.state,
    expectedSize: knownSize,
    lastPowerJob: before?.lastPowerJob ?? null,
    jobInFlight: before?.jobInFlight ?? false,
  });
  return {
    ...row,
    managed,
    // Tags name the owner and project; a tag naming nobody we know keeps what the row had (e.g. a claim).
    projectId: (vm.skyport && lookups.projects.get(vm.skyport.project)) ?? before?.projectId ?? null,
    ownerId: (vm.skyport && lookups.users.get(vm.skyport.owner.toLowerCase())) ?? before?.ownerId ?? null,
    expectedSize: managed ? (knownSize ?? vm.size) : null,
    drift: reasons.length > 0,
    driftReasons: reasons,
  };
}

/** The same columns the upsert's IS DISTINCT FROM guard compares, so skipping here never hides a change. */
function rowUnchanged(before: ExistingRow, row: DesiredRow): boolean {
  return (
    !before.lastSeenStale &&
    before.observedSame &&
    before.tagsSame &&
    before.managed === row.managed &&
    before.projectId === row.projectId &&
    before.ownerId === row.ownerId &&
    before.expectedSize === row.expectedSize &&
    before.drift === row.drift &&
    before.driftReasons.join(',') === row.driftReasons.join(',') &&
    before.notDeleted === (row.state !== 'deleted')
  );
}

export async function writeBatch(db: Db, account: ProviderAccount, vms: ObservedVm[], context: BatchContext): Promise<BatchCounts> {
  // A provider may list a VM twice across a page boundary; ON CONFLICT cannot touch a row twice per statement.
  const unique = [...new Map(vms.map((vm) => [vm.providerId, vm])).values()];
  // Timestamps travel as UTC ISO text cast to timestamp(3): the columns are "without time zone" in UTC.
  const seenAt = context.seenAt.toISOString();
  const observed = unique.map((vm) => observedRow(vm, context.sizes));
  const existing = await existingRows(db, account.id, observed, seenAt, context.listingXid);
  const toWrite: DesiredRow[] = [];
  let unmanaged = 0;
  let drifted = 0;
  unique.forEach((vm, i) => {
    const before = existing.get(vm.providerId);
    const row = withOwnershipAndDrift(observed[i]!, vm, before, context.lookups);
    if (!row.managed) unmanaged += 1;
    if (row.drift) drifted += 1;
    // Rows written after the listing began are left to the next sync (the upsert's guard says the same).
    if (!before || (!before.newerThanListing && !rowUnchanged(before, row))) toWrite.push(row);
  });
  if (toWrite.length) await upsertRows(db, account, toWrite, seenAt, context.listingXid);
  // "updated" = seen again (whether or not anything changed), as the sync API has always counted.
  return { created: unique.length - existing.size, updated: existing.size, unmanaged, drifted, written: toWrite.length };
}

async function upsertRows(db: Db, account: ProviderAccount, rows: DesiredRow[], seenAt: string, xid: string): Promise<void> {
  const col = <K extends keyof DesiredRow>(key: K) => rows.map((r) => r[key]);
  const tags = rows.map((r) => JSON.stringify(r.tags));
  const createdAt = rows.map((r) => (r.providerCreatedAt ? r.providerCreatedAt.toISOString() : null));
  // text[][] cannot be ragged, so reasons travel comma-joined and are split in SQL.
  const reasons = rows.map((r) => r.driftReasons.join(','));
  const insert = db.$executeRaw`
    INSERT INTO "Vm" AS v (
      "id", "providerAccountId", "providerKind", "providerId", "name", "regionCode", "zone", "size", "vcpus", "memoryMiB", "imageId",
      "state", "providerState", "tags", "privateIp", "publicIp", "providerCreatedAt", "createdBySkyport", "managed", "projectId", "ownerId",
      "expectedSize", "drift", "driftReasons", "driftDetectedAt", "firstSeenAt", "lastSeenAt", "deletedAt", "createdAt", "updatedAt", "observedXid")
    SELECT
      'vm' || replace(gen_random_uuid()::text, '-', ''), ${account.id}, ${account.kind}::"ProviderKind", r."providerId", r."name", r."regionCode", r."zone", r."size",
      r."vcpus", r."memoryMiB", r."imageId", r."state"::"VmState", r."providerState", r."tags"::jsonb, r."privateIp", r."publicIp",
      r."providerCreatedAt"::timestamp(3), r."createdBySkyport", r."managed", r."projectId", r."ownerId", r."expectedSize", r."drift",
      CASE WHEN r."driftReasons" = '' THEN ARRAY[]::text[] ELSE string_to_array(r."driftReasons", ',') END,
      CASE WHEN r."drift" THEN ${seenAt}::timestamp(3) ELSE NULL END, ${seenAt}::timestamp(3), ${seenAt}::timestamp(3),
      CASE WHEN r."state" = 'deleted' THEN ${seenAt}::timestamp(3) ELSE NULL END, ${seenAt}::timestamp(3), ${seenAt}::timestamp(3), ${xid}::bigint
    FROM unnest(
      ${col('providerId')}::text[], ${col('name')}::text[], ${col('regionCode')}::text[], ${col('zone')}::text[], ${col('size')}::text[],
      ${col('vcpus')}::int[], ${col('memoryMiB')}::int[], ${col('imageId')}::text[], ${col('state')}::text[], ${col('providerState')}::text[],
      ${tags}::text[], ${col('privateIp')}::text[], ${col('publicIp')}::text[], ${createdAt}::text[],
      ${col('createdBySkyport')}::boolean[], ${col('managed')}::boolean[], ${col('projectId')}::text[], ${col('ownerId')}::text[],
      ${col('expectedSize')}::text[], ${col('drift')}::boolean[], ${reasons}::text[]
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
      "updatedAt" = EXCLUDED."updatedAt", "observedXid" = EXCLUDED."observedXid"
    -- The batch was filtered to new and changed rows after its read; between that read and this
    -- write a day-2 action may record a newer observation: the guard (see listingXid above; the
    -- row as it is when this statement gets its lock, also when it waited for the action's
    -- commit) keeps the stale listing from overwriting it, and the comparison skips rows that
    -- turned out equal.
    WHERE v."observedXid" < ${xid}::bigint AND v."updatedAt" <= ${seenAt}::timestamp(3) AND ((v."name", v."regionCode", v."zone", v."size", v."vcpus", v."memoryMiB", v."imageId", v."state", v."providerState", v."tags",
           v."privateIp", v."publicIp", v."providerCreatedAt", v."createdBySkyport", v."managed", v."projectId", v."ownerId",
           v."expectedSize", v."drift", v."driftReasons", v."deletedAt" IS NULL)
      IS DISTINCT FROM
          (EXCLUDED."name", EXCLUDED."regionCode", EXCLUDED."zone", EXCLUDED."size", EXCLUDED."vcpus", EXCLUDED."memoryMiB", EXCLUDED."imageId",
           EXCLUDED."state", EXCLUDED."providerState", EXCLUDED."tags", EXCLUDED."privateIp", EXCLUDED."publicIp", EXCLUDED."providerCreatedAt",
           EXCLUDED."createdBySkyport", EXCLUDED."managed", EXCLUDED."projectId", EXCLUDED."ownerId", EXCLUDED."expectedSize", EXCLUDED."drift",
           EXCLUDED."driftReasons", EXCLUDED."state" <> 'deleted')
      OR v."lastSeenAt" < ${seenAt}::timestamp(3) - ${LAST_SEEN_REFRESH}::interval)`;
  // The sync is idempotent (the next run rewrites whatever a crash lost), so its commits need not
  // wait for the WAL flush: one fsync less per batch.
  await db.$transaction([db.$executeRaw`SET LOCAL synchronous_commit = off`, insert]);
}
