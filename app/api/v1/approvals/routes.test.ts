// Governance routes end to end over HTTP handlers: policies CRUD, approvals inbox + decision (two
// approvers at once through the API), notifications.
import { beforeAll, describe, expect, it } from 'vitest';
import { POST as decide } from '@/app/api/v1/approvals/[approvalId]/decision/route';
import { POST as bulk } from '@/app/api/v1/approvals/decisions/route';
import { GET as inbox } from '@/app/api/v1/approvals/route';
import { POST as markRead } from '@/app/api/v1/notifications/read/route';
import { GET as notifications } from '@/app/api/v1/notifications/route';
import { DELETE as deletePolicy, PATCH as patchPolicy } from '@/app/api/v1/policies/[policyId]/route';
import { GET as listPolicies, POST as createPolicy } from '@/app/api/v1/policies/route';
import { POST as simulate } from '@/app/api/v1/policies/simulate/route';
import { setHandlerDatabase } from '@/lib/api/handler';
import { startApprovalChain } from '@/lib/approvals/chain';
import { createPendingRequest, createWorld, type GovernanceWorld } from '@/lib/approvals/testing';
import { createApiToken } from '@/lib/auth/api-tokens';
import { auditContext, SYSTEM_ACTOR } from '@/lib/audit/record';
import type { Db } from '@/lib/db/client';
import { DEFAULT_LEVEL } from '@/lib/policy/evaluate';
import { createTestDatabase } from '@/lib/testing/db';
import { callRoute as call } from '@/lib/testing/routes';

let db: Db;
let world: GovernanceWorld;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  setHandlerDatabase(() => db);
  world = await createWorld(db, { req: ['requester'], a1: ['approver'], a2: ['approver'], adm: ['admin'] }, { owner: 'a1', projectApprovers: ['a2'] });
  for (const [key, id] of Object.entries(world.users)) tokens[key] = (await createApiToken(db, id, { name: 't', scopes: ['read', 'write'] }, auditContext(SYSTEM_ACTOR))).token;
});

async function pendingRequest() {
  const request = await createPendingRequest(db, world, 'req');
  const evaluation = {
    outcome: 'require_approval' as const,
    code: 'policy' as const,
    policy: null,
    reason: 'test',
    levels: [{ order: 1, name: 'Project approvers', mode: 'any' as const, approvers: 'project approvers', approverSpecs: [{ type: 'project_approvers' as const }], timeoutHours: null, timeoutAction: null }],
  };
  await db.$transaction((tx) => startApprovalChain(tx, { requestId: request.id, projectId: world.projectId, requesterId: world.users.req!, evaluation }, auditContext(SYSTEM_ACTOR)));
  return request;
}

describe('policies API', () => {
  it('create 201, list in order, patch, 400 with field names, simulate, delete 204', async () => {
    const created = await call(createPolicy, {
      url: '/api/v1/policies',
      method: 'POST',
      token: tokens.adm,
      body: { name: 'API chain', priority: 5, action: 'require_approval', levels: [{ ...DEFAULT_LEVEL, timeoutHours: 12, timeoutAction: 'auto_approve' }] },
    });
    expect(created.status).toBe(201);
    const id = String(created.json!.id);
    const bad = await call(createPolicy, { url: '/api/v1/policies', method: 'POST', token: tokens.adm, body: { name: 'x', action: 'reject' } });
    expect(bad.status).toBe(400);
    expect((bad.json!.errors as { field: string }[]).map((e) => e.field)).toContain('body/rejectReason');
    expect((await call(createPolicy, { url: '/api/v1/policies', method: 'POST', token: tokens.a1, body: { name: 'y', action: 'auto_approve' } })).status).toBe(403);

    const patched = await call(patchPolicy, { url: `/api/v1/policies/${id}`, method: 'PATCH', token: tokens.adm, params: { policyId: id }, body: { enabled: false } });
    expect(patched.json).toMatchObject({ enabled: false });
    const listed = await call(listPolicies, { url: '/api/v1/policies', token: tokens.adm });
    expect((listed.json!.policies as { name: string }[]).map((p) => p.name)).toContain('API chain');

    const sim = await call(simulate, { url: '/api/v1/policies/simulate', method: 'POST', token: tokens.adm, body: { policies: [{ name: 'All auto', action: 'auto_approve' }], last: 5 } });
    expect(sim.status).toBe(200);
    expect(sim.json).toMatchObject({ evaluated: expect.any(Number), changed: expect.any(Number) });

    expect((await call(deletePolicy, { url: `/api/v1/policies/${id}`, method: 'DELETE', token: tokens.adm, params: { policyId: id } })).status).toBe(204);
    expect((await call(deletePolicy, { url: `/api/v1/policies/${id}`, method: 'DELETE', token: tokens.adm, params: { policyId: id } })).status).toBe(404);
  });
});

describe('approvals API', () => {
  it('lists the approval with its context; two approvers deciding at once → one 200, one 409', async () => {
    const request = await pendingRequest();
    const listed = await call(inbox, { url: '/api/v1/approvals', token: tokens.a2 });
    const item = (listed.json!.approvals as { id: string; requestId: string; level: number }[]).find((a) => a.requestId === request.id)!;
    expect(item).toMatchObject({ level: 1, requestId: request.id });
    // The requester sees nothing of their own; an unrelated approver is refused.
    expect(((await call(inbox, { url: '/api/v1/approvals', token: tokens.adm })).json!.approvals as unknown[]).length).toBe(0);

    const [r1, r2] = await Promise.all([
      call(decide, { url: `/api/v1/approvals/${item.id}/decision`, method: 'POST', token: tokens.a1, params: { approvalId: item.id }, body: { decision: 'approve' } }),
      call(decide, { url: `/api/v1/approvals/${item.id}/decision`, method: 'POST', token: tokens.a2, params: { approvalId: item.id }, body: { decision: 'approve' } }),
    ]);
    expect([r1.status, r2.status].sort()).toEqual([200, 409]);
    expect(await db.approvalDecision.count({ where: { stepId: item.id } })).toBe(1);

    const noComment = await call(decide, { url: `/api/v1/approvals/${item.id}/decision`, method: 'POST', token: tokens.a1, params: { approvalId: item.id }, body: { decision: 'reject' } });
    expect(noComment.status).toBe(400);
    expect((noComment.json!.errors as { field: string }[]).map((e) => e.field)).toContain('body/comment');
    const unknown = await call(decide, { url: '/api/v1/approvals/nope/decision', method: 'POST', token: tokens.a1, params: { approvalId: 'nope' }, body: { decision: 'approve' } });
    expect(unknown.status).toBe(404);
  });

  it('bulk decisions report each approval', async () => {
    const a = await pendingRequest();
    const b = await pendingRequest();
    const steps = await db.requestApprovalStep.findMany({ where: { requestId: { in: [a.id, b.id] } } });
    const res = await call(bulk, { url: '/api/v1/approvals/decisions', method: 'POST', token: tokens.a2, body: { approvalIds: [...steps.map((s) => s.id), 'missing'], decision: 'reject', comment: 'Not this quarter' } });
    expect(res.status).toBe(200);
    expect((res.json!.results as { ok: boolean }[]).map((r) => r.ok)).toEqual([true, true, false]);
    expect((await db.request.findMany({ where: { id: { in: [a.id, b.id] } } })).map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});

describe('notifications API', () => {
  it('the requester sees the outcome notifications and marks them read', async () => {
    const res = await call(notifications, { url: '/api/v1/notifications?unread=true&limit=50', token: tokens.req });
    expect(res.status).toBe(200);
    const list = res.json!.notifications as { title: string }[];
    expect(list.some((n) => /was rejected/.test(n.title))).toBe(true);
    const marked = await call(markRead, { url: '/api/v1/notifications/read', method: 'POST', token: tokens.req, body: { all: true } });
    expect(marked.json).toMatchObject({ unreadCount: 0 });
    expect((await call(markRead, { url: '/api/v1/notifications/read', method: 'POST', token: tokens.req, body: {} })).status).toBe(400);
  });
});
