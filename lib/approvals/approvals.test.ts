// Approval chains on a real PostgreSQL: chain shapes, self-approval, concurrency, timeouts, inbox.
import { beforeAll, describe, expect, it } from 'vitest';
import { auditContext, SYSTEM_ACTOR } from '../audit/record';
import { actorOf } from '../auth/principal';
import type { Db } from '../db/client';
import { ConflictError, ForbiddenError, ValidationError } from '../errors';
import { evaluatePolicySet } from '../policy/evaluate';
import { policyInputSchema, type PolicyInput, type PolicyLevel } from '../policy/schemas';
import { createTestDatabase } from '../testing/db';
import { startApprovalChain } from './chain';
import { decideApproval, decideApprovals } from './decide';
import { listApprovals } from './inbox';
import { createPendingRequest, createWorld, principalOf, type GovernanceWorld } from './testing';
import { processApprovalTimeouts } from './timeouts';

let db: Db;
beforeAll(async () => {
  ({ db } = await createTestDatabase());
});

const sys = () => auditContext(SYSTEM_ACTOR);

function evaluationFor(levels: PolicyInput['levels']) {
  const policy = { id: 'p-test', ...policyInputSchema.parse({ name: 'Test chain', action: 'require_approval', levels }) };
  return evaluatePolicySet([policy], {
    projectId: 'x', templateId: 't', templateSlug: 't', providerKind: 'aws', providerAccountId: 'a', regionCode: 'r', count: 1, vcpusPerVm: 1,
    memoryMiBPerVm: 1, diskGiBPerVm: 1, estimatedMonthlyCost: 1, parameters: {}, requesterId: 'r', quotaExceeded: [], budgetExceeded: false,
  });
}

async function start(world: GovernanceWorld, requester: string, levels: PolicyLevel[] | PolicyInput['levels'], options: Parameters<typeof createPendingRequest>[3] = {}) {
  const request = await createPendingRequest(db, world, requester, options);
  const result = await db.$transaction((tx) =>
    startApprovalChain(tx, { requestId: request.id, projectId: world.projectId, requesterId: world.users[requester]!, evaluation: evaluationFor(levels) }, sys()),
  );
  return { request, result };
}

async function steps(requestId: string) {
  return db.requestApprovalStep.findMany({ where: { requestId }, orderBy: { order: 'asc' } });
}
async function status(requestId: string) {
  return (await db.request.findUniqueOrThrow({ where: { id: requestId } })).status;
}
async function timelineTypes(requestId: string) {
  return (await db.requestEvent.findMany({ where: { requestId }, orderBy: [{ at: 'asc' }, { id: 'asc' }] })).map((e) => e.type);
}
async function decide(world: GovernanceWorld, who: string, stepId: string, decision: 'approve' | 'reject', comment?: string) {
  const p = await principalOf(db, world.users[who]!);
  return decideApproval(db, p, stepId, { decision, comment }, auditContext(actorOf(p)));
}
async function rejectionOf(promise: Promise<unknown>) {
  return promise.then(() => null, (e: unknown) => e);
}

const owner: PolicyLevel = { name: 'Owner', mode: 'any', approvers: [{ type: 'project_owner' }], timeoutHours: null, timeoutAction: null };
const admins: PolicyLevel = { name: 'Admins', mode: 'any', approvers: [{ type: 'role', role: 'admin' }], timeoutHours: null, timeoutAction: null };

describe('chain shapes', () => {
  it('one any-of level: approval approves the request, hands it to provisioning and tells the requester', async () => {
    const world = await createWorld(db, { req: ['requester'], own: ['requester', 'approver'] }, { owner: 'own' });
    const { request, result } = await start(world, 'req', [owner]);
    expect(result).toBe('pending');
    const [step] = await steps(request.id);
    expect(step).toMatchObject({ status: 'pending', approverIds: [world.users.own], approversLabel: 'project owner' });
    expect(await db.notification.count({ where: { userId: world.users.own, type: 'approval_requested' } })).toBe(1);

    const r = await decide(world, 'own', step!.id, 'approve', 'ok');
    expect(r).toMatchObject({ requestStatus: 'approved', levelStatus: 'approved' });
    expect(await status(request.id)).toBe('approved');
    expect(await timelineTypes(request.id)).toEqual(expect.arrayContaining(['approval_requested', 'step_approved', 'approved']));
    expect(await db.provisioningJob.count({ where: { requestItem: { requestId: request.id } } })).toBe(2);
    const note = await db.notification.findFirstOrThrow({ where: { userId: world.users.req, type: 'request_approved' } });
    expect(note.link).toBe(`/requests/${request.id}`);
    expect(await db.auditEvent.count({ where: { action: 'approval.approve', targetId: step!.id } })).toBe(1);
  });

  it('two levels run in order: level 2 waits until level 1 approved', async () => {
    const world = await createWorld(db, { req: ['requester'], own: ['requester', 'approver'], adm: ['admin'] }, { owner: 'own' });
    const { request } = await start(world, 'req', [owner, admins]);
    let [l1, l2] = await steps(request.id);
    expect([l1!.status, l2!.status]).toEqual(['pending', 'waiting']);
    const early = await rejectionOf(decide(world, 'adm', l2!.id, 'approve'));
    expect(early).toBeInstanceOf(ConflictError);
    await decide(world, 'own', l1!.id, 'approve');
    [l1, l2] = await steps(request.id);
    expect([l1!.status, l2!.status]).toEqual(['approved', 'pending']);
    expect(await status(request.id)).toBe('pending_approval');
    expect(l2!.approverIds).toContain(world.users.adm);
    expect(await db.notification.count({ where: { userId: world.users.adm, type: 'approval_requested' } })).toBe(1);
    await decide(world, 'adm', l2!.id, 'approve');
    expect(await status(request.id)).toBe('approved');
  });

  it('an all-of level needs every approver', async () => {
    const world = await createWorld(db, { req: ['requester'], own: ['requester', 'approver'], a1: ['approver'], a2: ['approver'] }, { owner: 'own', projectApprovers: ['a1', 'a2'] });
    const level: PolicyLevel = { name: 'Both', mode: 'all', approvers: [{ type: 'user', userId: world.users.a1! }, { type: 'user', userId: world.users.a2! }], timeoutHours: null, timeoutAction: null };
    const { request } = await start(world, 'req', [level]);
    const [step] = await steps(request.id);
    expect(step!.approverIds.sort()).toEqual([world.users.a1, world.users.a2].sort());
    expect(await decide(world, 'a1', step!.id, 'approve')).toMatchObject({ levelStatus: 'pending', requestStatus: 'pending_approval' });
    expect(await rejectionOf(decide(world, 'a1', step!.id, 'approve'))).toBeInstanceOf(ConflictError);
    // a1 already approved: the inbox no longer shows it to a1, still to a2.
    expect((await listApprovals(db, await principalOf(db, world.users.a1!))).approvals.map((a) => a.id)).not.toContain(step!.id);
    const forA2 = (await listApprovals(db, await principalOf(db, world.users.a2!))).approvals.find((a) => a.id === step!.id);
    expect(forA2?.approvalsNeeded).toBe(1);
    expect(await decide(world, 'a2', step!.id, 'approve')).toMatchObject({ levelStatus: 'approved', requestStatus: 'approved' });
  });

  it('a rejection needs a comment, rejects the request, skips later levels and tells the requester why', async () => {
    const world = await createWorld(db, { req: ['requester'], own: ['requester', 'approver'], adm: ['admin'] }, { owner: 'own' });
    const { request } = await start(world, 'req', [owner, admins]);
    const [l1] = await steps(request.id);
    expect(await rejectionOf(decide(world, 'own', l1!.id, 'reject'))).toBeInstanceOf(ValidationError);
    expect(await decide(world, 'own', l1!.id, 'reject', 'Use the shared cluster')).toMatchObject({ requestStatus: 'rejected' });
    expect((await steps(request.id)).map((s) => s.status)).toEqual(['rejected', 'skipped']);
    expect(await timelineTypes(request.id)).toEqual(expect.arrayContaining(['step_rejected', 'rejected']));
    const note = await db.notification.findFirstOrThrow({ where: { userId: world.users.req, type: 'request_rejected' } });
    expect(note.body).toBe('Use the shared cluster');
    expect(await rejectionOf(decide(world, 'own', l1!.id, 'approve'))).toBeInstanceOf(ConflictError);
  });
});

describe('self-approval', () => {
  it('a requester who owns the project is skipped; the next approver decides', async () => {
    const world = await createWorld(db, { own: ['requester', 'approver'], adm: ['admin'] }, { owner: 'own' });
    const { request, result } = await start(world, 'own', [owner, admins]);
    expect(result).toBe('pending');
    const [l1, l2] = await steps(request.id);
    expect([l1!.status, l2!.status]).toEqual(['skipped', 'pending']);
    expect(l2!.approverIds).not.toContain(world.users.own);
    expect(await timelineTypes(request.id)).toContain('step_skipped');
  });

  it('every level without another approver → approved at once (the caller transitions)', async () => {
    const world = await createWorld(db, { own: ['requester', 'admin'] }, { owner: 'own' });
    const { request, result } = await start(world, 'own', [owner]);
    expect(result).toBe('approved');
    expect((await steps(request.id)).map((s) => s.status)).toEqual(['skipped']);
  });

  it('a requester holding the approver role never sees or decides their own request', async () => {
    const world = await createWorld(db, { req: ['approver', 'admin'], own: ['requester', 'approver'], adm: ['admin'] }, { owner: 'own' });
    const { request } = await start(world, 'req', [admins]);
    const [step] = await steps(request.id);
    expect(step!.approverIds).toContain(world.users.adm);
    expect(step!.approverIds).not.toContain(world.users.req);
    expect((await listApprovals(db, await principalOf(db, world.users.req!))).approvals.map((a) => a.requestId)).not.toContain(request.id);
    // Even when placed on the step by hand, the decision is refused.
    await db.requestApprovalStep.update({ where: { id: step!.id }, data: { approverIds: [...step!.approverIds, world.users.req!] } });
    expect(await rejectionOf(decide(world, 'req', step!.id, 'approve'))).toBeInstanceOf(ForbiddenError);
  });

  it('an owner who cannot use the inbox (requester role only) hands the level to the administrators, not a silent skip', async () => {
    const world = await createWorld(db, { req: ['requester'], own: ['requester'], adm: ['admin'] }, { owner: 'own' });
    const { request, result } = await start(world, 'req', [owner]);
    expect(result).toBe('pending');
    const [step] = await steps(request.id);
    expect(step!.status).toBe('pending');
    expect(step!.approverIds).toContain(world.users.adm);
    expect(step!.approverIds).not.toContain(world.users.own);
  });

  it('someone who is not an approver of the level is refused', async () => {
    const world = await createWorld(db, { req: ['requester'], own: ['requester', 'approver'], other: ['approver'] }, { owner: 'own' });
    const { request } = await start(world, 'req', [owner]);
    const [step] = await steps(request.id);
    expect(await rejectionOf(decide(world, 'other', step!.id, 'approve'))).toBeInstanceOf(ForbiddenError);
  });
});

describe('concurrency', () => {
  it('two approvers deciding at once: exactly one decision counts', async () => {
    const world = await createWorld(db, { req: ['requester'], own: ['requester', 'approver'], a1: ['approver'], a2: ['approver'] }, { owner: 'own', projectApprovers: ['a1', 'a2'] });
    const level: PolicyLevel = { name: 'Project approvers', mode: 'any', approvers: [{ type: 'project_approvers' }], timeoutHours: null, timeoutAction: null };
    for (let round = 0; round < 3; round++) {
      const { request } = await start(world, 'req', [level]);
      const [step] = await steps(request.id);
      const outcomes = await Promise.allSettled([
        decide(world, 'a1', step!.id, 'approve'),
        decide(world, 'a2', step!.id, 'reject', 'No budget'),
      ]);
      const ok = outcomes.filter((o) => o.status === 'fulfilled');
      const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(ok).toHaveLength(1);
      expect(failed).toHaveLength(1);
      expect(failed[0]!.reason).toBeInstanceOf(ConflictError);
      expect(await db.approvalDecision.count({ where: { stepId: step!.id } })).toBe(1);
      const final = await status(request.id);
      expect(['approved', 'rejected']).toContain(final);
      const types = await timelineTypes(request.id);
      expect(types.filter((t) => t === 'approved' || t === 'rejected')).toHaveLength(1);
    }
  });
});

describe('timeouts', () => {
  const later = (hours: number) => new Date(Date.now() + hours * 3_600_000);

  it.each([
    ['auto_approve', 'approved', ['approved']],
    ['reject', 'rejected', ['rejected']],
  ] as const)('timeout action %s', async (action, finalStatus, stepStatuses) => {
    const world = await createWorld(db, { req: ['requester'], own: ['requester', 'approver'] }, { owner: 'own' });
    const { request } = await start(world, 'req', [{ ...owner, timeoutHours: 24, timeoutAction: action }]);
    const [step] = await steps(request.id);
    expect(step!.dueAt!.getTime()).toBeGreaterThan(later(23).getTime());
    expect((await processApprovalTimeouts(db, { now: later(23) })).processed.map((p) => p.approvalId)).not.toContain(step!.id);
    const run = await processApprovalTimeouts(db, { now: later(25) });
    expect(run.processed).toContainEqual({ approvalId: step!.id, requestId: request.id, action });
    expect(await status(request.id)).toBe(finalStatus);
    expect((await steps(request.id)).map((s) => s.status)).toEqual(stepStatuses);
    expect(await timelineTypes(request.id)).toContain('step_timed_out');
    // Running again changes nothing.
    expect((await processApprovalTimeouts(db, { now: later(26) })).processed.map((p) => p.requestId)).not.toContain(request.id);
  });

  it('escalate moves the request to the next level and notifies its approvers', async () => {
    const world = await createWorld(db, { req: ['requester'], own: ['requester', 'approver'], adm: ['admin'] }, { owner: 'own' });
    const { request } = await start(world, 'req', [{ ...owner, timeoutHours: 2, timeoutAction: 'escalate' }, admins]);
    const [l1] = await steps(request.id);
    await processApprovalTimeouts(db, { now: later(3) });
    const [a, b] = await steps(request.id);
    expect([a!.status, b!.status]).toEqual(['skipped', 'pending']);
    expect(await status(request.id)).toBe('pending_approval');
    expect(await rejectionOf(decide(world, 'own', l1!.id, 'approve'))).toBeInstanceOf(ConflictError);
    expect(await db.notification.count({ where: { userId: world.users.adm, type: 'approval_requested' } })).toBeGreaterThanOrEqual(1);
  });

  it('a level decided before the sweep is left alone', async () => {
    const world = await createWorld(db, { req: ['requester'], own: ['requester', 'approver'] }, { owner: 'own' });
    const { request } = await start(world, 'req', [{ ...owner, timeoutHours: 1, timeoutAction: 'reject' }]);
    const [step] = await steps(request.id);
    await decide(world, 'own', step!.id, 'approve');
    await processApprovalTimeouts(db, { now: later(2) });
    expect(await status(request.id)).toBe('approved');
  });
});

describe('inbox', () => {
  it('shows full context, filters, and bulk-decides', async () => {
    const world = await createWorld(db, { req: ['requester'], own: ['requester', 'approver'] }, { owner: 'own' });
    const { request: big } = await start(world, 'req', [owner], { cost: 1500 });
    const { request: small } = await start(world, 'req', [owner], { cost: 200 });
    const me = await principalOf(db, world.users.own!);
    const { approvals } = await listApprovals(db, me, { projectId: world.projectId, sort: 'cost_desc' });
    expect(approvals.map((a) => a.requestId)).toEqual([big.id, small.id]);
    const item = approvals[0]!;
    expect(item).toMatchObject({
      requestNumber: big.number,
      level: 1,
      levelCount: 1,
      levelName: 'Owner',
      requester: { id: world.users.req },
      project: { id: world.projectId },
      estimatedMonthlyCost: '1500.00',
      policy: { name: 'Large requests' },
      budget: { budget: '5000.00', exceeded: false },
    });
    expect(item.items[0]).toMatchObject({ providerKind: 'aws', region: 'eu-west-1', count: 2, vcpus: 8, size: 'large' });
    expect(item.quota[0]).toMatchObject({ limit: 64, after: 24 });
    expect((await listApprovals(db, me, { projectId: world.projectId, minCost: 1000 })).approvals.map((a) => a.requestId)).toEqual([big.id]);
    expect((await listApprovals(db, me, { q: `REQ-${small.number}` })).approvals.map((a) => a.requestId)).toEqual([small.id]);

    const { results } = await decideApprovals(db, me, { approvalIds: approvals.map((a) => a.id), decision: 'approve' }, auditContext(actorOf(me)));
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    const again = await decideApprovals(db, me, { approvalIds: [approvals[0]!.id], decision: 'approve' }, auditContext(actorOf(me)));
    expect(again.results[0]).toMatchObject({ ok: false });
    expect((await listApprovals(db, me, { projectId: world.projectId })).approvals).toEqual([]);
  });
});
