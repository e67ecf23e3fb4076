// Deciding an approval. The level's row is locked (SELECT … FOR UPDATE) for the whole decision, so
// two approvers deciding at once are serialized: the first decides, the second finds it decided
// (409). A unique (step, decider) index backs this up for all-of levels.
import type { RequestStatus, StepStatus } from '@/generated/prisma/enums';
import { recordAudit, type AuditContext } from '../audit/record';
import type { Principal } from '../auth/principal';
import type { Db } from '../db/client';
import { ConflictError, DomainError, ForbiddenError, NotFoundError, ValidationError, fieldIssuesFromZod } from '../errors';
import { appendTimeline } from '../requests/timeline';
import { advanceChain, rejectChain, type Tx } from './chain';
import { requestLabel } from './context';
import { bulkDecisionInputSchema, decisionInputSchema, type BulkDecisionInput, type DecisionInput, type DecisionResult } from './schemas';

/** Decisions queue on the level's row lock; a burst of them may wait for a pool connection too. */
export const DECISION_TX = { timeout: 30_000, maxWait: 30_000 } as const;

interface LockedStep {
  id: string;
  requestId: string;
  order: number;
  name: string;
  status: StepStatus;
  mode: string;
  approverIds: string[];
  requestStatus: RequestStatus;
  requesterId: string;
  number: number;
  kind: 'provision' | 'vm_action';
}

export async function lockStep(tx: Tx, stepId: string): Promise<LockedStep | null> {
  const rows = await tx.$queryRaw<LockedStep[]>`
    SELECT s.id, s."requestId", s."order", s.name, s.status, s.mode, s."approverIds",
           r.status AS "requestStatus", r."requesterId", r.number, r.kind::text AS kind
    FROM "RequestApprovalStep" s JOIN "Request" r ON r.id = s."requestId"
    WHERE s.id = ${stepId}
    FOR UPDATE OF s`;
  return rows[0] ?? null;
}

async function decideInTx(tx: Tx, principal: Principal, stepId: string, input: { decision: 'approve' | 'reject'; comment?: string }, audit: AuditContext): Promise<DecisionResult> {
  const step = await lockStep(tx, stepId);
  if (!step) throw new NotFoundError(`Approval ${stepId}`);
  if (step.requesterId === principal.userId) throw new ForbiddenError('You cannot decide on your own request.');
  if (!step.approverIds.includes(principal.userId)) throw new ForbiddenError(`You are not an approver of level ${step.order} of ${requestLabel(step.number)}.`);
  if (step.status !== 'pending' || step.requestStatus !== 'pending_approval') {
    throw new ConflictError(
      step.status === 'pending'
        ? `${requestLabel(step.number)} is ${step.requestStatus.replace(/_/g, ' ')}; it cannot be decided any more.`
        : `Level ${step.order} of ${requestLabel(step.number)} was already decided (${step.status}).`,
    );
  }
  const already = await tx.approvalDecision.findFirst({ where: { stepId, deciderId: principal.userId }, select: { id: true } });
  if (already) throw new ConflictError(`You already approved level ${step.order} of ${requestLabel(step.number)}.`);

  const comment = input.comment?.trim() ?? '';
  await tx.approvalDecision.create({ data: { requestId: step.requestId, stepId, deciderId: principal.userId, outcome: input.decision, comment } });
  const now = new Date();
  let levelStatus: StepStatus = 'pending';
  let requestStatus: RequestStatus = 'pending_approval';

  if (input.decision === 'reject') {
    levelStatus = 'rejected';
    await tx.requestApprovalStep.update({ where: { id: stepId }, data: { status: 'rejected', decidedAt: now } });
    await appendTimeline(tx, {
      requestId: step.requestId,
      type: 'step_rejected',
      message: `${principal.name} rejected level ${step.order} (${step.name}): ${comment}`,
      actorLabel: audit.actor.label,
      data: { level: step.order, comment },
    });
    await rejectChain(tx, step.requestId, step.order, comment, audit);
    requestStatus = 'rejected';
  } else {
    const approvals = await tx.approvalDecision.count({ where: { stepId, outcome: 'approve' } });
    const complete = step.mode !== 'all' || approvals >= step.approverIds.length;
    await appendTimeline(tx, {
      requestId: step.requestId,
      type: 'step_approved',
      message:
        `${principal.name} approved level ${step.order} (${step.name})` +
        (step.mode === 'all' ? ` — ${approvals} of ${step.approverIds.length}` : '') +
        (comment ? `: ${comment}` : '.'),
      actorLabel: audit.actor.label,
      data: { level: step.order, comment, complete },
    });
    if (complete) {
      levelStatus = 'approved';
      await tx.requestApprovalStep.update({ where: { id: stepId }, data: { status: 'approved', decidedAt: now } });
      requestStatus = (await advanceChain(tx, step.requestId, step.order, audit)) === 'approved' ? 'approved' : 'pending_approval';
    }
  }
  await recordAudit(tx, audit, {
    action: `approval.${input.decision}`,
    targetType: 'request_approval_step',
    targetId: stepId,
    before: { status: 'pending' },
    after: { status: levelStatus, requestId: step.requestId, level: step.order, comment, requestStatus },
  });
  return { approvalId: stepId, requestId: step.requestId, kind: step.kind, decision: input.decision, requestStatus, levelStatus };
}

export async function decideApproval(db: Db, principal: Principal, approvalId: string, input: DecisionInput, audit: AuditContext): Promise<DecisionResult> {
  const parsed = decisionInputSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(fieldIssuesFromZod(parsed.error));
  return db.$transaction((tx) => decideInTx(tx, principal, approvalId, parsed.data, audit), DECISION_TX);
}

/** Each approval in its own transaction: one that was decided meanwhile does not undo the others. */
export async function decideApprovals(db: Db, principal: Principal, input: BulkDecisionInput, audit: AuditContext) {
  const parsed = bulkDecisionInputSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(fieldIssuesFromZod(parsed.error));
  const results: { approvalId: string; ok: boolean; requestStatus: string | null; error: string | null }[] = [];
  for (const approvalId of [...new Set(parsed.data.approvalIds)]) {
    try {
      const r = await decideApproval(db, principal, approvalId, { decision: parsed.data.decision, comment: parsed.data.comment }, audit);
      results.push({ approvalId, ok: true, requestStatus: r.requestStatus, error: null });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      results.push({ approvalId, ok: false, requestStatus: null, error: error.message });
    }
  }
  return { results };
}
