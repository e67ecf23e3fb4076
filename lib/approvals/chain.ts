// Approval chains (contract 5): one RequestApprovalStep per level, approvers resolved to users when
// the chain starts (the requester never among them; a level left without approvers is skipped).
// Levels run in order; only one is `pending` at a time.
import type { Prisma } from '@/generated/prisma/client';
import type { ApproverType, Role } from '@/generated/prisma/enums';
import { recordAudit, type AuditContext } from '../audit/record';
import type { Db } from '../db/client';
import { NotFoundError } from '../errors';
import { notify } from '../notifications/notify';
import { DEFAULT_LEVEL } from '../policy/evaluate';
import { describeApprovers } from '../policy/describe';
import { loadPolicyDefinitions } from '../policy/store';
import type { ApproverSpec, PolicyEvaluation, TimeoutAction } from '../policy/schemas';
import { onRequestApproved } from '../provisioning/handoff';
import { transitionRequest } from '../requests/state-machine';
import { appendTimeline } from '../requests/timeline';
import { onVmActionApproved } from '../vms/action-approval';
import { auditVerb } from '../vms/describe-action';
import { actionPayloadOf, describeRequest, loadRequestContext, requestLabel, requestSubject } from './context';

export type Tx = Prisma.TransactionClient | Db;

/** An evaluation as stored or passed by callers; levels may lack the machine-readable parts. */
export type ChainEvaluation = Omit<PolicyEvaluation, 'levels'> & {
  levels: { order: number; name: string; mode: 'any' | 'all'; approvers: string; approverSpecs?: ApproverSpec[]; timeoutHours?: number | null; timeoutAction?: TimeoutAction | null }[];
};

const HOUR = 3_600_000;

/** The users a level's approvers stand for, minus the requester (separation of duties). */
export async function resolveApprovers(tx: Tx, specs: readonly ApproverSpec[], projectId: string, requesterId: string): Promise<string[]> {
  const ids = new Set<string>();
  const roles = specs.flatMap((s) => (s.type === 'role' ? [s.role as Role] : []));
  const userIds = specs.flatMap((s) => (s.type === 'user' ? [s.userId] : []));
  const memberRoles: ('owner' | 'approver')[] = [];
  if (specs.some((s) => s.type === 'project_owner')) memberRoles.push('owner');
  if (specs.some((s) => s.type === 'project_approvers')) memberRoles.push('approver', 'owner');
  if (specs.some((s) => s.type === 'project_owner')) {
    const project = await tx.project.findUnique({ where: { id: projectId }, select: { ownerId: true } });
    if (project) ids.add(project.ownerId);
  }
  if (memberRoles.length) {
    const members = await tx.projectMembership.findMany({ where: { projectId, role: { in: memberRoles } }, select: { userId: true } });
    for (const m of members) ids.add(m.userId);
  }
  if (roles.length) {
    const users = await tx.user.findMany({ where: { roles: { hasSome: roles }, status: 'active' }, select: { id: true } });
    for (const u of users) ids.add(u.id);
  }
  for (const id of userIds) ids.add(id);
  ids.delete(requesterId);
  if (!ids.size) return [];
  // Only active accounts holding a role that may decide (approval:decide) can approve.
  const active = await tx.user.findMany({ where: { id: { in: [...ids] }, status: 'active' }, select: { id: true, roles: true }, orderBy: { id: 'asc' } });
  const able = active.filter((u) => u.roles.includes('approver') || u.roles.includes('admin'));
  if (able.length || !active.length) return able.map((u) => u.id);
  // People were named but none can use the inbox (e.g. an owner with only the requester role): the
  // level goes to the administrators rather than being skipped, which would approve it unseen.
  const admins = await tx.user.findMany({ where: { roles: { has: 'admin' }, status: 'active', id: { not: requesterId } }, select: { id: true }, orderBy: { id: 'asc' } });
  return admins.map((u) => u.id);
}

const approverTypeOf = (s: ApproverSpec | undefined): ApproverType =>
  s?.type === 'user' ? 'user' : s?.type === 'role' ? 'role' : s?.type === 'project_approvers' ? 'project_approver' : 'project_owner';

async function specsFor(tx: Tx, evaluation: ChainEvaluation): Promise<{ name: string; mode: 'any' | 'all'; approvers: ApproverSpec[]; timeoutHours: number | null; timeoutAction: TimeoutAction | null }[]> {
  const stored = evaluation.policy ? (await loadPolicyDefinitions(tx)).find((p) => p.id === evaluation.policy!.id) : undefined;
  return [...evaluation.levels]
    .sort((a, b) => a.order - b.order)
    .map((level, i) => {
      const fromPolicy = stored?.levels[level.order - 1];
      const approvers = level.approverSpecs ?? fromPolicy?.approvers ?? DEFAULT_LEVEL.approvers;
      return {
        name: level.name || fromPolicy?.name || `Level ${i + 1}`,
        mode: level.mode ?? fromPolicy?.mode ?? 'any',
        approvers,
        timeoutHours: level.timeoutHours !== undefined ? level.timeoutHours : (fromPolicy?.timeoutHours ?? null),
        timeoutAction: level.timeoutAction !== undefined ? level.timeoutAction : (fromPolicy?.timeoutAction ?? null),
      };
    });
}

export async function startApprovalChain(
  tx: Tx,
  input: { requestId: string; projectId: string; requesterId: string; evaluation: ChainEvaluation },
  audit: AuditContext,
): Promise<'pending' | 'approved'> {
  const levels = await specsFor(tx, input.evaluation);
  const created: { id: string; order: number; skipped: boolean }[] = [];
  for (const [i, level] of levels.entries()) {
    const approverIds = await resolveApprovers(tx, level.approvers, input.projectId, input.requesterId);
    const first = level.approvers[0];
    const step = await tx.requestApprovalStep.create({
      data: {
        requestId: input.requestId,
        order: i + 1,
        name: level.name.slice(0, 100),
        approverType: approverTypeOf(first),
        approverUserId: first?.type === 'user' ? first.userId : null,
        approverRole: first?.type === 'role' ? first.role : null,
        status: approverIds.length ? 'waiting' : 'skipped',
        mode: level.mode,
        approverIds,
        approversLabel: describeApprovers(level.approvers),
        timeoutHours: level.timeoutHours,
        timeoutAction: level.timeoutHours !== null ? level.timeoutAction : null,
      },
    });
    created.push({ id: step.id, order: i + 1, skipped: approverIds.length === 0 });
    if (!approverIds.length) {
      await appendTimeline(tx, {
        requestId: input.requestId,
        type: 'step_skipped',
        message: `Level ${i + 1} (${level.name}) skipped: no approver other than the requester.`,
        actorLabel: audit.actor.label,
        data: { level: i + 1 },
      });
    }
  }
  await recordAudit(tx, audit, {
    action: 'approval_chain.started',
    targetType: 'request',
    targetId: input.requestId,
    after: { levels: created.map((c) => ({ order: c.order, skipped: c.skipped })), policy: input.evaluation.policy },
  });
  const next = created.find((c) => !c.skipped);
  if (!next) return 'approved';
  await activateStep(tx, next.id, audit);
  return 'pending';
}

/** Makes a level the pending one: due time, timeline, and a notification to its approvers. */
export async function activateStep(tx: Tx, stepId: string, audit: AuditContext, now = new Date()): Promise<void> {
  const step = await tx.requestApprovalStep.findUnique({ where: { id: stepId } });
  if (!step) throw new NotFoundError(`Approval ${stepId}`);
  const dueAt = step.timeoutHours ? new Date(now.getTime() + step.timeoutHours * HOUR) : null;
  await tx.requestApprovalStep.update({ where: { id: stepId }, data: { status: 'pending', activatedAt: now, dueAt } });
  const request = await loadRequestContext(tx, step.requestId);
  if (!request) throw new NotFoundError(`Request ${step.requestId}`);
  await appendTimeline(tx, {
    requestId: step.requestId,
    type: 'approval_requested',
    message: `Waiting for level ${step.order} (${step.name}): ${step.approversLabel}${step.mode === 'all' ? ' (all must approve)' : ''}.`,
    actorLabel: audit.actor.label,
    data: { level: step.order, approverIds: step.approverIds, dueAt: dueAt?.toISOString() ?? null },
  });
  const label = requestLabel(request.number);
  const details = describeRequest(request);
  await notify(tx, {
    userIds: step.approverIds,
    type: 'approval_requested',
    title: `${label} waits for your approval`,
    body: `${request.requester.name} ${requestSubject(request)} for ${request.project.name} (${request.estimatedMonthlyCost.toFixed(2)} ${request.currency}/month).`,
    link: `/approvals?q=${request.number}`,
    requestId: request.id,
    email: {
      subject: `[Skyport] ${label} waits for your approval (level ${step.order}: ${step.name})`,
      text: [`${label} waits for your approval at level ${step.order} (${step.name}).`, '', ...details, ...(dueAt ? [`Decide before: ${dueAt.toISOString()}`] : [])].join('\n'),
    },
  });
}

/** After a level is approved: the next waiting level becomes pending, or the request is approved. */
export async function advanceChain(tx: Tx, requestId: string, afterOrder: number, audit: AuditContext): Promise<'pending' | 'approved'> {
  const next = await tx.requestApprovalStep.findFirst({
    where: { requestId, order: { gt: afterOrder }, status: 'waiting' },
    orderBy: { order: 'asc' },
  });
  if (next) {
    await activateStep(tx, next.id, audit);
    return 'pending';
  }
  await transitionRequest(tx, requestId, 'approved', { audit, type: 'approved', message: 'Every approval level approved the request.' });
  const kind = (await tx.request.findUnique({ where: { id: requestId }, select: { kind: true } }))?.kind;
  // A day-2 action is carried out by the VM engine, not the provisioning hand-off.
  if (kind === 'vm_action') await onVmActionApproved(tx, requestId, audit);
  else await onRequestApproved(tx, requestId, audit);
  const request = await loadRequestContext(tx, requestId);
  if (request) {
    const label = requestLabel(request.number);
    await notify(tx, {
      userIds: [request.requesterId],
      type: 'request_approved',
      title: `${label} was approved`,
      body: request.kind === 'vm_action' ? `Your request to ${actionPayloadOf(request)?.summary ?? 'act on a VM'} was approved and runs now.` : `Your request for ${request.project.name} was approved and goes to provisioning.`,
      link: `/requests/${request.id}`,
      requestId: request.id,
      email: { subject: `[Skyport] ${label} was approved`, text: [`${label} was approved.`, '', ...describeRequest(request)].join('\n') },
    });
  }
  return 'approved';
}

/** A rejected level rejects the request; later levels are skipped. */
export async function rejectChain(tx: Tx, requestId: string, stepOrder: number, reason: string, audit: AuditContext): Promise<void> {
  await tx.requestApprovalStep.updateMany({ where: { requestId, order: { gt: stepOrder }, status: 'waiting' }, data: { status: 'skipped' } });
  await transitionRequest(tx, requestId, 'rejected', { audit, type: 'rejected', message: `Rejected: ${reason}`, data: { level: stepOrder, comment: reason } });
  const request = await loadRequestContext(tx, requestId);
  const action = request ? actionPayloadOf(request) : null;
  if (request?.vmId && action) {
    // The VM's history shows the refused action too (nothing ran at the provider).
    await recordAudit(tx, audit, { action: `vm.${auditVerb(action.payload.action)}.rejected`, targetType: 'vm', targetId: request.vmId, after: { requestId, number: request.number, reason } });
  }
  if (request) {
    const label = requestLabel(request.number);
    await notify(tx, {
      userIds: [request.requesterId],
      type: 'request_rejected',
      title: `${label} was rejected`,
      body: reason,
      link: `/requests/${request.id}`,
      requestId: request.id,
      email: { subject: `[Skyport] ${label} was rejected`, text: [`${label} was rejected.`, `Comment: ${reason}`, '', ...describeRequest(request)].join('\n') },
    });
  }
}
