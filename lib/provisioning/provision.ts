// The provisioning task: Crossplane's reconcile loop for one VM of one request item.
//   observe(key) → create only if absent → wait until running → record the Vm and link it.
// Every step is idempotent (the adapter binds the key to the provider's idempotency mechanism and
// the Vm row is upserted by account + provider id), so a job killed at any point and run again
// converges on the same single VM.
import { Prisma } from '@/generated/prisma/client';
import { ProviderError } from '@/providers/errors';
import type { ObservedVm, ProviderAdapter, SkyportTags } from '@/providers/types';
import { auditContext, recordAudit, type AuditContext } from '../audit/record';
import type { Db } from '../db/client';
import { jobBackoffBaseMs, WORKER_ACTOR } from '../jobs/context';
import { enqueueJob } from '../jobs/queue';
import type { Tx } from '../jobs/types';
import { adapterForAccount } from '../provider-accounts/service';
import { appendTimeline } from '../requests/timeline';
import { transitionItem, transitionRequest } from '../requests/state-machine';
import { WORKER_MAX_ATTEMPTS } from './handoff';
import { CREATE_VM_TASK, vmName, workerJobKey } from './keys';
import { backoffDelayMs, classifyFailure, withDeadline } from './retry';
import { resolveImageId } from './images';

export interface ProvisionOptions {
  db: Db;
  runtime?: Parameters<typeof adapterForAccount>[1];
  workerId?: string;
  now?: () => Date;
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
  const { db } = options;
  const now = options.now ?? (() => new Date());
  const audit = auditContext(WORKER_ACTOR);

  // 1. Claim: mark running, move the request/item into provisioning (serialized on the request row).
  const claimed = await db.$transaction(async (tx) => {
    const job = await tx.provisioningJob.findUnique({ where: { id: provisioningJobId } });
    if (!job || job.kind !== 'create_vm' || !job.requestItemId) return null;
    const payload = job.payload as unknown as CreatePayload;
    const request = await lockRequest(tx, payload.requestId);
    const fresh = await tx.provisioningJob.findUniqueOrThrow({ where: { id: provisioningJobId } });
    if (!request || !LIVE_STATES.has(fresh.status)) return null;
    if (request.status === 'cancelled') {
      await tx.provisioningJob.update({ where: { id: job.id }, data: { status: 'cancelled', finishedAt: now() } });
      return null;
    }
    if (request.status === 'approved') {
      await transitionRequest(tx, payload.requestId, 'provisioning', { audit, type: 'provisioning_started', message: 'Provisioning started.' });
    }
    const item = await tx.requestItem.findUniqueOrThrow({ where: { id: job.requestItemId } });
    if (item.status === 'pending') {
      await transitionItem(tx, item.id, 'provisioning', { audit, type: 'provisioning_started', message: `Provisioning ${item.quantity} VM(s) for ${item.name}.` });
    }
    const attempts = fresh.attempts + 1;
    await tx.provisioningJob.update({
      where: { id: job.id },
      data: { status: 'running', attempts, lockedBy: options.workerId ?? 'worker', lockedAt: now() },
    });
    if (attempts === 1) {
      await appendTimeline(tx, {
        requestId: payload.requestId,
        itemId: item.id,
        type: 'vm_creating',
        message: `Creating ${vmName(item.name, item.quantity, payload.index)}.`,
        actorLabel: audit.actor.label,
        data: { index: payload.index },
      });
    }
    return { job: { ...fresh, attempts }, payload };
  });
  if (!claimed) return 'skipped';
  const { job, payload } = claimed;

  const item = await db.requestItem.findUniqueOrThrow({
    where: { id: payload.itemId },
    include: { providerAccount: true, request: { include: { project: true, requester: true } } },
  });
  const tags: SkyportTags = {
    owner: item.request.requester.email,
    project: item.request.project.key,
    request: item.request.id,
    skyportId: payload.vmKey,
  };

  let observed: ObservedVm;
  let adapter: ProviderAdapter | undefined;
  try {
    adapter = adapterForAccount(item.providerAccount, options.runtime).adapter;
    const timeoutMs = options.runtime?.operationTimeoutMs ?? 10 * 60_000;
    observed = await withDeadline(reconcile(adapter, {
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
    }), 2 * timeoutMs, `Creating the VM`);
  } catch (error) {
    return recordFailure(db, job.id, job.attempts, job.maxAttempts, payload, error, audit, now);
  } finally {
    await adapter?.close?.().catch(() => undefined);
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
      ownerId: item.request.requesterId,
      projectId: item.request.projectId,
      requestItemId: item.id,
      createdBySkyport: true,
      managed: true,
      idempotencyKey: payload.vmKey,
      lastSeenAt: now(),
      deletedAt: null,
    };
    const existing = await tx.vm.findUnique({ where: { idempotencyKey: payload.vmKey }, select: { id: true, leaseExpiresAt: true } });
    const vm = await tx.vm.upsert({
      where: { providerAccountId_providerId: { providerAccountId: item.providerAccountId, providerId: observed.providerId } },
      create: { providerAccountId: item.providerAccountId, providerKind: item.providerAccount.kind, providerId: observed.providerId, leaseExpiresAt, ...fields },
      // A lease already running (a re-run after a crash) is not restarted.
      update: { ...fields, ...(existing?.leaseExpiresAt ? {} : { leaseExpiresAt }) },
    });
    await tx.provisioningJob.update({
      where: { id: job.id },
      data: { status: 'succeeded', vmId: vm.id, finishedAt: now(), lockedBy: null, lockedAt: null, lastError: Prisma.DbNull, result: { providerId: observed.providerId, state: observed.state } },
    });
    await recordAudit(tx, audit, { action: 'vm.create', targetType: 'vm', targetId: vm.id, after: { name: vm.name, providerId: vm.providerId, requestItemId: item.id, tags } });
    await appendTimeline(tx, {
      requestId: payload.requestId,
      itemId: item.id,
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
}

async function reconcile(adapter: ProviderAdapter, input: ReconcileInput): Promise<ObservedVm> {
  let vm = await adapter.observe(input.key, input.region);
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
  const items = await tx.requestItem.findMany({ where: { requestId }, include: { jobs: { where: { kind: 'create_vm' }, select: { status: true } } } });
  for (const item of items) {
    if (item.status !== 'provisioning') continue;
    if (item.jobs.length >= item.quantity && item.jobs.every((j) => j.status === 'succeeded')) {
      await transitionItem(tx, item.id, 'provisioned', { audit, type: 'item_provisioned', message: `${item.name}: ${item.quantity} VM(s) running.` });
      item.status = 'provisioned';
    }
  }
  const live = items.some((i) => i.jobs.some((j) => LIVE_STATES.has(j.status)) || i.status === 'pending');
  if (live) return;
  const request = await tx.request.findUniqueOrThrow({ where: { id: requestId }, select: { status: true } });
  if (request.status !== 'provisioning') return;
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
