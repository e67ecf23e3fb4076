// The provisioning task: Crossplane's reconcile loop for one VM of one request item.
//   observe(key) → create only if absent → wait until running → record the Vm and link it.
// Every step is idempotent (the adapter binds the key to the provider's idempotency mechanism and
// the Vm row is upserted by account + provider id), so a job killed at any point and run again
// converges on the same single VM.
import { Prisma } from '@/generated/prisma/client';
import { ProviderError } from '@/providers/errors';
import type { AdapterRuntimeOptions, ObservedVm, ProviderAdapter, ProviderKind, SkyportTags } from '@/providers/types';
import { auditContext, recordAudit, type AuditContext } from '../audit/record';
import type { Db } from '../db/client';
import { jobAdapters, type AdapterCache, type AdapterLease } from '../jobs/adapter-cache';
import { jobBackoffBaseMs, WORKER_ACTOR } from '../jobs/context';
import { enqueueJob } from '../jobs/queue';
import type { Tx } from '../jobs/types';
import { appendTimeline } from '../requests/timeline';
import { transitionItem, transitionRequest } from '../requests/state-machine';
import { WORKER_MAX_ATTEMPTS } from './handoff';
import { CREATE_VM_TASK, vmName, workerJobKey } from './keys';
import { backoffDelayMs, classifyFailure, withDeadline } from './retry';
import { resolveImageId } from './images';

export interface ProvisionOptions {
  db: Db;
  runtime?: AdapterRuntimeOptions;
  /** Where adapters come from; the worker process's shared cache by default. */
  adapters?: AdapterCache;
  workerId?: string;
  now?: () => Date;
}

/** What the claim reads under the request lock: the job, its item, and the tags' owner/project. */
interface ClaimRow {
  jobStatus: string;
  attempts: number;
  maxAttempts: number;
  payload: unknown;
  itemId: string;
  itemStatus: string;
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
  /** The account row's version: the shared adapter is rebuilt when the account was edited. */
  accountUpdatedAt: Date;
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

const LIVE_STATES = new Set(['queued', 'running']);

async function lockRequest(tx: Tx, requestId: string) {
  const rows = await tx.$queryRaw<{ status: string; number: number }[]>`SELECT status::text AS status, number FROM "Request" WHERE id = ${requestId} FOR UPDATE`;
  return rows[0] ?? null;
}

/** Runs one execution of a create_vm ProvisioningJob. Returns what happened, for logs and tests. */
export async function runCreateVmJob(provisioningJobId: string, options: ProvisionOptions): Promise<'created' | 'retry' | 'failed' | 'skipped'> {
  // The account's shared adapter, held from the claim (which starts the first observe) to the end.
  const held: { lease?: AdapterLease; firstObserve?: Promise<ObservedVm | null> } = {};
  try {
    return await createVm(provisioningJobId, options, held);
  } finally {
    held.lease?.release();
  }
}

async function createVm(
  provisioningJobId: string,
  options: ProvisionOptions,
  held: { lease?: AdapterLease; firstObserve?: Promise<ObservedVm | null> },
): Promise<'created' | 'retry' | 'failed' | 'skipped'> {
  const { db } = options;
  const now = options.now ?? (() => new Date());
  const audit = auditContext(WORKER_ACTOR);
  const loadAccount = (id: string) => () => db.providerAccount.findUniqueOrThrow({ where: { id } });

  // 1. Claim: mark running, move the request/item into provisioning (serialized on the request row).
  // Two reads instead of a findUnique per row: the request row locked through the job's payload,
  // then — under that lock, so it is fresh — the job with everything the VM needs.
  const claimed = await db.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ status: string }[]>`
      SELECT r.status::text AS status FROM "Request" r
       WHERE r.id = (SELECT j.payload->>'requestId' FROM "ProvisioningJob" j WHERE j.id = ${provisioningJobId} AND j.kind = 'create_vm')
       FOR UPDATE OF r`;
    const request = locked[0];
    if (!request) return null;
    const row = (await tx.$queryRaw<ClaimRow[]>`
      SELECT j.status::text AS "jobStatus", j.attempts, j."maxAttempts", j.payload,
             i.id AS "itemId", i.status::text AS "itemStatus", i.name, i.quantity, i."regionCode", i.zone, i.size, i.image,
             i."leaseDays", i.vcpus, i."memoryMiB", i."diskGiB", i."providerAccountId",
             pa.kind::text AS "providerKind", pa."updatedAt" AS "accountUpdatedAt",
             r."requesterId", r."projectId", u.email AS "requesterEmail", p.key AS "projectKey"
        FROM "ProvisioningJob" j
        JOIN "RequestItem" i ON i.id = j."requestItemId"
        JOIN "ProviderAccount" pa ON pa.id = i."providerAccountId"
        JOIN "Request" r ON r.id = i."requestId"
        JOIN "User" u ON u.id = r."requesterId"
        JOIN "Project" p ON p.id = r."projectId"
       WHERE j.id = ${provisioningJobId}`)[0];
    if (!row || !LIVE_STATES.has(row.jobStatus)) return null;
    const payload = row.payload as CreatePayload;
    if (request.status === 'cancelled') {
      await tx.provisioningJob.update({ where: { id: provisioningJobId }, data: { status: 'cancelled', finishedAt: now() } });
      return null;
    }
    // observe is a read: start it now so its provider round trip overlaps the rest of the claim.
    // create still waits for the claim to commit (and never runs when the claim does not).
    // The worker's shared adapter for the account (lib/jobs/adapter-cache.ts): no per-VM SDK client
    // construction, login or token fetch; the row is loaded only when the adapter is (re)built.
    held.lease ??= (options.adapters ?? jobAdapters).lease({ id: row.providerAccountId, updatedAt: row.accountUpdatedAt }, loadAccount(row.providerAccountId), options.runtime);
    held.firstObserve = held.lease.adapter.then((adapter) => adapter.observe(payload.vmKey, row.regionCode));
    held.firstObserve.catch(() => undefined);
    if (request.status === 'approved') {
      await transitionRequest(tx, payload.requestId, 'provisioning', { audit, type: 'provisioning_started', message: 'Provisioning started.' });
    }
    if (row.itemStatus === 'pending') {
      await transitionItem(tx, row.itemId, 'provisioning', { audit, type: 'provisioning_started', message: `Provisioning ${row.quantity} VM(s) for ${row.name}.` });
    }
    const attempts = row.attempts + 1;
    await tx.provisioningJob.update({
      where: { id: provisioningJobId },
      data: { status: 'running', attempts, lockedBy: options.workerId ?? 'worker', lockedAt: now() },
      select: { id: true },
    });
    if (attempts === 1) {
      await appendTimeline(tx, {
        requestId: payload.requestId,
        itemId: row.itemId,
        type: 'vm_creating',
        message: `Creating ${vmName(row.name, row.quantity, payload.index)}.`,
        actorLabel: audit.actor.label,
        data: { index: payload.index },
      });
    }
    return { job: { id: provisioningJobId, attempts, maxAttempts: row.maxAttempts }, payload, item: row };
  });
  if (!claimed) return 'skipped';
  const { job, payload, item } = claimed;
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
    return recordFailure(db, job.id, job.attempts, job.maxAttempts, payload, error, audit, now);
  }

  // 3. Record the VM and link it; finish the item/request when this was the last VM.
  await db.$transaction(async (tx) => {
    await lockRequest(tx, payload.requestId);
    const leaseExpiresAt = item.leaseDays ? new Date(now().getTime() + item.leaseDays * 86_400_000) : null;
    const fields = {
      name: observed.name,
      regionCode: observed.region,
      zone: observed.zone ?? null,
      size: observed.size,
      vcpus: observed.vcpus ?? item.vcpus,
      memoryMiB: observed.memoryMiB ?? item.memoryMiB,
      diskGiB: item.diskGiB,
      imageId: observed.imageId ?? null,
      state: observed.state,
      providerState: observed.providerState,
      tags: observed.tags as Prisma.InputJsonValue,
      privateIp: observed.privateIp ?? null,
      publicIp: observed.publicIp ?? null,
      providerCreatedAt: observed.createdAt ?? null,
      ownerId: item.requesterId,
      projectId: item.projectId,
      requestItemId: item.itemId,
      createdBySkyport: true,
      managed: true,
      idempotencyKey: payload.vmKey,
      lastSeenAt: now(),
      deletedAt: null,
    };
    let vm = await tx.vm.upsert({
      where: { providerAccountId_providerId: { providerAccountId: item.providerAccountId, providerId: observed.providerId } },
      create: { providerAccountId: item.providerAccountId, providerKind: item.providerKind, providerId: observed.providerId, leaseExpiresAt, ...fields },
      // A lease already running (a re-run after a crash) is not restarted.
      update: fields,
      select: { id: true, name: true, providerId: true, leaseExpiresAt: true },
    });
    // The row existed without a lease (e.g. inventory sync found the VM before this run recorded it).
    if (!vm.leaseExpiresAt && leaseExpiresAt) {
      vm = await tx.vm.update({ where: { id: vm.id }, data: { leaseExpiresAt }, select: { id: true, name: true, providerId: true, leaseExpiresAt: true } });
    }
    await tx.provisioningJob.update({
      where: { id: job.id },
      data: { status: 'succeeded', vmId: vm.id, finishedAt: now(), lockedBy: null, lockedAt: null, lastError: Prisma.DbNull, result: { providerId: observed.providerId, state: observed.state } },
      select: { id: true },
    });
    await recordAudit(tx, audit, { action: 'vm.create', targetType: 'vm', targetId: vm.id, after: { name: vm.name, providerId: vm.providerId, requestItemId: item.itemId, tags } });
    await appendTimeline(tx, {
      requestId: payload.requestId,
      itemId: item.itemId,
      type: 'vm_created',
      message: `${vm.name} is ${observed.state} (${observed.providerId}).`,
      actorLabel: audit.actor.label,
      data: { vmId: vm.id, index: payload.index, providerId: observed.providerId },
    });
    await settle(tx, payload.requestId, audit);
  });
  return 'created';
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
    vm = await adapter.create({ idempotencyKey: input.key, name: input.name, region: input.region, zone: input.zone, size: input.size, image, tags: input.tags });
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
  payload: CreatePayload,
  error: unknown,
  audit: AuditContext,
  now: () => Date,
): Promise<'retry' | 'failed'> {
  const failure = classifyFailure(error);
  const retry = failure.retryable && attempts < maxAttempts;
  await db.$transaction(async (tx) => {
    await lockRequest(tx, payload.requestId);
    const lastError = { ...failure, attempt: attempts, at: now().toISOString() };
    if (retry) {
      const runAfter = new Date(now().getTime() + backoffDelayMs(attempts, Math.random, jobBackoffBaseMs()));
      await tx.provisioningJob.update({ where: { id: jobId }, data: { status: 'queued', runAfter, lastError, lockedBy: null, lockedAt: null } });
      await enqueueJob(tx, CREATE_VM_TASK, { provisioningJobId: jobId }, { jobKey: workerJobKey(jobId), runAt: runAfter, maxAttempts: WORKER_MAX_ATTEMPTS });
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

/**
 * After a VM finished (either way): an item whose VMs all exist is provisioned; a request with no
 * live job left is completed (every item provisioned) or failed (some item failed; the rest stay).
 * The caller holds the request row lock.
 */
export async function settle(tx: Tx, requestId: string, audit: AuditContext): Promise<void> {
  // One aggregate over the request's items and their create jobs (this runs once per finished VM).
  const items = await tx.$queryRaw<{ id: string; name: string; quantity: number; status: string; jobs: number; succeeded: number; live: number; requestStatus: string }[]>`
    SELECT i.id, i.name, i.quantity, i.status::text AS status,
           count(j.id)::int AS jobs,
           (count(j.id) FILTER (WHERE j.status = 'succeeded'))::int AS succeeded,
           (count(j.id) FILTER (WHERE j.status IN ('queued', 'running')))::int AS live,
           (SELECT r.status::text FROM "Request" r WHERE r.id = ${requestId}) AS "requestStatus"
      FROM "RequestItem" i
      LEFT JOIN "ProvisioningJob" j ON j."requestItemId" = i.id AND j.kind = 'create_vm'
     WHERE i."requestId" = ${requestId}
     GROUP BY i.id
     ORDER BY i."createdAt", i.id`;
  for (const item of items) {
    if (item.status !== 'provisioning') continue;
    if (item.jobs >= item.quantity && item.succeeded === item.jobs) {
      await transitionItem(tx, item.id, 'provisioned', { audit, type: 'item_provisioned', message: `${item.name}: ${item.quantity} VM(s) running.` });
      item.status = 'provisioned';
    }
  }
  const live = items.some((i) => i.live > 0 || i.status === 'pending');
  if (live) return;
  const requestStatus = items[0]?.requestStatus ?? (await tx.request.findUniqueOrThrow({ where: { id: requestId }, select: { status: true } })).status;
  if (requestStatus !== 'provisioning') return;
  const failed = items.filter((i) => i.status === 'failed');
  if (failed.length === 0) {
    await transitionRequest(tx, requestId, 'completed', { audit, type: 'completed', message: 'Every VM is running.' });
  } else {
    await transitionRequest(tx, requestId, 'failed', {
      audit,
      type: 'failed',
      message: `${failed.length} of ${items.length} item(s) failed: ${failed.map((i) => i.name).join(', ')}. Completed items stay; retry the failed ones.`,
      data: { failedItemIds: failed.map((i) => i.id) },
    });
  }
}
