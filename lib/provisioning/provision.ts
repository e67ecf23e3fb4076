// The provisioning task: Crossplane's reconcile loop for one VM of one request item.
//   observe(key) → create only if absent → wait until running → record the Vm and link it.
// Every step is idempotent (the adapter binds the key to the provider's idempotency mechanism and
// the Vm row is upserted by account + provider id), so a job killed at any point and run again
// converges on the same single VM.
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
import { transitionItem } from '../requests/state-machine';
import { Bookkeeping } from './bookkeeping';
import { prismaQuery, runScript, scriptTransaction, type WithConnection } from './sql';
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
  const claimed = await claimJob(provisioningJobId, data, options, audit, now());
  if (!claimed) return 'skipped';
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

  // 3. Record the VM and link it; finish the item/request when this was the last VM. Under the
  // request lock: read what settling needs (counting this job as succeeded), then one statement
  // upserts the Vm, finishes the job and writes every event, audit row and transition.
  await scriptTransaction(options.withConnection, async (tx) => {
    const [, settleRows] = await tx.begin(lockRequestSql(payload.requestId), settleStateSql(payload.requestId, job.id));
    const at = now();
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
    await planSettle(book, (settleRows as { state: SettleState }[])[0]!.state);
    const seenAt = at.toISOString();
    const leaseExpiresAt = item.leaseDays ? new Date(at.getTime() + item.leaseDays * 86_400_000).toISOString() : null;
    const result = JSON.stringify({ providerId: observed.providerId, state: observed.state });
    const before = Prisma.sql`
      bk_vm AS (
        INSERT INTO "Vm" AS v (
          "id", "providerAccountId", "providerKind", "providerId", "name", "regionCode", "zone", "size", "vcpus", "memoryMiB", "diskGiB",
          "imageId", "state", "providerState", "tags", "privateIp", "publicIp", "providerCreatedAt", "ownerId", "projectId", "requestItemId",
          "createdBySkyport", "managed", "idempotencyKey", "leaseExpiresAt", "firstSeenAt", "lastSeenAt", "deletedAt", "createdAt", "updatedAt",
          "observedXid")
        VALUES (
          'vm' || replace(gen_random_uuid()::text, '-', ''), ${item.providerAccountId}, ${item.providerKind}::"ProviderKind", ${observed.providerId},
          ${name}, ${observed.region}, ${observed.zone ?? null}, ${observed.size}, ${observed.vcpus ?? item.vcpus}::int, ${observed.memoryMiB ?? item.memoryMiB}::int,
          ${item.diskGiB}::int, ${observed.imageId ?? null}, ${observed.state}::"VmState", ${observed.providerState}, ${JSON.stringify(observed.tags)}::jsonb,
          ${observed.privateIp ?? null}, ${observed.publicIp ?? null}, ${observed.createdAt?.toISOString() ?? null}::timestamp(3), ${item.requesterId},
          ${item.projectId}, ${item.itemId}, true, true, ${payload.vmKey}, ${leaseExpiresAt}::timestamp(3), ${seenAt}::timestamp(3),
          ${seenAt}::timestamp(3), NULL, ${seenAt}::timestamp(3), ${seenAt}::timestamp(3),
          -- What this run observed is newer than any inventory listing begun before it (sync-write.ts).
          pg_current_xact_id()::text::bigint)
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
        UPDATE "ProvisioningJob" SET status = 'succeeded', "vmId" = (SELECT id FROM bk_vm), "finishedAt" = ${seenAt}::timestamp(3),
               "lockedBy" = NULL, "lockedAt" = NULL, "lastError" = NULL, result = ${result}::jsonb, "updatedAt" = ${seenAt}::timestamp(3)
         WHERE id = ${job.id}
        RETURNING id)`;
    await tx.commit(book.statement({ before, vmId: Prisma.sql`(SELECT id FROM bk_vm)`, required: Prisma.sql`EXISTS (SELECT 1 FROM bk_job)` }));
  });
  return 'created';
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

interface SettleState {
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

/**
 * After a VM finished (either way): an item whose VMs all exist is provisioned; a request with no
 * live job left is completed (every item provisioned) or failed (some item failed; the rest stay).
 * Adds those transitions to `book`.
 */
async function planSettle(book: Bookkeeping, state: SettleState): Promise<void> {
  const { items, requestId, requestNumber } = state;
  for (const item of items) {
    if (item.status !== 'provisioning') continue;
    if (item.jobs >= item.quantity && item.succeeded === item.jobs) {
      await book.itemTransition({ ...item, requestId }, 'provisioning', 'provisioned', { type: 'item_provisioned', message: `${item.name}: ${item.quantity} VM(s) running.` });
      item.status = 'provisioned';
    }
  }
  const live = items.some((i) => i.live > 0 || i.status === 'pending');
  if (live || state.requestStatus !== 'provisioning') return;
  const failed = items.filter((i) => i.status === 'failed');
  if (failed.length === 0) {
    await book.requestTransition(requestId, requestNumber, 'provisioning', 'completed', { type: 'completed', message: 'Every VM is running.' });
  } else {
    await book.requestTransition(requestId, requestNumber, 'provisioning', 'failed', {
      type: 'failed',
      message: `${failed.length} of ${items.length} item(s) failed: ${failed.map((i) => i.name).join(', ')}. Completed items stay; retry the failed ones.`,
      data: { failedItemIds: failed.map((i) => i.id) },
    });
  }
}

/**
 * After a VM finished (either way): settles the request's items and the request (see planSettle)
 * in one statement. The caller holds the request row lock.
 */
export async function settle(tx: Tx, requestId: string, audit: AuditContext): Promise<void> {
  const query = prismaQuery(tx);
  const book = new Bookkeeping(audit);
  await planSettle(book, (await query<{ state: SettleState }>(settleStateSql(requestId)))[0]!.state);
  await book.write(query);
}
