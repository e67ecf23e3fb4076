// runVmAction / extendLease through their route handlers when a day-2 policy gates the action:
// 202 { jobId: null, approvalRequired, requestId, approvalId } (contract fields kept), the request
// readable through getRequest, and 409 for a rejecting policy.
import { describe, expect, it } from 'vitest';
import { callRoute, type RouteHandler } from '@/lib/testing/routes';

describe('gated day-2 actions over the API', async () => {
  const { createTestDatabase } = await import('@/lib/testing/db');
  const { setHandlerDatabase } = await import('@/lib/api/handler');
  const { createApiToken } = await import('@/lib/auth/api-tokens');
  const { auditContext, SYSTEM_ACTOR } = await import('@/lib/audit/record');
  const { configureJobs } = await import('@/lib/jobs/context');
  const { runJobsUntilIdle } = await import('@/lib/testing/jobs');
  const { createPolicy } = await import('@/lib/policy/service');
  const fixtures = await import('@/lib/provisioning/test-fixtures');
  const actionsRoute = await import('./route');
  const leaseRoute = await import('../lease/route');
  const requestRoute = await import('../../../requests/[requestId]/route');

  const { db, url } = await createTestDatabase();
  setHandlerDatabase(() => db);
  configureJobs({ db, runtime: fixtures.FAST_RUNTIME });

  it('answers 202 with the pending approval instead of a job, and 409 for a rejecting policy', async () => {
    const fixture = await fixtures.createFixture(db);
    const account = await fixtures.startEmulatedAccount(db, 'gcp');
    try {
      const { itemIds } = await fixtures.createApprovedRequest(db, fixture, [{ account, leaseDays: 3 }]);
      await runJobsUntilIdle(url, { tasks: fixtures.ENGINE_TASKS });
      const vm = await db.vm.findFirstOrThrow({ where: { requestItemId: itemIds[0] } });
      const ctx = auditContext(SYSTEM_ACTOR);
      await db.user.create({ data: { email: `approver-${vm.id}@test.skyport`, name: 'Approver', roles: ['requester', 'approver'] } });
      const level = { name: 'Approvers', mode: 'any' as const, approvers: [{ type: 'role' as const, role: 'approver' as const }] };
      await createPolicy(db, { name: `reboots ${vm.id}`, scope: 'vm_action', action: 'require_approval', conditions: { actions: ['reboot'], projectIds: [fixture.projectId] }, levels: [level] }, ctx);
      await createPolicy(db, { name: `no deletes ${vm.id}`, scope: 'vm_action', action: 'reject', rejectReason: 'Deletes go through the service desk', conditions: { actions: ['delete'], projectIds: [fixture.projectId] } }, ctx);
      const owner = (await createApiToken(db, fixture.userId, { name: 'owner', scopes: ['read', 'write'] }, ctx)).token;
      const call = (body: unknown) => callRoute(actionsRoute.POST as RouteHandler, { url: `/api/v1/vms/${vm.id}/actions`, method: 'POST', token: owner, params: { vmId: vm.id }, body });

      const gated = await call({ action: 'reboot' });
      expect(gated.status).toBe(202);
      expect(gated.json).toMatchObject({ jobId: null, approvalRequired: true, requestId: expect.any(String), requestNumber: expect.any(Number), approvalId: expect.any(String) });
      expect((await call({ action: 'reboot' })).json).toMatchObject({ requestId: gated.json!.requestId });

      const request = await callRoute(requestRoute.GET as RouteHandler, { url: `/api/v1/requests/${gated.json!.requestId}`, token: owner, params: { requestId: String(gated.json!.requestId) } });
      expect(request.status).toBe(200);
      expect(request.json).toMatchObject({ kind: 'vm_action', status: 'pending_approval', items: [], vmAction: { vmId: vm.id, action: 'reboot' } });

      const refused = await call({ action: 'delete' });
      expect(refused.status).toBe(409);
      expect(JSON.stringify(refused.json)).toContain('service desk');

      // Not gated: runs now with the contract's { jobId }.
      const stop = await call({ action: 'stop' });
      expect(stop.status).toBe(202);
      expect(stop.json).toEqual({ jobId: expect.any(String) });

      const lease = await callRoute(leaseRoute.POST as RouteHandler, { url: `/api/v1/vms/${vm.id}/lease`, method: 'POST', token: owner, params: { vmId: vm.id }, body: { days: 2 } });
      expect(lease.status).toBe(200);
      expect(lease.json).toEqual({ leaseExpiresAt: expect.any(String) });
    } finally {
      await account.emulator.close();
    }
  });
});
