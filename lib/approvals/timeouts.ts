// Per-level timeouts, applied by the approvals.process_timeouts cron job: a pending level past its
// dueAt is auto-approved, rejects the request, or escalates to the next level (as its policy says).
import { auditContext, recordAudit, SYSTEM_ACTOR, type AuditContext } from '../audit/record';
import type { Db } from '../db/client';
import { appendTimeline } from '../requests/timeline';
import { activateStep, advanceChain, rejectChain } from './chain';
import { DECISION_TX, lockStep } from './decide';

export interface TimeoutRun {
  processed: { approvalId: string; requestId: string; action: string }[];
}

export async function processApprovalTimeouts(db: Db, options: { now?: Date; limit?: number; audit?: AuditContext } = {}): Promise<TimeoutRun> {
  const now = options.now ?? new Date();
  const audit = options.audit ?? auditContext(SYSTEM_ACTOR);
  const due = await db.requestApprovalStep.findMany({
    where: { status: 'pending', dueAt: { lte: now }, timeoutAction: { not: null }, request: { status: 'pending_approval' } },
    orderBy: { dueAt: 'asc' },
    take: options.limit ?? 100,
    select: { id: true },
  });
  const processed: TimeoutRun['processed'] = [];
  for (const { id } of due) {
    const result = await db.$transaction(async (tx) => {
      // Re-check under the row lock: an approver may have decided since the query above.
      const step = await lockStep(tx, id);
      if (!step || step.status !== 'pending' || step.requestStatus !== 'pending_approval') return null;
      const row = await tx.requestApprovalStep.findUniqueOrThrow({ where: { id } });
      if (!row.dueAt || row.dueAt > now || !row.timeoutAction) return null;
      const action = row.timeoutAction;
      const hours = row.timeoutHours ?? 0;
      const next = await tx.requestApprovalStep.findFirst({ where: { requestId: row.requestId, order: { gt: row.order }, status: 'waiting' }, orderBy: { order: 'asc' } });
      const effective = action === 'escalate' && !next ? 'reject' : action;
      const outcome = effective === 'auto_approve' ? 'auto-approved' : effective === 'reject' ? 'rejected' : `escalated to level ${next?.order} (${next?.name})`;
      await tx.requestApprovalStep.update({
        where: { id },
        data: { status: effective === 'auto_approve' ? 'approved' : effective === 'reject' ? 'rejected' : 'skipped', decidedAt: now },
      });
      await appendTimeline(tx, {
        requestId: row.requestId,
        type: 'step_timed_out',
        message: `Level ${row.order} (${row.name}) had no decision within ${hours} h: ${outcome}.`,
        actorLabel: audit.actor.label,
        data: { level: row.order, action: effective },
      });
      await recordAudit(tx, audit, { action: 'approval.timed_out', targetType: 'request_approval_step', targetId: id, after: { action: effective, requestId: row.requestId } });
      if (effective === 'auto_approve') await advanceChain(tx, row.requestId, row.order, audit);
      else if (effective === 'reject') await rejectChain(tx, row.requestId, row.order, `no decision at level ${row.order} (${row.name}) within ${hours} h`, audit);
      else await activateStep(tx, next!.id, audit, now);
      return { approvalId: id, requestId: row.requestId, action: effective };
    }, DECISION_TX);
    if (result) processed.push(result);
  }
  return { processed };
}
