// Carrying out a day-2 action once its approval chain approved it (called by lib/approvals in the
// approving transaction, instead of the provisioning hand-off, for requests of kind vm_action), and
// settling the request when its job ends. Exactly once: the request can only move approved →
// provisioning once (row lock in transitionRequest), and the job's idempotency key is the request's.
import type { Prisma } from '@/generated/prisma/client';
import { auditContext, recordAudit, type AuditContext } from '../audit/record';
import type { Db } from '../db/client';
import { WORKER_ACTOR } from '../jobs/context';
import type { Tx } from '../jobs/types';
import { transitionRequest } from '../requests/state-machine';
import { appendTimeline } from '../requests/timeline';
import { ACTION_KIND, enqueueVmAction } from './enqueue';
import { auditVerb, describeVmAction } from './describe-action';
import { vmActionPayloadSchema } from './schemas';

const json = (v: unknown) => JSON.parse(JSON.stringify(v)) as Prisma.InputJsonValue;

export async function onVmActionApproved(tx: Tx, requestId: string, audit: AuditContext): Promise<{ jobId: string | null }> {
  const request = await tx.request.findUniqueOrThrow({ where: { id: requestId }, include: { vm: true } });
  const parsed = vmActionPayloadSchema.safeParse(request.payload);
  const label = `REQ-${request.number}`;
  const fail = async (message: string) => {
    await transitionRequest(tx, requestId, 'failed', { audit, type: 'failed', message });
    if (request.vmId) await recordAudit(tx, audit, { action: 'vm.action.failed', targetType: 'vm', targetId: request.vmId, after: { requestId, error: message } });
    return { jobId: null };
  };
  await transitionRequest(tx, requestId, 'provisioning', {
    audit,
    type: 'provisioning_started',
    message: parsed.success ? `Approved: ${describeVmAction(parsed.data)} now.` : 'Approved.',
  });
  if (!parsed.success) return fail('The stored action cannot be read; request it again.');
  const payload = parsed.data;
  const vm = request.vm;
  if (!vm || vm.deletedAt || vm.state === 'deleted') return fail('The VM no longer exists.');
  await recordAudit(tx, audit, { action: `vm.${auditVerb(payload.action)}.approved`, targetType: 'vm', targetId: vm.id, after: { requestId, number: request.number } });

  if (payload.action === 'extend_lease') {
    const to = new Date(payload.leaseTo ?? Date.now());
    // Never shortens: a lease extended meanwhile keeps the later end.
    const next = vm.leaseExpiresAt && vm.leaseExpiresAt > to ? vm.leaseExpiresAt : to;
    await tx.vm.update({ where: { id: vm.id }, data: { leaseExpiresAt: next } });
    await recordAudit(tx, audit, {
      action: 'vm.lease.extend',
      targetType: 'vm',
      targetId: vm.id,
      before: { leaseExpiresAt: vm.leaseExpiresAt },
      after: { leaseExpiresAt: next, days: payload.days, requestId },
    });
    await transitionRequest(tx, requestId, 'completed', { audit, type: 'completed', message: `Lease of ${vm.name} extended to ${next.toISOString()}.` });
    return { jobId: null };
  }

  const kind = ACTION_KIND[payload.action];
  const live = await tx.provisioningJob.findFirst({ where: { vmId: vm.id, kind, status: { in: ['queued', 'running'] } } });
  let jobId: string;
  if (live) {
    // The same action already runs (e.g. the lease cron's power-off): this request is carried out by it.
    if (payload.action === 'resize' && (live.payload as { size?: string }).size !== payload.size) {
      return fail(`Another resize of ${vm.name} is in progress; request this one again when it is done.`);
    }
    jobId = live.id;
    await tx.provisioningJob.update({ where: { id: live.id }, data: { payload: json({ ...(live.payload as object), requestId }) } });
  } else {
    ({ jobId } = await enqueueVmAction(
      tx,
      vm,
      { action: payload.action, size: payload.size, reason: `approved in ${label}`, requestId, idempotencyKey: `${payload.action}:${vm.id}:request:${requestId}` },
      audit,
      request.requesterId,
    ));
  }
  await tx.request.update({ where: { id: requestId }, data: { payload: json({ ...payload, jobId }) } });
  await appendTimeline(tx, { requestId, type: 'vm_action_queued', message: `Job ${jobId} queued.`, actorLabel: audit.actor.label, data: { jobId } });
  return { jobId };
}

/** Called by the action task when its job ends: the request completes or fails with the provider's message. */
export async function settleActionRequest(tx: Tx, requestId: string, outcome: 'completed' | 'failed', message: string, audit: AuditContext): Promise<void> {
  const rows = await tx.$queryRaw<{ status: string }[]>`SELECT status FROM "Request" WHERE id = ${requestId} FOR UPDATE`;
  if (rows[0]?.status !== 'provisioning') return;
  await transitionRequest(tx, requestId, outcome, { audit, type: outcome, message });
}

/**
 * Approved action requests whose job ended without the task settling them (an admin cancelled the
 * queued job on the jobs page): failed with the job's status. Run by the lease cron every minute.
 */
export async function settleOrphanedActionRequests(db: Db, audit: AuditContext = auditContext(WORKER_ACTOR)): Promise<number> {
  const rows = await db.$queryRaw<{ id: string; status: string; number: number }[]>`
    SELECT r.id, j.status::text AS status, r.number
      FROM "Request" r JOIN "ProvisioningJob" j ON j.id = r.payload->>'jobId'
     WHERE r.kind = 'vm_action' AND r.status = 'provisioning' AND j.status IN ('cancelled', 'failed')
     LIMIT 100`;
  for (const row of rows) {
    await db.$transaction((tx) => settleActionRequest(tx, row.id, 'failed', `The job of REQ-${row.number} was ${row.status}; nothing more will run.`, audit));
  }
  return rows.length;
}
