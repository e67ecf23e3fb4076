// retryRequestItem: a failed item goes back to provisioning with the SAME idempotency keys, so a
// VM that the provider did make before the failure is found by observe() instead of duplicated.
import { recordAudit, type AuditContext } from '../audit/record';
import type { Db } from '../db/client';
import { canAccessProject, isAdmin } from '../auth/permissions';
import type { Principal } from '../auth/principal';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors';
import { enqueueJob } from '../jobs/queue';
import { transitionItem, transitionRequest } from '../requests/state-machine';
import { WORKER_MAX_ATTEMPTS } from './handoff';
import { CREATE_VM_TASK, workerJobKey } from './keys';

/** The requester, the project's owner or an admin may retry; others do not learn the request exists. */
function assertMayRetry(principal: Principal, request: { requesterId: string; projectId: string }) {
  if (isAdmin(principal) || request.requesterId === principal.userId || principal.projects[request.projectId] === 'owner') return;
  if (canAccessProject(principal, request.projectId)) throw new ForbiddenError('Only the requester, the project’s owner or an admin can retry an item.');
  throw new NotFoundError('Request');
}

export async function retryRequestItem(db: Db, requestId: string, itemId: string, audit: AuditContext, principal?: Principal): Promise<{ requeued: number }> {
  return db.$transaction(async (tx) => {
    const request = (await tx.$queryRaw<{ status: string; requesterId: string; projectId: string }[]>`
      SELECT status::text AS status, "requesterId", "projectId" FROM "Request" WHERE id = ${requestId} FOR UPDATE`)[0];
    if (!request) throw new NotFoundError('Request');
    if (principal) assertMayRetry(principal, request);
    const item = await tx.requestItem.findFirst({ where: { id: itemId, requestId }, include: { jobs: { where: { kind: 'create_vm' } } } });
    if (!item) throw new NotFoundError('Request item');
    if (item.status !== 'failed') throw new ConflictError(`Only a failed item can be retried; ${item.name} is ${item.status}.`);
    if (request.status === 'failed') {
      await transitionRequest(tx, requestId, 'provisioning', { audit, type: 'item_retried', message: `Retrying ${item.name}.` });
    }
    await transitionItem(tx, itemId, 'provisioning', { audit, type: 'item_retried', message: `Retrying ${item.name} with the same idempotency keys.` });
    const failed = item.jobs.filter((j) => j.status === 'failed' || j.status === 'cancelled');
    for (const job of failed) {
      await tx.provisioningJob.update({ where: { id: job.id }, data: { status: 'queued', attempts: 0, runAfter: new Date(), finishedAt: null } });
      await enqueueJob(tx, CREATE_VM_TASK, { provisioningJobId: job.id }, { jobKey: workerJobKey(job.id), maxAttempts: WORKER_MAX_ATTEMPTS });
    }
    await recordAudit(tx, audit, { action: 'request_item.retry', targetType: 'request_item', targetId: itemId, after: { requeued: failed.length } });
    return { requeued: failed.length };
  });
}
