// Provisioning hand-off (contract 3): called in the transaction that moves a request to
// `approved`. Records one ProvisioningJob per VM (item × index) and enqueues its execution in the
// same transaction, so approval and intent commit together. The request status is left alone here;
// the job moves it approved → provisioning when it starts.
import type { AuditContext } from '../audit/record';
import { recordAudit } from '../audit/record';
import { enqueueJob } from '../jobs/queue';
import type { Tx } from '../jobs/types';
import { NotFoundError } from '../errors';
import { CREATE_VM_TASK, createJobKey, vmIdempotencyKey, workerJobKey } from './keys';

/** graphile-level attempts: only for unexpected crashes of the task itself (provider errors retry on our own schedule). */
export const WORKER_MAX_ATTEMPTS = 10;

export async function onRequestApproved(tx: Tx, requestId: string, audit: AuditContext): Promise<void> {
  const request = await tx.request.findUnique({
    where: { id: requestId },
    include: { items: { where: { status: { in: ['pending', 'failed'] } }, orderBy: { createdAt: 'asc' } } },
  });
  if (!request) throw new NotFoundError(`Request ${requestId}`);
  const created: string[] = [];
  for (const item of request.items) {
    for (let index = 0; index < item.quantity; index++) {
      const idempotencyKey = createJobKey(item.id, index);
      // A second call (e.g. a replayed approval) finds the existing intent and enqueues nothing new.
      const existing = await tx.provisioningJob.findUnique({ where: { idempotencyKey }, select: { id: true } });
      if (existing) continue;
      const job = await tx.provisioningJob.create({
        data: {
          kind: 'create_vm',
          idempotencyKey,
          requestItemId: item.id,
          providerAccountId: item.providerAccountId,
          requestedById: request.requesterId,
          payload: { requestId, itemId: item.id, index, vmKey: vmIdempotencyKey(item.id, index) },
        },
      });
      await enqueueJob(tx, CREATE_VM_TASK, { provisioningJobId: job.id }, { jobKey: workerJobKey(job.id), maxAttempts: WORKER_MAX_ATTEMPTS });
      created.push(job.id);
    }
  }
  if (created.length) {
    await recordAudit(tx, audit, {
      action: 'provisioning.enqueue',
      targetType: 'request',
      targetId: requestId,
      after: { provisioningJobs: created.length },
    });
  }
}
