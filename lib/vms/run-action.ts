// Executes one day-2 job: the adapter call, then observe until the VM shows the effect, then the
// Vm row is updated from what the provider reports. Retryable provider errors retry with back-off;
// others fail the job with the provider's message (shown on the VM page and the admin jobs page).
import { Prisma } from '@/generated/prisma/client';
import { ProviderError } from '@/providers/errors';
import type { AdapterRuntimeOptions, ObservedVm, ProviderAdapter, VmRef } from '@/providers/types';
import { auditContext, recordAudit } from '../audit/record';
import type { Db } from '../db/client';
import { jobBackoffBaseMs, WORKER_ACTOR } from '../jobs/context';
import { enqueueJob } from '../jobs/queue';
import { jobAdapters, type AdapterCache } from '../jobs/adapter-cache';
import { markObserved } from '../provider-accounts/sync-write';
import { backoffDelayMs, classifyFailure, withDeadline } from '../provisioning/retry';
import { settleActionRequest } from './action-approval';
import { KIND_ACTION, VM_ACTION_TASK } from './enqueue';
import type { VmAction } from './schemas';

export interface RunActionOptions {
  db: Db;
  runtime?: AdapterRuntimeOptions;
  now?: () => Date;
  /** The adapters to use (default: the worker's shared cache). */
  adapters?: AdapterCache;
}

async function waitFor(adapter: ProviderAdapter, ref: VmRef, done: (vm: ObservedVm | null) => boolean, pollMs: number, timeoutMs: number): Promise<ObservedVm | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const vm = await adapter.get(ref);
    if (done(vm)) return vm;
    if (Date.now() > deadline) throw new ProviderError('unavailable', `The VM did not reach the expected state in ${Math.round(timeoutMs / 1000)} s (now ${vm?.state ?? 'gone'}).`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

const isStopped = (vm: ObservedVm | null) => !!vm && (vm.state === 'stopped' || vm.state === 'deallocated');
const isRunning = (vm: ObservedVm | null) => vm?.state === 'running';

async function perform(adapter: ProviderAdapter, ref: VmRef, action: VmAction, size: string | undefined, pollMs: number, timeoutMs: number): Promise<ObservedVm | null> {
  const wait = (done: (vm: ObservedVm | null) => boolean) => waitFor(adapter, ref, done, pollMs, timeoutMs);
  switch (action) {
    case 'start':
      await adapter.start(ref);
      return wait(isRunning);
    case 'stop':
      await adapter.stop(ref);
      return wait(isStopped);
    case 'reboot':
      await adapter.reboot(ref);
      return wait(isRunning);
    case 'delete':
      await adapter.delete(ref);
      return wait((vm) => !vm || vm.state === 'deleted');
    case 'resize': {
      const before = await adapter.get(ref);
      if (!before) throw new ProviderError('not_found', 'The VM no longer exists at the provider.');
      if (before.size === size) return before;
      const restart = adapter.capabilities().resizeRequiresStop && before.state === 'running';
      if (restart) {
        await adapter.stop(ref);
        await wait(isStopped);
      }
      await adapter.resize(ref, size!);
      const resized = await wait((vm) => !!vm && vm.size === size && vm.state !== 'reconfiguring');
      if (!restart) return resized;
      await adapter.start(ref);
      return wait(isRunning);
    }
  }
}

export async function runVmActionJob(provisioningJobId: string, options: RunActionOptions): Promise<'done' | 'retry' | 'failed' | 'skipped'> {
  const { db } = options;
  const now = options.now ?? (() => new Date());
  const audit = auditContext(WORKER_ACTOR);
  const job = await db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM "ProvisioningJob" WHERE id = ${provisioningJobId} FOR UPDATE`;
    const found = await tx.provisioningJob.findUnique({ where: { id: provisioningJobId } });
    if (!found || !found.vmId || !['queued', 'running'].includes(found.status)) return null;
    return tx.provisioningJob.update({ where: { id: found.id }, data: { status: 'running', attempts: { increment: 1 }, lockedAt: now(), lockedBy: 'worker' } });
  });
  if (!job) return 'skipped';
  const action = KIND_ACTION[job.kind]!;
  const size = (job.payload as { size?: string }).size;
  const vm = await db.vm.findUniqueOrThrow({ where: { id: job.vmId! }, include: { providerAccount: true } });
  const ref: VmRef = { providerId: vm.providerId, region: vm.regionCode, zone: vm.zone ?? undefined };
  let observed: ObservedVm | null;
  try {
    const timeoutMs = options.runtime?.operationTimeoutMs ?? 10 * 60_000;
    // The worker's shared adapter for the account (lib/jobs/adapter-cache.ts): no SDK build or
    // login per action; an auth failure retires it, an edited account gets a new one.
    observed = await (options.adapters ?? jobAdapters).use(vm.providerAccount, options.runtime, (adapter) =>
      // Resize may stop, resize and start: three waits.
      withDeadline(perform(adapter, ref, action, size, options.runtime?.pollIntervalMs ?? 1000, timeoutMs), 4 * timeoutMs, `The ${action}`),
    );
  } catch (error) {
    const failure = classifyFailure(error);
    const retry = failure.retryable && job.attempts < job.maxAttempts;
    await db.$transaction(async (tx) => {
      const lastError = { ...failure, attempt: job.attempts, at: now().toISOString() };
      if (retry) {
        const runAfter = new Date(now().getTime() + backoffDelayMs(job.attempts, Math.random, jobBackoffBaseMs()));
        await tx.provisioningJob.update({ where: { id: job.id }, data: { status: 'queued', runAfter, lastError, lockedAt: null, lockedBy: null } });
        await enqueueJob(tx, VM_ACTION_TASK, { provisioningJobId: job.id }, { jobKey: `vm:${vm.id}:${action}`, runAt: runAfter, maxAttempts: 10 });
      } else {
        await tx.provisioningJob.update({ where: { id: job.id }, data: { status: 'failed', lastError, finishedAt: now(), lockedAt: null, lockedBy: null } });
        await recordAudit(tx, audit, { action: `vm.${action}.failed`, targetType: 'vm', targetId: vm.id, after: { jobId: job.id, error: failure.message } });
        const requestId = (job.payload as { requestId?: string }).requestId;
        if (requestId) await settleActionRequest(tx, requestId, 'failed', `The ${action} of ${vm.name} failed: ${failure.message}`, audit);
      }
    });
    return retry ? 'retry' : 'failed';
  }

  const shape = await shapeAfter(db, vm, observed);
  await db.$transaction(async (tx) => {
    const gone = !observed || observed.state === 'deleted';
    await tx.vm.update({
      where: { id: vm.id },
      data: gone
        ? { state: 'deleted', deletedAt: now(), lastSeenAt: now() }
        : {
            state: observed!.state,
            providerState: observed!.providerState,
            size: observed!.size,
            vcpus: shape.vcpus,
            memoryMiB: shape.memoryMiB,
            privateIp: observed!.privateIp ?? vm.privateIp,
            publicIp: observed!.publicIp ?? null,
            lastSeenAt: now(),
          },
    });
    // An inventory sync whose listing was asked for before this point may still hold the state
    // from before the action; the stamp makes its write skip this row (sync-write.ts, listingXid).
    await markObserved(tx, vm.id);
    await tx.provisioningJob.update({
      where: { id: job.id },
      data: { status: 'succeeded', finishedAt: now(), lockedAt: null, lockedBy: null, lastError: Prisma.DbNull, result: { state: gone ? 'deleted' : observed!.state, size: observed?.size ?? null } },
    });
    await recordAudit(tx, audit, {
      action: `vm.${action}`,
      targetType: 'vm',
      targetId: vm.id,
      before: { state: vm.state, size: vm.size },
      after: { state: gone ? 'deleted' : observed!.state, size: observed?.size ?? vm.size, jobId: job.id, reason: (job.payload as { reason?: string }).reason },
    });
    // An approved day-2 request (lib/vms/gate.ts) ends with its job.
    const requestId = (job.payload as { requestId?: string }).requestId;
    if (requestId) {
      await settleActionRequest(tx, requestId, 'completed', `${vm.name}: ${action} done${observed?.size && action === 'resize' ? ` (now ${observed.size})` : ''}.`, audit);
    }
  });
  return 'done';
}

/**
 * vCPU and RAM after the action. Some providers' instance views name only the machine type (GCE's
 * machineType, Azure's vmSize); after a resize the old figures would be wrong, so the new size's
 * shape comes from the instance types the catalog stored from the adapter's size list.
 */
async function shapeAfter(
  db: Db,
  vm: { providerKind: string; regionCode: string; size: string | null; vcpus: number | null; memoryMiB: number | null },
  observed: ObservedVm | null,
): Promise<{ vcpus: number | null; memoryMiB: number | null }> {
  if (!observed) return { vcpus: vm.vcpus, memoryMiB: vm.memoryMiB };
  if (observed.vcpus != null && observed.memoryMiB != null) return { vcpus: observed.vcpus, memoryMiB: observed.memoryMiB };
  if (observed.size === vm.size) return { vcpus: observed.vcpus ?? vm.vcpus, memoryMiB: observed.memoryMiB ?? vm.memoryMiB };
  const types = await db.$queryRaw<{ vcpus: number; memoryMiB: number }[]>`
    SELECT vcpus, "memoryMiB" FROM "InstanceType"
    WHERE "providerKind"::text = ${vm.providerKind} AND name = ${observed.size}
    ORDER BY ("regionCode" = ${vm.regionCode}) DESC LIMIT 1`;
  return { vcpus: observed.vcpus ?? types[0]?.vcpus ?? null, memoryMiB: observed.memoryMiB ?? types[0]?.memoryMiB ?? null };
}
