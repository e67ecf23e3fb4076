// Route-level tests of the request API: real handlers, a real PostgreSQL, real API tokens, the
// catalog's templates, governance's policies and the engine's hand-off.
import { beforeAll, describe, expect, it } from 'vitest';
import { POST as cancel } from '@/app/api/v1/requests/[requestId]/cancel/route';
import { GET as getOne } from '@/app/api/v1/requests/[requestId]/route';
import { POST as submit } from '@/app/api/v1/requests/[requestId]/submit/route';
import { GET as list, POST as create } from '@/app/api/v1/requests/route';
import { POST as estimate } from '@/app/api/v1/estimates/route';
import { setHandlerDatabase } from '@/lib/api/handler';
import type { Db } from '@/lib/db/client';
import { createPolicy } from '@/lib/policy/service';
import { AUDIT, createRequestsFixture, type RequestsFixture } from '@/lib/requests/test-fixtures';
import { createTestDatabase } from '@/lib/testing/db';
import { callRoute } from '@/lib/testing/routes';

let db: Db;
let f: RequestsFixture;

const body = (over: Record<string, unknown> = {}) => ({
  projectId: f.projectId,
  templateId: f.templateId,
  size: 'small',
  providerAccountId: f.awsAccountId,
  region: 'us-east-1',
  count: 1,
  justification: 'Test box',
  parameters: { environment: 'dev' },
  ...over,
});

const post = (token: string, over: Record<string, unknown> = {}) => callRoute(create, { url: '/api/v1/requests', method: 'POST', token, body: body(over) });
const read = (token: string, id: string) => callRoute(getOne, { url: `/api/v1/requests/${id}`, token, params: { requestId: id } });
const types = (json: Record<string, unknown> | null) => ((json?.timeline ?? []) as { type: string }[]).map((t) => t.type);

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  setHandlerDatabase(() => db);
  f = await createRequestsFixture(db);
});

describe('POST /api/v1/estimates', () => {
  it('prices every enabled, allowed placement side by side, marks the cheapest, previews quota, budget and policy', async () => {
    const res = await callRoute(estimate, { url: '/api/v1/estimates', method: 'POST', token: f.tokens.requester, body: { projectId: f.projectId, templateId: f.templateId, size: 'small', count: 2 } });
    expect(res.status).toBe(200);
    const placements = res.json!.placements as { providerKind: string; region: string; monthlyCost: string; cheapest: boolean; currency: string }[];
    expect(placements.map((p) => `${p.providerKind}:${p.region}:${p.monthlyCost}:${p.cheapest}`)).toEqual([
      'aws:us-east-1:14.60:true',
      'aws:eu-west-1:29.20:false',
      'vsphere:dc1:31.20:false',
    ]);
    expect(placements.every((p) => p.currency === 'USD')).toBe(true);
    expect(res.json!.selected).toEqual({ providerAccountId: f.awsAccountId, region: 'us-east-1' });
    expect(res.json!.quota).toMatchObject({ exceeded: [], lines: expect.arrayContaining([expect.objectContaining({ name: 'VMs (all providers)', limit: 20, used: 0, requested: 2, after: 2, remaining: 18 })]) });
    expect(res.json!.budget).toMatchObject({ budget: null, committed: '0.00', request: '14.60', after: '14.60', exceeded: false });
    expect(res.json!.policy).toMatchObject({ outcome: 'auto_approve', policy: { name: 'Small auto' }, summary: 'auto-approved' });
  });

  it('previews the chosen placement; a large size needs the owner; 25 VMs previews the rejection', async () => {
    const large = await callRoute(estimate, {
      url: '/api/v1/estimates', method: 'POST', token: f.tokens.requester,
      body: { projectId: f.projectId, templateId: f.templateId, size: 'large', count: 1, providerAccountId: f.vsphereAccountId, region: 'dc1' },
    });
    expect(large.json!.selected).toEqual({ providerAccountId: f.vsphereAccountId, region: 'dc1' });
    expect(large.json!.budget).toMatchObject({ request: '92.60' });
    expect(large.json!.policy).toMatchObject({ outcome: 'require_approval', summary: expect.stringContaining('needs approval by project owner') });
    const many = await callRoute(estimate, { url: '/api/v1/estimates', method: 'POST', token: f.tokens.requester, body: { projectId: f.projectId, templateId: f.templateId, size: 'small', count: 25 } });
    expect(many.json!.policy).toMatchObject({ outcome: 'reject', code: 'quota_exceeded', summary: expect.stringContaining('will be rejected') });
    expect((many.json!.placements as { quotaExceeded: boolean }[]).every((p) => p.quotaExceeded)).toBe(true);
  });

  it('400 for an unknown size, 403 for a foreign project, 403 for a read-only-less outsider', async () => {
    const bad = await callRoute(estimate, { url: '/api/v1/estimates', method: 'POST', token: f.tokens.requester, body: { projectId: f.projectId, templateId: f.templateId, size: 'huge', count: 1 } });
    expect(bad.status).toBe(400);
    expect(bad.json!.errors).toEqual([expect.objectContaining({ field: 'body/size' })]);
    const foreign = await callRoute(estimate, { url: '/api/v1/estimates', method: 'POST', token: f.tokens.outsider, body: { projectId: f.projectId, templateId: f.templateId, size: 'small', count: 1 } });
    expect(foreign.status).toBe(403);
  });
});

describe('POST /api/v1/requests', () => {
  it('a small request is auto-approved by the policy and handed to the engine in the same transaction', async () => {
    const res = await post(f.tokens.requester);
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ status: 'approved', estimatedMonthlyCost: '7.30', currency: 'USD', policy: { name: 'Small auto', code: 'policy' } });
    const id = String(res.json!.id);
    const jobs = await db.provisioningJob.count({ where: { requestItem: { requestId: id } } });
    expect(jobs).toBe(1);
    const detail = await read(f.tokens.requester, id);
    expect(detail.status).toBe(200);
    expect(types(detail.json)).toEqual(['created', 'submitted', 'auto_approved']);
    expect(detail.json!.items).toEqual([expect.objectContaining({ status: 'pending', size: 'small', instanceType: 't3.small', region: 'us-east-1', count: 1, parameters: { environment: 'dev' }, leaseDays: 30 })]);
    const item = await db.requestItem.findFirstOrThrow({ where: { requestId: id } });
    expect(item.size).toBe('t3.small');
    expect(await db.auditEvent.count({ where: { targetId: id, action: { in: ['request.create', 'request.approved'] } } })).toBe(2);
  });

  it('a large request waits for the project owner, with the policy and the chain on the request', async () => {
    const res = await post(f.tokens.requester, { size: 'large', count: 2, providerAccountId: f.awsAccountId, region: 'eu-west-1' });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ status: 'pending_approval', estimatedMonthlyCost: '146.00', policy: { name: 'Owner approves' } });
    const detail = await read(f.tokens.requester, String(res.json!.id));
    expect(types(detail.json)).toEqual(['created', 'submitted', 'approval_requested']);
    expect(detail.json!.approvals).toEqual([expect.objectContaining({ order: 1, name: 'Project owner', status: 'pending' })]);
    expect((detail.json!.policy as { reason: string }).reason).toContain('Owner approves');
  });

  it('25 VMs against the quota of 20 → 409 problem+json naming the quota, nothing saved', async () => {
    const before = await db.request.count();
    const res = await post(f.tokens.requester, { count: 25 });
    expect(res.status).toBe(409);
    expect(res.type).toContain('application/problem+json');
    // 25 + the VMs of the earlier in-flight requests of this file (1 approved, 2 pending).
    expect(String(res.json!.detail)).toContain('VMs (all providers): 28 after this request, limit 20');
    expect(await db.request.count()).toBe(before);
  });

  it('validates at the edge and against the template: field errors, nothing saved', async () => {
    const before = await db.request.count();
    const missing = await callRoute(create, { url: '/api/v1/requests', method: 'POST', token: f.tokens.requester, body: { projectId: f.projectId, count: 0 } });
    expect(missing.status).toBe(400);
    expect((missing.json!.errors as { field: string }[]).map((e) => e.field).sort()).toEqual(['body/count', 'body/providerAccountId', 'body/region', 'body/size', 'body/templateId']);
    const param = await post(f.tokens.requester, { parameters: { environment: 'staging', hostname: 'Bad Name', extra: 1 } });
    expect(param.status).toBe(400);
    expect((param.json!.errors as { field: string }[]).map((e) => e.field).sort()).toEqual(['body/parameters/environment', 'body/parameters/extra', 'body/parameters/hostname']);
    const region = await post(f.tokens.requester, { region: 'ap-south-1' });
    expect(region.status).toBe(400);
    expect(region.json!.errors).toEqual([expect.objectContaining({ field: 'body/region' })]);
    const lease = await post(f.tokens.requester, { leaseDays: 365 });
    expect(lease.json!.errors).toEqual([{ field: 'body/leaseDays', message: 'At most 90 days for this template.' }]);
    const foreign = await post(f.tokens.outsider);
    expect(foreign.status).toBe(403);
    expect((await callRoute(create, { url: '/api/v1/requests', method: 'POST', body: body() })).status).toBe(401);
    expect(await db.request.count()).toBe(before);
  });

  it('saves a draft (submit: false) that counts against nothing, then submits it', async () => {
    const draft = await post(f.tokens.requester, { submit: false, count: 3 });
    expect(draft.status).toBe(201);
    expect(draft.json).toMatchObject({ status: 'draft', policy: { id: null, name: null } });
    const id = String(draft.json!.id);
    const detail = await read(f.tokens.requester, id);
    expect(detail.json!.actions).toEqual({ cancel: true, submit: true });
    expect(await db.provisioningJob.count({ where: { requestItem: { requestId: id } } })).toBe(0);

    expect((await callRoute(submit, { url: `/api/v1/requests/${id}/submit`, method: 'POST', token: f.tokens.member2, params: { requestId: id } })).status).toBe(403);
    const submitted = await callRoute(submit, { url: `/api/v1/requests/${id}/submit`, method: 'POST', token: f.tokens.requester, params: { requestId: id } });
    expect(submitted.status).toBe(200);
    expect(submitted.json).toMatchObject({ status: 'approved', estimatedMonthlyCost: '21.90' });
    const again = await callRoute(submit, { url: `/api/v1/requests/${id}/submit`, method: 'POST', token: f.tokens.requester, params: { requestId: id } });
    expect(again.status).toBe(409);
    expect(types((await read(f.tokens.requester, id)).json)).toEqual(['created', 'submitted', 'auto_approved']);
  });
});

describe('cancel, get and list', () => {
  it('the requester cancels a pending request; a second cancel is a clear 409; others get 403/404', async () => {
    const created = await post(f.tokens.requester, { size: 'large' });
    const id = String(created.json!.id);
    const url = `/api/v1/requests/${id}/cancel`;
    expect((await callRoute(cancel, { url, method: 'POST', token: f.tokens.member2, params: { requestId: id }, body: {} })).status).toBe(403);
    expect((await callRoute(cancel, { url, method: 'POST', token: f.tokens.outsider, params: { requestId: id }, body: {} })).status).toBe(404);
    const ok = await callRoute(cancel, { url, method: 'POST', token: f.tokens.requester, params: { requestId: id }, body: { reason: 'Not needed' } });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ status: 'cancelled', items: [expect.objectContaining({ status: 'cancelled' })], actions: { cancel: false, submit: false } });
    expect(types(ok.json)).toContain('cancelled');
    // Its open approval levels close with it, so no inbox or timeout job acts on it later.
    expect(await db.requestApprovalStep.count({ where: { requestId: id } })).toBeGreaterThan(0);
    expect(await db.requestApprovalStep.count({ where: { requestId: id, status: { in: ['waiting', 'pending'] } } })).toBe(0);
    const twice = await callRoute(cancel, { url, method: 'POST', token: f.tokens.requester, params: { requestId: id }, body: {} });
    expect(twice.status).toBe(409);
    expect(String(twice.json!.detail)).toMatch(/cannot go from cancelled to cancelled \(cancelled is final\)/);
  });

  it('GET: project members and admins see a request, outsiders get 404', async () => {
    const created = await post(f.tokens.requester);
    const id = String(created.json!.id);
    expect((await read(f.tokens.member2, id)).status).toBe(200);
    expect((await read(f.tokens.admin, id)).status).toBe(200);
    expect((await read(f.tokens.outsider, id)).status).toBe(404);
    expect((await read(f.tokens.requester, 'nope')).status).toBe(404);
  });

  it('lists with server-side filter, sort and paging', async () => {
    const mine = await callRoute(list, { url: '/api/v1/requests?pageSize=2&sort=number&order=asc', token: f.tokens.requester });
    expect(mine.status).toBe(200);
    const total = Number(mine.json!.total);
    expect(total).toBeGreaterThanOrEqual(5);
    const numbers = (mine.json!.items as { number: number }[]).map((r) => r.number);
    expect(numbers).toHaveLength(2);
    expect(numbers[0]!).toBeLessThan(numbers[1]!);
    const page2 = await callRoute(list, { url: '/api/v1/requests?pageSize=2&page=2&sort=number&order=asc', token: f.tokens.requester });
    expect((page2.json!.items as { number: number }[])[0]!.number).toBeGreaterThan(numbers[1]!);
    const cancelled = await callRoute(list, { url: '/api/v1/requests?status=cancelled', token: f.tokens.requester });
    expect((cancelled.json!.items as { status: string }[]).every((r) => r.status === 'cancelled')).toBe(true);
    expect(Number(cancelled.json!.total)).toBeGreaterThanOrEqual(1);
    expect((await callRoute(list, { url: '/api/v1/requests', token: f.tokens.member2 })).json!.total).toBe(0);
    expect(Number((await callRoute(list, { url: '/api/v1/requests?scope=projects', token: f.tokens.member2 })).json!.total)).toBe(total);
    const byNumber = await callRoute(list, { url: `/api/v1/requests?q=REQ-${numbers[0]}`, token: f.tokens.requester });
    expect((byNumber.json!.items as { number: number }[]).map((r) => r.number)).toContain(numbers[0]);
    expect((await callRoute(list, { url: '/api/v1/requests?pageSize=1000', token: f.tokens.requester })).status).toBe(400);
  });
});

describe('policy rejection', () => {
  it('a request a policy rejects is stored as rejected with the policy and its reason', async () => {
    await createPolicy(db, { name: 'No on-prem', priority: 1, action: 'reject', rejectReason: 'vSphere is being retired', conditions: { providerKinds: ['vsphere'] } }, AUDIT);
    const res = await post(f.tokens.requester, { providerAccountId: f.vsphereAccountId, region: 'dc1' });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ status: 'rejected', policy: { name: 'No on-prem', code: 'policy', reason: expect.stringContaining('vSphere is being retired') } });
    const detail = await read(f.tokens.requester, String(res.json!.id));
    expect(types(detail.json)).toEqual(['created', 'submitted', 'rejected']);
    expect(await db.provisioningJob.count({ where: { requestItem: { requestId: String(res.json!.id) } } })).toBe(0);
    const stored = await db.request.findUniqueOrThrow({ where: { id: String(res.json!.id) } });
    expect(stored.decidedAt).not.toBeNull();
    expect(stored.policyReason).toContain('vSphere is being retired');
  });
});
