// The admin view of background work: every ProvisioningJob (the domain record of each intended
// effect) with its derived status, graphile-worker's queue per task, and retry/cancel.
import type { Prisma, ProvisioningJob } from '@/generated/prisma/client';
import { recordAudit, type AuditContext } from '../audit/record';
import type { Db } from '../db/client';
import { ConflictError, NotFoundError } from '../errors';
import { enqueueJob, removeJobByKey } from './queue';
import { queueSummary } from './counts';
import type { JobFilter, JobPage, JobView } from './schemas';
import { JOB_VIEW_STATUSES } from './schemas';
import { CREATE_VM_TASK, workerJobKey } from '../provisioning/keys';
import { WORKER_MAX_ATTEMPTS } from '../provisioning/handoff';
import { KIND_ACTION, VM_ACTION_TASK } from '../vms/actions';
import { settle } from '../provisioning/provision';
import { transitionItem, transitionRequest } from '../requests/state-machine';

type ViewStatus = (typeof JOB_VIEW_STATUSES)[number];

function whereFor(status: ViewStatus | undefined): Prisma.ProvisioningJobWhereInput {
  switch (status) {
    case undefined:
      return {};
    case 'queued':
      return { status: 'queued', attempts: 0 };
    case 'retrying':
      return { status: 'queued', attempts: { gt: 0 } };
    default:
      return { status };
  }
}

function viewStatus(job: ProvisioningJob): ViewStatus {
  return job.status === 'queued' && job.attempts > 0 ? 'retrying' : job.status;
}

function errorText(lastError: unknown): string | null {
  return lastError && typeof lastError === 'object' && 'message' in lastError ? String((lastError as { message: unknown }).message) : null;
}

export async function listJobs(db: Db, filter: JobFilter): Promise<JobPage> {
  const where: Prisma.ProvisioningJobWhereInput = { ...whereFor(filter.status), ...(filter.kind ? { kind: filter.kind } : {}) };
  const [rows, total, grouped, queue] = await Promise.all([
    db.provisioningJob.findMany({
      where,
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      skip: (filter.page - 1) * filter.pageSize,
      take: filter.pageSize,
      include: { vm: { select: { name: true } }, requestItem: { select: { name: true, requestId: true } } },
    }),
    db.provisioningJob.count({ where }),
    db.provisioningJob.groupBy({ by: ['status'], _count: { _all: true }, where: filter.kind ? { kind: filter.kind } : {} }),
    queueSummary(db),
  ]);
  const retrying = await db.provisioningJob.count({ where: { status: 'queued', attempts: { gt: 0 }, ...(filter.kind ? { kind: filter.kind } : {}) } });
  const counts: Record<string, number> = Object.fromEntries(JOB_VIEW_STATUSES.map((s) => [s, 0]));
  for (const g of grouped) counts[g.status] = g._count._all;
  counts.queued = (counts.queued ?? 0) - retrying;
  counts.retrying = retrying;
  const jobs: JobView[] = rows.map((job) => ({
    id: job.id,
    kind: job.kind,
    status: viewStatus(job),
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    nextAttemptAt: job.status === 'queued' ? job.runAfter.toISOString() : null,
    lastError: errorText(job.lastError),
    target: job.vm?.name ?? job.requestItem?.name ?? '—',
    vmId: job.vmId,
    requestId: job.requestItem?.requestId ?? null,
    createdAt: job.createdAt.toISOString(),
    finishedAt: job.finishedAt?.toISOString() ?? null,
  }));
  return { jobs, total, page: filter.page, pageSize: filter.pageSize, counts, queue };
}

function taskOf(job: ProvisioningJob): { task: string; jobKey: string } {
  if (job.kind === 'create_vm') return { task: CREATE_VM_TASK, jobKey: workerJobKey(job.id) };
  const action = KIND_ACTION[job.kind];
  if (!action || !job.vmId) throw new ConflictError(`Jobs of kind ${job.kind} cannot be retried here.`);
  return { task: VM_ACTION_TASK, jobKey: `vm:${job.vmId}:${action}` };
}

/** Runs a failed or cancelled job again (create jobs keep their idempotency key: no second VM). */
export async function retryJob(db: Db, jobId: string, audit: AuditContext): Promise<{ jobId: string }> {
  return db.$transaction(async (tx) => {
    const job = await tx.provisioningJob.findUnique({ where: { id: jobId }, include: { requestItem: true } });
    if (!job) throw new NotFoundError('Job');
    if (job.status !== 'failed' && job.status !== 'cancelled') throw new ConflictError(`Only a failed or cancelled job can be retried; this one is ${viewStatus(job)}.`);
    const { task, jobKey } = taskOf(job);
    if (job.requestItem && job.requestItem.status === 'failed') {
      const request = await tx.request.findUniqueOrThrow({ where: { id: job.requestItem.requestId }, select: { status: true } });
      if (request.status === 'failed') {
        await transitionRequest(tx, job.requestItem.requestId, 'provisioning', { audit, type: 'item_retried', message: `An admin retried a job of ${job.requestItem.name}.` });
      }
      await transitionItem(tx, job.requestItem.id, 'provisioning', { audit, type: 'item_retried', message: `An admin retried a job of ${job.requestItem.name}.` });
    }
    await tx.provisioningJob.update({ where: { id: jobId }, data: { status: 'queued', attempts: 0, runAfter: new Date(), finishedAt: null } });
    await enqueueJob(tx, task, { provisioningJobId: jobId }, { jobKey, maxAttempts: WORKER_MAX_ATTEMPTS });
    await recordAudit(tx, audit, { action: 'job.retry', targetType: 'job', targetId: jobId, before: { status: job.status } });
    return { jobId };
  });
}

/** Cancels a job that has not started (a running one cannot be interrupted safely mid-call). */
export async function cancelJob(db: Db, jobId: string, audit: AuditContext): Promise<{ jobId: string }> {
  return db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM "ProvisioningJob" WHERE id = ${jobId} FOR UPDATE`;
    const job = await tx.provisioningJob.findUnique({ where: { id: jobId }, include: { requestItem: true } });
    if (!job) throw new NotFoundError('Job');
    if (job.status !== 'queued') throw new ConflictError(`Only a queued or retrying job can be cancelled; this one is ${viewStatus(job)}.`);
    const { jobKey } = taskOf(job);
    await removeJobByKey(tx, jobKey);
    await tx.provisioningJob.update({ where: { id: jobId }, data: { status: 'cancelled', finishedAt: new Date() } });
    if (job.requestItem) {
      const requestId = job.requestItem.requestId;
      await tx.$queryRaw`SELECT id FROM "Request" WHERE id = ${requestId} FOR UPDATE`;
      const message = `An admin cancelled a job of ${job.requestItem.name}.`;
      if (job.requestItem.status === 'provisioning') {
        await transitionItem(tx, job.requestItem.id, 'failed', { audit, type: 'item_failed', message });
      } else if (job.requestItem.status === 'pending') {
        await transitionItem(tx, job.requestItem.id, 'cancelled', { audit, type: 'cancelled', message });
      }
      const request = await tx.request.findUniqueOrThrow({ where: { id: requestId }, select: { status: true } });
      const live = await tx.provisioningJob.count({ where: { requestItem: { requestId }, status: { in: ['queued', 'running'] } } });
      // Nothing started and nothing left to run: the approved request ends as cancelled.
      if (request.status === 'approved' && live === 0) {
        await transitionRequest(tx, requestId, 'cancelled', { audit, type: 'cancelled', message });
      } else {
        await settle(tx, requestId, audit);
      }
    }
    await recordAudit(tx, audit, { action: 'job.cancel', targetType: 'job', targetId: jobId, before: { status: job.status } });
    return { jobId };
  });
}
