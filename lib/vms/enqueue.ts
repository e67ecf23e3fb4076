// Recording and enqueuing one day-2 job (ProvisioningJob row + graphile job in the caller's
// transaction). Its own module so the approval path (lib/vms/action-approval.ts, called from
// lib/approvals) can enqueue without importing the gate that imports lib/approvals.
import type { JobKind, Vm } from '@/generated/prisma/client';
import { recordAudit, type AuditContext } from '../audit/record';
import { enqueueJob } from '../jobs/queue';
import type { Tx } from '../jobs/types';
import type { RunVmActionInput, VmAction } from './schemas';

export const VM_ACTION_TASK = 'vms.action';
export const ACTION_KIND: Record<VmAction, JobKind> = { start: 'start_vm', stop: 'stop_vm', reboot: 'reboot_vm', resize: 'resize_vm', delete: 'delete_vm' };
export const KIND_ACTION: Partial<Record<JobKind, VmAction>> = Object.fromEntries(Object.entries(ACTION_KIND).map(([a, k]) => [k, a as VmAction]));
export const ACTION_KINDS = Object.values(ACTION_KIND);
export const VM_ACTION_MAX_ATTEMPTS = 6;

/** Records and enqueues a day-2 job (used by runVmAction, the approval of a gated action and the lease cron). */
export async function enqueueVmAction(
  tx: Tx,
  vm: Pick<Vm, 'id' | 'name' | 'size' | 'providerAccountId'>,
  // costDelta: a resize's monthly price increase, kept on the job so the project's committed spend
  // counts it until the job is done (lib/requests/budget.ts inFlightMonthly).
  input: RunVmActionInput & { reason?: string; requestId?: string; idempotencyKey?: string; costDelta?: string | null },
  audit: AuditContext,
  requestedById?: string,
): Promise<{ jobId: string }> {
  const job = await tx.provisioningJob.create({
    data: {
      kind: ACTION_KIND[input.action],
      // An approved request has one key per request, so its action can only ever be recorded once.
      idempotencyKey: input.idempotencyKey ?? `${input.action}:${vm.id}:${Date.now().toString(36)}:${Math.random().toString(36).slice(2, 8)}`,
      vmId: vm.id,
      providerAccountId: vm.providerAccountId,
      requestedById: requestedById ?? null,
      maxAttempts: VM_ACTION_MAX_ATTEMPTS,
      payload: {
        action: input.action,
        ...(input.size ? { size: input.size, fromSize: vm.size } : {}),
        ...(input.reason ? { reason: input.reason } : {}),
        ...(input.requestId ? { requestId: input.requestId } : {}),
        ...(input.action === 'resize' && input.costDelta ? { costDelta: input.costDelta } : {}),
      },
    },
  });
  await enqueueJob(tx, VM_ACTION_TASK, { provisioningJobId: job.id }, { jobKey: `vm:${vm.id}:${input.action}`, maxAttempts: 10 });
  await recordAudit(tx, audit, {
    action: `vm.${input.action}.requested`,
    targetType: 'vm',
    targetId: vm.id,
    after: {
      jobId: job.id,
      ...(input.size ? { size: input.size, from: vm.size } : {}),
      ...(input.reason ? { reason: input.reason } : {}),
      ...(input.requestId ? { requestId: input.requestId } : {}),
    },
  });
  return { jobId: job.id };
}
