// Provisioning hand-off (contract 3): called in the transaction that moves a request to
// `approved`. Records one ProvisioningJob per VM (item × index) and enqueues its execution in the
// same transaction, so approval and intent commit together. The request status is left alone here;
// the job moves it approved → provisioning when it starts.
import type { AuditContext } from '../audit/record';
import { recordAudit } from '../audit/record';
import { enqueueJobs } from '../jobs/queue';
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
  const intents = request.items.flatMap((item) =>
    Array.from({ length: item.quantity }, (_, index) => ({
      kind: 'create_vm' as const,
      idempotencyKey: createJobKey(item.id, index),
      requestItemId: item.id,
      providerAccountId: item.providerAccountId,
      requestedById: request.requesterId,
      payload: { requestId, itemId: item.id, index, vmKey: vmIdempotencyKey(item.id, index) },
    })),
  );
  // One INSERT for every VM; an intent that already exists (a replayed approval) is skipped by its
  // unique key and gets no second execution. Then one add_jobs for the new ones.
  const rows = intents.length ? await tx.provisioningJob.createManyAndReturn({ data: intents, skipDuplicates: true, select: { id: true } }) : [];
  const created = rows.map((row) => row.id);
  await enqueueJobs(
    tx,
    created.map((id) => ({ task: CREATE_VM_TASK, payload: { provisioningJobId: id }, options: { jobKey: workerJobKey(id), maxAttempts: WORKER_MAX_ATTEMPTS } })),
  );
  if (created.length) {
    await recordAudit(tx, audit, {
      action: 'provisioning.enqueue',
      targetType: 'request',
      targetId: requestId,
      after: { provisioningJobs: created.length },
    });
  }
}
