// The provisioning task: Crossplane's reconcile loop for one VM of one request item.
//   observe(key) → create only if absent → wait until running → record the Vm and link it.
// Every step is idempotent (the adapter binds the key to the provider's idempotency mechanism and
// the Vm row is upserted by account + provider id), so a job killed at any point and run again
// converges on the same single VM.
import diagnostics from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';
import { Prisma } from '@/generated/prisma/client';
import type { RequestItemStatus, RequestStatus } from '@/generated/prisma/enums';
import { ProviderError } from '@/providers/errors';
import { displayNameOf, SKYPORT_NAME_TAG, type AdapterRuntimeOptions, type ObservedVm, type ProviderAdapter, type ProviderKind, type SkyportTags } from '@/providers/types';
import { auditContext, type AuditContext } from '../audit/record';
import type { Db } from '../db/client';
import { jobAdapters, type AdapterCache, type AdapterLease } from '../jobs/adapter-cache';
import { jobBackoffBaseMs, WORKER_ACTOR } from '../jobs/context';
import { enqueueJob } from '../jobs/queue';
import type { Tx } from '../jobs/types';
import { appendTimeline } from '../requests/timeline';
import { transitionItem, type TransitionEvent } from '../requests/state-machine';
import { Bookkeeping } from './bookkeeping';
import { prismaQuery, runScript, type Query, type WithConnection } from './sql';
import { WORKER_MAX_ATTEMPTS } from './handoff';
import { CREATE_VM_TASK, vmName, workerJobKey } from './keys';
import { backoffDelayMs, classifyFailure, withDeadline } from './retry';
import { resolveImageId } from './images';

export interface ProvisionOptions {
  db: Db;
  /** The connection the claim and the record run on (the worker's pool: graphile's `withPgClient`). */
  withConnection: WithConnection;
  runtime?: AdapterRuntimeOptions;
  /** Where adapters come from; the worker process's shared cache by default. */
  adapters?: AdapterCache;
  workerId?: string;
  now?: () => Date;
  /** What the claim writes need, from the queue job's payload (see ClaimData); read from the database when absent. */
  claim?: ClaimData;
}

/** What the claim reads under the request lock: the job, its item, and the tags' owner/project. */
interface ClaimRow {
  jobStatus: string;
  attempts: number;
  maxAttempts: number;
  itemId: string;
  itemStatus: RequestItemStatus;
  name: string;
  quantity: number;
  regionCode: string;
  zone: string | null;
  size: string;
  image: string;
  leaseDays: number | null;
  vcpus: number;
  memoryMiB: number;
  diskGiB: number;
  providerAccountId: string;
  providerKind: ProviderKind;
  /** The account row's version (epoch ms): the shared adapter is rebuilt when the account was edited. */
  accountVersion: number;
  requesterId: string;
  projectId: string;
  requesterEmail: string;
  projectKey: string;
}

interface CreatePayload {
  requestId: string;
  itemId: string;
  index: number;
  vmKey: string;
}

/**
 * What the claim's writes need before anything is read: the job's payload and the item's name and
 * quantity (for the events' messages). None of it changes after approval, so the hand-off puts it
 * in the queue job's payload; a job without it (re-queued by an older path) reads it first.
 */
export interface ClaimData extends CreatePayload {
  name: string;
  quantity: number;
  /**
   * Where the VM lives (set by the hand-off; neither changes after approval): with them the first
   * observe — a read — starts while the claim is in flight, on the account's adapter if this worker
   * already holds one. Absent in jobs queued by older paths: the observe then waits for the claim.
   */
  providerAccountId?: string;
  regionCode?: string;
}

/**
 * Per-VM phase times ({ phase: 'claim' | 'provider' | 'record', ms }) for the provisioning benchmark,
 * which subscribes; without a subscriber nothing is measured or sent.
 */
export const phaseChannel = diagnostics.channel('skyport:provisioning:phase');
const phaseClock = () => (phaseChannel.hasSubscribers ? performance.now() : 0);
function phaseDone(phase: 'claim' | 'provider' | 'record', started: number): void {
  if (phaseChannel.hasSubscribers && started) phaseChannel.publish({ phase, ms: performance.now() - started });
}

function lockRequestSql(requestId: string): Prisma.Sql {
  return Prisma.sql`SELECT status::text AS status, number FROM "Request" WHERE id = ${requestId} FOR UPDATE`;
}

/** Runs one execution of a create_vm ProvisioningJob. Returns what happened, for logs and tests. */
export async function runCreateVmJob(provisioningJobId: string, options: ProvisionOptions): Promise<'created' | 'retry' | 'failed' | 'skipped'> {
  // The account's shared adapter, held from the claim (while which the first observe starts) to the end.
  const held: Held = {};
  try {
    return await createVm(provisioningJobId, options, held);
  } finally {
    held.lease?.release();
  }
}

interface Held {
  lease?: AdapterLease;
  firstObserve?: Promise<ObservedVm | null>;
}

/**
 * observe(key) started before the claim, when the payload says where the VM lives and this worker
 * already holds the account's adapter (no account read needed). It is only a read: its answer is
 * used only when the claim then succeeds on the same account version, region and account (create
 * still waits for the claim), and dropped otherwise.
 */
function observeEarly(data: ClaimData, options: ProvisionOptions): { lease: AdapterLease; version: number; observe: Promise<ObservedVm | null> } | null {
  if (!data.providerAccountId || !data.regionCode) return null;
  const lease = (options.adapters ?? jobAdapters).leaseCached(data.providerAccountId, options.runtime);
  if (!lease) return null;
  const region = data.regionCode;
  const observe = lease.adapter.then((adapter) => adapter.observe(data.vmKey, region));
  // Not awaited when the job is not claimed; a failure counts only when the job is (reconcile awaits it then).
  observe.catch(() => undefined);
  return { lease, version: lease.version, observe };
}

async function createVm(
  provisioningJobId: string,
  options: ProvisionOptions,
  held: Held,
): Promise<'created' | 'retry' | 'failed' | 'skipped'> {
  const { db } = options;
  const now = options.now ?? (() => new Date());
  const audit = auditContext(WORKER_ACTOR);
  const loadAccount = (id: string) => () => db.providerAccount.findUniqueOrThrow({ where: { id } });

  // 1. Claim: mark running, move the request/item into provisioning (serialized on the request row).
  // One round trip (lib/provisioning/sql.ts): BEGIN, the request row locked, the job with everything
  // the VM needs (read under that lock, so fresh), then one statement that decides in SQL — under
  // the same lock, with no client round trip while it is held — whether the job is claimed (still
  // live, request not cancelled; a cancelled request's job is marked cancelled instead) and which
  // moves apply (approved → provisioning, pending → provisioning, the first attempt's event), and
  // COMMIT. The writes are built before the read from `ClaimData`.
  const data = options.claim ?? (await readClaimData(options.withConnection, provisioningJobId));
  if (!data) return 'skipped';
  const early = observeEarly(data, options);
  if (early) held.lease = early.lease;
  const claimStarted = phaseClock();
  const claimed = await claimJob(provisioningJobId, data, options, audit, now());
  if (!claimed) return 'skipped';
  phaseDone('claim', claimStarted);
  const payload: CreatePayload = { requestId: data.requestId, itemId: data.itemId, index: data.index, vmKey: data.vmKey };
  const item = claimed.row;
  const job = { id: provisioningJobId, attempts: claimed.attempts, maxAttempts: item.maxAttempts };
  if (early && early.version === item.accountVersion && data.providerAccountId === item.providerAccountId && data.regionCode === item.regionCode) {
    held.firstObserve = early.observe;
  } else {
    // No early observe, or one on an adapter the account has since outgrown (edited): observe now,
    // on the current one. The worker's shared adapter for the account (lib/jobs/adapter-cache.ts):
    // no per-VM SDK client construction, login or token fetch; the row is loaded only when the
    // adapter is (re)built.
    held.lease?.release();
    held.lease = (options.adapters ?? jobAdapters).lease({ id: item.providerAccountId, updatedAt: new Date(item.accountVersion) }, loadAccount(item.providerAccountId), options.runtime);
    held.firstObserve = held.lease.adapter.then((adapter) => adapter.observe(payload.vmKey, item.regionCode));
    held.firstObserve.catch(() => undefined);
  }
  const tags: SkyportTags = {
    owner: item.requesterEmail,
    project: item.projectKey,
    request: payload.requestId,
    skyportId: payload.vmKey,
  };

  let observed: ObservedVm;
  const lease = held.lease!;
  const providerStarted = phaseClock();
  try {
    const timeoutMs = options.runtime?.operationTimeoutMs ?? 10 * 60_000;
    const adapter = await lease.adapter;
    observed = await withDeadline(
      reconcile(adapter, {
        key: payload.vmKey,
        region: item.regionCode,
        zone: item.zone ?? undefined,
        name: vmName(item.name, item.quantity, payload.index),
        size: item.size,
        image: item.image,
        accountId: item.providerAccountId,
        tags,
        pollIntervalMs: options.runtime?.pollIntervalMs ?? 1000,
        timeoutMs,
        firstObserve: held.firstObserve!,
      }),
      2 * timeoutMs,
      `Creating the VM`,
    );
  } catch (error) {
    lease.failed(error);
    return recordFailure(db, job.id, job.attempts, job.maxAttempts, data, error, audit, now);
  }

  // 3. Record the VM and link it; finish the item/request when this was the last VM. ONE round
  // trip: BEGIN, the request row locked (settling needs one view of the whole request: two last
  // VMs finishing at once must not both see the other still running), then one statement that
  // upserts the Vm, finishes the job and decides the settle in SQL (recordVmSql), COMMIT. The lock
  // is held only while PostgreSQL runs those statements, never across a client round trip.
  phaseDone('provider', providerStarted);
  const recordStarted = phaseClock();
  const statement = await recordVmSql(job.id, payload, item, observed, tags, audit, now());
  await options.withConnection((connection) =>
    runScript(connection, ['BEGIN', lockRequestSql(payload.requestId), statement, 'COMMIT']).catch(async (error: unknown) => {
      await connection.query('ROLLBACK').catch(() => undefined);
      throw error;
    }),
  );
  phaseDone('record', recordStarted);
  return 'created';
}

/**
 * The record step's one statement (see createVm). Rows known before the statement (the Vm's audit
 * row and `vm_created` event) are built by recordAudit / appendTimeline through Bookkeeping; the
 * settle — planSettle's rules — is decided by CTEs over the request as it is under the lock, this
 * job counted as succeeded:
 *   - an item in provisioning whose jobs (at least `quantity`) all succeeded → provisioned;
 *   - a request in provisioning with no live job and no pending item left (after those moves) →
 *     completed, or failed when an item is failed, its message naming the failed items in
 *     creation order;
 * with the events and audit rows transitionItem / transitionRequest write for those moves.
 * bookkeeping.test.ts checks it against planSettle's decisions applied with transitionItem /
 * transitionRequest. A job that already succeeded (the record ran before) writes nothing at all.
 */
export async function recordVmSql(
  jobId: string,
  payload: CreatePayload,
  item: Pick<ClaimRow, 'itemId' | 'providerAccountId' | 'providerKind' | 'vcpus' | 'memoryMiB' | 'diskGiB' | 'leaseDays' | 'requesterId' | 'projectId'>,
  observed: ObservedVm,
  tags: SkyportTags,
  audit: AuditContext,
  at: Date,
): Promise<Prisma.Sql> {
  const book = new Bookkeeping(audit, at);
  // The name Skyport gave the VM (its tag), not a provider name derived from the key.
  const name = displayNameOf(observed);
  await book.record({ action: 'vm.create', targetType: 'vm', targetId: null, after: { name, providerId: observed.providerId, requestItemId: item.itemId, tags } }, { vmRef: true });
  await book.timeline(
    {
      requestId: payload.requestId,
      itemId: item.itemId,
      type: 'vm_created',
      message: `${name} is ${observed.state} (${observed.providerId}).`,
      actorLabel: audit.actor.label,
      data: { index: payload.index, providerId: observed.providerId },
    },
    { vmRef: true },
  );
  const iso = at.toISOString();
  const requestId = payload.requestId;
  const leaseExpiresAt = item.leaseDays ? new Date(at.getTime() + item.leaseDays * 86_400_000).toISOString() : null;
  const result = JSON.stringify({ providerId: observed.providerId, state: observed.state });
  // A duplicate record (the job already succeeded) is a no-op: nothing upserted, moved or written.
  const gate = Prisma.sql`(SELECT j.status::text FROM "ProvisioningJob" j WHERE j.id = ${jobId}) IS DISTINCT FROM 'succeeded'`;
  // The writers' own bounds (appendTimeline: message 2000, actor label 320; recordAudit: none).
  const label = audit.actor.label.slice(0, 320);
  const before = Prisma.sql`
    bk_vm AS (
      INSERT INTO "Vm" AS v (
        "id", "providerAccountId", "providerKind", "providerId", "name", "regionCode", "zone", "size", "vcpus", "memoryMiB", "diskGiB",
        "imageId", "state", "providerState", "tags", "privateIp", "publicIp", "providerCreatedAt", "ownerId", "projectId", "requestItemId",
        "createdBySkyport", "managed", "idempotencyKey", "leaseExpiresAt", "firstSeenAt", "lastSeenAt", "deletedAt", "createdAt", "updatedAt",
        "observedXid")
      SELECT
        'vm' || replace(gen_random_uuid()::text, '-', ''), ${item.providerAccountId}, ${item.providerKind}::"ProviderKind", ${observed.providerId},
        ${name}, ${observed.region}, ${observed.zone ?? null}, ${observed.size}, ${observed.vcpus ?? item.vcpus}::int, ${observed.memoryMiB ?? item.memoryMiB}::int,
        ${item.diskGiB}::int, ${observed.imageId ?? null}, ${observed.state}::"VmState", ${observed.providerState}, ${JSON.stringify(observed.tags)}::jsonb,
        ${observed.privateIp ?? null}, ${observed.publicIp ?? null}, ${observed.createdAt?.toISOString() ?? null}::timestamp(3), ${item.requesterId},
        ${item.projectId}, ${item.itemId}, true, true, ${payload.vmKey}, ${leaseExpiresAt}::timestamp(3), ${iso}::timestamp(3),
        ${iso}::timestamp(3), NULL, ${iso}::timestamp(3), ${iso}::timestamp(3),
        -- What this run observed is newer than any inventory listing begun before it (sync-write.ts).
        pg_current_xact_id()::text::bigint
       WHERE ${gate}
      ON CONFLICT ("providerAccountId", "providerId") DO UPDATE SET
        "name" = EXCLUDED."name", "regionCode" = EXCLUDED."regionCode", "zone" = EXCLUDED."zone", "size" = EXCLUDED."size",
        "vcpus" = EXCLUDED."vcpus", "memoryMiB" = EXCLUDED."memoryMiB", "diskGiB" = EXCLUDED."diskGiB", "imageId" = EXCLUDED."imageId",
        "state" = EXCLUDED."state", "providerState" = EXCLUDED."providerState", "tags" = EXCLUDED."tags", "privateIp" = EXCLUDED."privateIp",
        "publicIp" = EXCLUDED."publicIp", "providerCreatedAt" = EXCLUDED."providerCreatedAt", "ownerId" = EXCLUDED."ownerId",
        "projectId" = EXCLUDED."projectId", "requestItemId" = EXCLUDED."requestItemId", "createdBySkyport" = true, "managed" = true,
        "idempotencyKey" = EXCLUDED."idempotencyKey", "lastSeenAt" = EXCLUDED."lastSeenAt", "deletedAt" = NULL, "updatedAt" = EXCLUDED."updatedAt",
        "observedXid" = EXCLUDED."observedXid",
        -- A lease already running (a re-run after a crash) is not restarted; a row found without
        -- one (e.g. inventory sync saw the VM before this run recorded it) gets this item's.
        "leaseExpiresAt" = COALESCE(v."leaseExpiresAt", EXCLUDED."leaseExpiresAt")
      RETURNING v.id),
    bk_job AS (
      UPDATE "ProvisioningJob" SET status = 'succeeded', "vmId" = (SELECT id FROM bk_vm), "finishedAt" = ${iso}::timestamp(3),
             "lockedBy" = NULL, "lockedAt" = NULL, "lastError" = NULL, result = ${result}::jsonb, "updatedAt" = ${iso}::timestamp(3)
       WHERE id = ${jobId} AND ${gate}
      RETURNING id),
    -- settleStateSql's aggregate: every CTE sees the rows as they were before this statement, so
    -- this job is counted as succeeded (and not live) by its id.
    st_items AS (
      SELECT i.id, i.name, i.quantity, i.status::text AS status, i."createdAt",
             count(j.id)::int AS jobs,
             (count(j.id) FILTER (WHERE j.status = 'succeeded' OR j.id = ${jobId}))::int AS succeeded,
             (count(j.id) FILTER (WHERE j.status IN ('queued', 'running') AND j.id <> ${jobId}))::int AS live
        FROM "RequestItem" i
        LEFT JOIN "ProvisioningJob" j ON j."requestItemId" = i.id AND j.kind = 'create_vm'
       WHERE i."requestId" = ${requestId} AND ${gate}
       GROUP BY i.id),
    st_moves AS (
      SELECT s.id, s.name, s.quantity, row_number() OVER (ORDER BY s."createdAt", s.id) AS n
        FROM st_items s WHERE s.status = 'provisioning' AND s.jobs >= s.quantity AND s.succeeded = s.jobs),
    st_after AS (
      SELECT s.id, s.name, s."createdAt", s.live, CASE WHEN m.id IS NULL THEN s.status ELSE 'provisioned' END AS status
        FROM st_items s LEFT JOIN st_moves m ON m.id = s.id),
    st_failed AS (
      SELECT count(*)::int AS n, string_agg(f.name, ', ' ORDER BY f."createdAt", f.id) AS names, jsonb_agg(f.id ORDER BY f."createdAt", f.id) AS ids
        FROM st_after f WHERE f.status = 'failed'),
    st_request AS (
      SELECT r.id, CASE WHEN f.n = 0 THEN 'completed' ELSE 'failed' END AS "to", f.n AS failed, (SELECT count(*)::int FROM st_after) AS items, f.names, f.ids
        FROM "Request" r CROSS JOIN st_failed f
       WHERE r.id = ${requestId} AND r.status = 'provisioning' AND ${gate}
         AND NOT EXISTS (SELECT 1 FROM st_after a WHERE a.live > 0 OR a.status = 'pending')),
    st_item_moved AS (
      UPDATE "RequestItem" i SET status = 'provisioned', "updatedAt" = ${iso}::timestamp(3)
        FROM st_moves m WHERE i.id = m.id AND i.status = 'provisioning'
      RETURNING i.id),
    st_request_moved AS (
      UPDATE "Request" r SET status = s."to"::"RequestStatus", "completedAt" = ${iso}::timestamp(3), "updatedAt" = ${iso}::timestamp(3)
        FROM st_request s WHERE r.id = s.id AND r.status = 'provisioning'
      RETURNING r.id)`;
  // The settle's rows, ordered after the book's own (ord 0, 1): items by creation, then the request.
  const events = Prisma.sql`
    SELECT 1000 + m.n AS ord, ${requestId}::text AS "requestId", m.id AS "itemId", 'item_provisioned' AS "type",
           left(m.name || ': ' || m.quantity || ' VM(s) running.', 2000) AS "message", ${label}::text AS "actorLabel", NULL::jsonb AS "data"
      FROM st_moves m
    UNION ALL
    SELECT 1000000, ${requestId}::text, NULL::text, s."to",
           CASE WHEN s."to" = 'completed' THEN 'Every VM is running.'
                ELSE left(s.failed || ' of ' || s.items || ' item(s) failed: ' || s.names || '. Completed items stay; retry the failed ones.', 2000) END,
           ${label}::text, CASE WHEN s."to" = 'failed' THEN jsonb_build_object('failedItemIds', s.ids) END
      FROM st_request s`;
  const actor = Prisma.sql`${audit.actor.type}::text AS "actorType", ${audit.actor.id ?? null}::text AS "actorId", ${audit.actor.label}::text AS "actorLabel"`;
  const context = Prisma.sql`${audit.requestId}::text AS "requestId", ${audit.ip ?? null}::text AS "ip"`;
  const audits = Prisma.sql`
    SELECT 1000 + m.n AS ord, ${actor}, 'request_item.provisioned' AS "action", 'request_item' AS "targetType", m.id AS "targetId",
           '{"status": "provisioning"}'::jsonb AS "before",
           jsonb_build_object('status', 'provisioned', 'requestId', ${requestId}::text, 'event', 'item_provisioned') AS "after", ${context}
      FROM st_moves m
    UNION ALL
    SELECT 1000000, ${actor}, 'request.' || s."to", 'request', ${requestId}::text, '{"status": "provisioning"}'::jsonb,
           jsonb_build_object('status', s."to", 'event', s."to")
             || CASE WHEN s."to" = 'failed' THEN jsonb_build_object('data', jsonb_build_object('failedItemIds', s.ids)) ELSE '{}'::jsonb END,
           ${context}
      FROM st_request s`;
  return book.statement({
    before,
    gate,
    vmId: Prisma.sql`(SELECT id FROM bk_vm)`,
    // Under the lock every decided move applies; a mismatch means the rows changed under it.
    required: Prisma.sql`EXISTS (SELECT 1 FROM bk_job)
      AND (SELECT count(*) FROM st_item_moved) = (SELECT count(*) FROM st_moves)
      AND (SELECT count(*) FROM st_request_moved) = (SELECT count(*) FROM st_request)`,
    extra: { events, audits },
  });
}

/** The queue job's payload for a create_vm ProvisioningJob (the claim data rides along, see ClaimData). */
export function createVmJobPayload(provisioningJobId: string, claim: ClaimData): { provisioningJobId: string; claim: ClaimData } {
  const { requestId, itemId, index, vmKey, name, quantity, providerAccountId, regionCode } = claim;
  const where = providerAccountId && regionCode ? { providerAccountId, regionCode } : {};
  return { provisioningJobId, claim: { requestId, itemId, index, vmKey, name, quantity, ...where } };
}

/** The claim data of a job queued without it (one read; nothing of it changes after approval). */
async function readClaimData(withConnection: WithConnection, provisioningJobId: string): Promise<ClaimData | null> {
  const [rows] = await withConnection((connection) =>
    runScript(connection, [
      Prisma.sql`
        SELECT j.payload, i.name, i.quantity, i."providerAccountId", i."regionCode" FROM "ProvisioningJob" j JOIN "RequestItem" i ON i.id = j."requestItemId"
         WHERE j.id = ${provisioningJobId} AND j.kind = 'create_vm'`,
    ]),
  );
  const row = (rows as { payload: CreatePayload; name: string; quantity: number; providerAccountId: string; regionCode: string }[])[0];
  return row ? { ...row.payload, name: row.name, quantity: row.quantity, providerAccountId: row.providerAccountId, regionCode: row.regionCode } : null;
}

/** The claim's one round trip (see createVm). Returns the job's row and its new attempt count, or null when not claimed. */
async function claimJob(
  provisioningJobId: string,
  data: ClaimData,
  options: ProvisionOptions,
  audit: AuditContext,
  at: Date,
): Promise<{ row: ClaimRow; attempts: number } | null> {
  const book = new Bookkeeping(audit, at);
  // Conditional moves (ifFrom): each applies only when the row is in `from` under the lock, as the
  // task used to decide after reading; their events and audit rows are written only when applied.
  await book.requestTransition(data.requestId, null, 'approved', 'provisioning', { type: 'provisioning_started', message: 'Provisioning started.' }, { ifFrom: true });
  await book.itemTransition(
    { id: data.itemId, requestId: data.requestId, name: data.name },
    'pending',
    'provisioning',
    { type: 'provisioning_started', message: `Provisioning ${data.quantity} VM(s) for ${data.name}.` },
    { ifFrom: true },
  );
  await book.timeline(
    {
      requestId: data.requestId,
      itemId: data.itemId,
      type: 'vm_creating',
      message: `Creating ${vmName(data.name, data.quantity, data.index)}.`,
      actorLabel: audit.actor.label,
      data: { index: data.index },
    },
    { when: 'first' },
  );
  const iso = at.toISOString();
  const requestStatus = Prisma.sql`(SELECT r.status::text FROM "Request" r WHERE r.id = ${data.requestId})`;
  const jobLive = Prisma.sql`EXISTS (SELECT 1 FROM "ProvisioningJob" j WHERE j.id = ${provisioningJobId} AND j.kind = 'create_vm' AND j.status IN ('queued', 'running'))`;
  // Every CTE of the statement sees the rows as they were when it started (after the lock): the
  // gate and the conditions read the job and the request before this statement's own updates. A
  // request that is gone claims nothing (and cancels nothing), as before.
  const gate = Prisma.sql`${jobLive} AND COALESCE(${requestStatus}, 'cancelled') <> 'cancelled'`;
  const before = Prisma.sql`
    bk_job AS (
      UPDATE "ProvisioningJob" SET status = 'running', attempts = attempts + 1, "lockedBy" = ${options.workerId ?? 'worker'},
             "lockedAt" = ${iso}::timestamp(3), "updatedAt" = ${iso}::timestamp(3)
       WHERE id = ${provisioningJobId} AND (${gate})
      RETURNING attempts),
    bk_cancel AS (
      UPDATE "ProvisioningJob" SET status = 'cancelled', "finishedAt" = ${iso}::timestamp(3), "updatedAt" = ${iso}::timestamp(3)
       WHERE id = ${provisioningJobId} AND ${jobLive} AND ${requestStatus} = 'cancelled'
      RETURNING 1)`;
  const statement = book.statement({
    before,
    gate,
    conditions: { first: Prisma.sql`(SELECT j.attempts FROM "ProvisioningJob" j WHERE j.id = ${provisioningJobId}) = 0` },
    select: Prisma.sql`(SELECT attempts FROM bk_job) AS claimed, (SELECT count(*) FROM bk_cancel)::int AS cancelled`,
  });
  const [, , rows, result] = await options.withConnection((connection) =>
    runScript(connection, [
      'BEGIN',
      Prisma.sql`SELECT r.status::text AS status FROM "Request" r WHERE r.id = ${data.requestId} FOR UPDATE`,
      Prisma.sql`
        SELECT j.status::text AS "jobStatus", j.attempts, j."maxAttempts",
               i.id AS "itemId", i.status::text AS "itemStatus", i.name, i.quantity, i."regionCode", i.zone, i.size, i.image,
               i."leaseDays", i.vcpus, i."memoryMiB", i."diskGiB", i."providerAccountId",
               pa.kind::text AS "providerKind", (extract(epoch FROM pa."updatedAt") * 1000)::float8 AS "accountVersion",
               r."requesterId", r."projectId", u.email AS "requesterEmail", p.key AS "projectKey"
          FROM "ProvisioningJob" j
          JOIN "RequestItem" i ON i.id = j."requestItemId"
          JOIN "ProviderAccount" pa ON pa.id = i."providerAccountId"
          JOIN "Request" r ON r.id = i."requestId"
          JOIN "User" u ON u.id = r."requesterId"
          JOIN "Project" p ON p.id = r."projectId"
         WHERE j.id = ${provisioningJobId}`,
      statement,
      'COMMIT',
    ]).catch(async (error: unknown) => {
      // A failed statement leaves the transaction aborted on this connection: end it before it goes back to the pool.
      await connection.query('ROLLBACK').catch(() => undefined);
      throw error;
    }),
  );
  const row = (rows as ClaimRow[])[0];
  const claimed = (result as { claimed: number | null }[])[0]?.claimed ?? null;
  if (!row || claimed === null) return null;
  return { row, attempts: claimed };
}

interface ReconcileInput {
  key: string;
  region: string;
  zone?: string;
  name: string;
  size: string;
  image: string;
  accountId: string;
  tags: SkyportTags;
  pollIntervalMs: number;
  timeoutMs: number;
  /** observe(key), already started while the claim committed. */
  firstObserve: Promise<ObservedVm | null>;
}

async function reconcile(adapter: ProviderAdapter, input: ReconcileInput): Promise<ObservedVm> {
  let vm = await input.firstObserve;
  if (!vm) {
    const image = await resolveImageId(adapter, input.accountId, input.region, input.image);
    // The Skyport name rides as a tag: where the provider's own name is derived from the key, the
    // Vm row and inventory still show this one (displayNameOf).
    vm = await adapter.create({
      idempotencyKey: input.key,
      name: input.name,
      region: input.region,
      zone: input.zone,
      size: input.size,
      image,
      tags: input.tags,
      extraTags: { [SKYPORT_NAME_TAG]: input.name },
    });
  }
  const deadline = Date.now() + input.timeoutMs;
  while (vm.state !== 'running') {
    if (vm.state === 'error') throw new ProviderError('unavailable', `The provider reports ${input.name} in an error state (${vm.providerState}).`, { retryable: false, providerMessage: vm.providerState });
    if (Date.now() > deadline) throw new ProviderError('unavailable', `${input.name} did not reach running within ${Math.round(input.timeoutMs / 1000)} s (last state ${vm.state}).`);
    await new Promise((r) => setTimeout(r, input.pollIntervalMs));
    vm = (await adapter.observe(input.key, input.region)) ?? vm;
  }
  return vm;
}

async function recordFailure(
  db: Db,
  jobId: string,
  attempts: number,
  maxAttempts: number,
  payload: ClaimData,
  error: unknown,
  audit: AuditContext,
  now: () => Date,
): Promise<'retry' | 'failed'> {
  const failure = classifyFailure(error);
  const retry = failure.retryable && attempts < maxAttempts;
  await db.$transaction(async (tx) => {
    await tx.$queryRaw(lockRequestSql(payload.requestId));
    const lastError = { ...failure, attempt: attempts, at: now().toISOString() };
    if (retry) {
      const runAfter = new Date(now().getTime() + backoffDelayMs(attempts, Math.random, jobBackoffBaseMs()));
      await tx.provisioningJob.update({ where: { id: jobId }, data: { status: 'queued', runAfter, lastError, lockedBy: null, lockedAt: null } });
      await enqueueJob(tx, CREATE_VM_TASK, createVmJobPayload(jobId, payload), { jobKey: workerJobKey(jobId), runAt: runAfter, maxAttempts: WORKER_MAX_ATTEMPTS });
      await appendTimeline(tx, {
        requestId: payload.requestId,
        itemId: payload.itemId,
        type: 'item_retry_scheduled',
        message: `Attempt ${attempts} failed (${failure.message}); retrying at ${runAfter.toISOString()}.`,
        actorLabel: audit.actor.label,
        data: { index: payload.index, attempt: attempts, nextAttemptAt: runAfter.toISOString(), code: failure.code },
      });
      return;
    }
    await tx.provisioningJob.update({ where: { id: jobId }, data: { status: 'failed', lastError, finishedAt: now(), lockedBy: null, lockedAt: null } });
    const item = await tx.requestItem.findUniqueOrThrow({ where: { id: payload.itemId }, select: { status: true, name: true } });
    const message = `VM ${payload.index + 1} of ${item.name} failed${failure.retryable ? ` after ${attempts} attempts` : ''}: ${failure.message}`;
    if (item.status === 'provisioning') {
      await transitionItem(tx, payload.itemId, 'failed', { audit, type: 'item_failed', message, data: { index: payload.index, code: failure.code, providerCode: failure.providerCode } });
    } else {
      await appendTimeline(tx, { requestId: payload.requestId, itemId: payload.itemId, type: 'item_failed', message, actorLabel: audit.actor.label, data: { index: payload.index, code: failure.code } });
    }
    await settle(tx, payload.requestId, audit);
  });
  return retry ? 'retry' : 'failed';
}

export interface SettleState {
  requestId: string;
  /** null when the request row is gone. */
  requestStatus: RequestStatus | null;
  requestNumber: number;
  items: { id: string; name: string; quantity: number; status: RequestItemStatus; jobs: number; succeeded: number; live: number }[];
}

/**
 * One aggregate over the request's items and their create jobs (this runs once per finished VM).
 * `succeededJobId`: a job whose success is written in the same statement as the settling, counted
 * as succeeded (and not live) here. The caller holds the request row lock.
 */
function settleStateSql(requestId: string, succeededJobId: string | null = null): Prisma.Sql {
  return Prisma.sql`
    SELECT json_build_object(
             'requestId', ${requestId}::text,
             'requestStatus', (SELECT r.status::text FROM "Request" r WHERE r.id = ${requestId}),
             'requestNumber', (SELECT r.number FROM "Request" r WHERE r.id = ${requestId}),
             'items', COALESCE(json_agg(json_build_object('id', s.id, 'name', s.name, 'quantity', s.quantity, 'status', s.status,
                                                          'jobs', s.jobs, 'succeeded', s.succeeded, 'live', s.live) ORDER BY s."createdAt", s.id), '[]'::json)) AS state
      FROM (SELECT i.id, i.name, i.quantity, i.status::text AS status, i."createdAt",
                   count(j.id)::int AS jobs,
                   (count(j.id) FILTER (WHERE j.status = 'succeeded' OR j.id = ${succeededJobId}))::int AS succeeded,
                   (count(j.id) FILTER (WHERE j.status IN ('queued', 'running') AND j.id IS DISTINCT FROM ${succeededJobId}))::int AS live
              FROM "RequestItem" i
              LEFT JOIN "ProvisioningJob" j ON j."requestItemId" = i.id AND j.kind = 'create_vm'
             WHERE i."requestId" = ${requestId}
             GROUP BY i.id) s`;
}

/** What settling decides: the item moves (provisioning → provisioned) and the request's move, with their events. */
export interface SettleDecisions {
  items: { item: { id: string; name: string; requestId: string }; event: Omit<TransitionEvent, 'audit'> }[];
  request: { number: number; to: 'completed' | 'failed'; event: Omit<TransitionEvent, 'audit'> } | null;
}

/**
 * After a VM finished (either way): an item whose VMs all exist is provisioned; a request with no
 * live job left is completed (every item provisioned) or failed (some item failed; the rest stay).
 * The record step decides the same in SQL (recordVmSql); bookkeeping.test.ts compares the two.
 */
export function settleDecisions(state: SettleState): SettleDecisions {
  const { requestId, requestNumber } = state;
  const items = state.items.map((i) => ({ ...i }));
  const decisions: SettleDecisions = { items: [], request: null };
  for (const item of items) {
    if (item.status !== 'provisioning') continue;
    if (item.jobs >= item.quantity && item.succeeded === item.jobs) {
      decisions.items.push({ item: { id: item.id, name: item.name, requestId }, event: { type: 'item_provisioned', message: `${item.name}: ${item.quantity} VM(s) running.` } });
      item.status = 'provisioned';
    }
  }
  const live = items.some((i) => i.live > 0 || i.status === 'pending');
  if (live || state.requestStatus !== 'provisioning') return decisions;
  const failed = items.filter((i) => i.status === 'failed');
  decisions.request =
    failed.length === 0
      ? { number: requestNumber, to: 'completed', event: { type: 'completed', message: 'Every VM is running.' } }
      : {
          number: requestNumber,
          to: 'failed',
          event: {
            type: 'failed',
            message: `${failed.length} of ${items.length} item(s) failed: ${failed.map((i) => i.name).join(', ')}. Completed items stay; retry the failed ones.`,
            data: { failedItemIds: failed.map((i) => i.id) },
          },
        };
  return decisions;
}

/** Adds the settle's transitions (settleDecisions) to `book`. */
async function planSettle(book: Bookkeeping, state: SettleState): Promise<void> {
  const decisions = settleDecisions(state);
  for (const { item, event } of decisions.items) await book.itemTransition(item, 'provisioning', 'provisioned', event);
  if (decisions.request) await book.requestTransition(state.requestId, decisions.request.number, 'provisioning', decisions.request.to, decisions.request.event);
}

/** The settle's view of a request (settleStateSql); the caller holds the request row lock. */
export async function readSettleState(query: Query, requestId: string): Promise<SettleState> {
  return (await query<{ state: SettleState }>(settleStateSql(requestId)))[0]!.state;
}

/**
 * After a VM finished (either way): settles the request's items and the request (see planSettle)
 * in one statement. The caller holds the request row lock.
 */
export async function settle(tx: Tx, requestId: string, audit: AuditContext): Promise<void> {
  const query = prismaQuery(tx);
  const book = new Bookkeeping(audit);
  await planSettle(book, await readSettleState(query, requestId));
  await book.write(query);
}
