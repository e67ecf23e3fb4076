// The engine's API through its route handlers: runVmAction → 202 {jobId} (a repeat is the same job),
// the admin jobs list, retryRequestItem, and job counts in /api/health.
import { describe, expect, it } from 'vitest';
import { callRoute, type RouteHandler } from '@/lib/testing/routes';

describe('engine API', async () => {
  const { createTestDatabase } = await import('@/lib/testing/db');
  const { setHandlerDatabase } = await import('@/lib/api/handler');
  const { createApiToken } = await import('@/lib/auth/api-tokens');
  const { auditContext, SYSTEM_ACTOR } = await import('@/lib/audit/record');
  const { configureJobs } = await import('@/lib/jobs/context');
  const { runJobsUntilIdle } = await import('@/lib/testing/jobs');
  const fixtures = await import('@/lib/provisioning/test-fixtures');
  const actionsRoute = await import('./route');
  const jobsRoute = await import('../../../jobs/route');
  const retryRoute = await import('../../../requests/[requestId]/items/[itemId]/retry/route');
  const healthRoute = await import('../../../../health/route');

  const { db, url } = await createTestDatabase();
  setHandlerDatabase(() => db);
  configureJobs({ db, runtime: fixtures.FAST_RUNTIME });

  it('runs an action as a job, lists it for admins, and reports queue counts', async () => {
    const fixture = await fixtures.createFixture(db);
    const account = await fixtures.startEmulatedAccount(db, 'azure');
    try {
      const { itemIds, requestId } = await fixtures.createApprovedRequest(db, fixture, [{ account }]);
      const health = await callRoute(healthRoute.GET as RouteHandler, { url: '/api/health' });
      expect(health.json).toMatchObject({ details: { jobs: { waiting: 1 } } });
      await runJobsUntilIdle(url, { tasks: fixtures.ENGINE_TASKS });
      const vm = await db.vm.findFirstOrThrow({ where: { requestItemId: itemIds[0] } });

      const ctx = auditContext(SYSTEM_ACTOR);
      const owner = (await createApiToken(db, fixture.userId, { name: 'owner', scopes: ['read', 'write'] }, ctx)).token;
      const admin = await db.user.create({ data: { email: `admin-${vm.id}@test.skyport`, name: 'Admin', roles: ['requester', 'admin'] } });
      const adminToken = (await createApiToken(db, admin.id, { name: 'admin', scopes: ['read', 'write'] }, ctx)).token;

      const call = (body: unknown) => callRoute(actionsRoute.POST as RouteHandler, { url: `/api/v1/vms/${vm.id}/actions`, method: 'POST', token: owner, params: { vmId: vm.id }, body });
      const first = await call({ action: 'stop' });
      expect(first.status).toBe(202);
      expect(first.json).toEqual({ jobId: expect.any(String) });
      expect((await call({ action: 'stop' })).json).toEqual(first.json);
      expect((await call({ action: 'reboot' })).status).toBe(409);
      expect((await call({ action: 'resize' })).status).toBe(400);
      expect((await call({ action: 'explode' })).status).toBe(400);

      const view = await callRoute(actionsRoute.GET as RouteHandler, { url: `/api/v1/vms/${vm.id}/actions`, token: owner, params: { vmId: vm.id } });
      expect(view.json).toMatchObject({ pendingAction: { jobId: first.json!.jobId, action: 'stop' } });

      const listed = await callRoute(jobsRoute.GET as RouteHandler, { url: '/api/v1/jobs?status=queued&kind=stop_vm', token: adminToken });
      expect(listed.status).toBe(200);
      expect((listed.json!.jobs as { id: string }[]).map((j) => j.id)).toContain(first.json!.jobId);
      expect((await callRoute(jobsRoute.GET as RouteHandler, { url: '/api/v1/jobs', token: owner })).status).toBe(403);

      const retry = await callRoute(retryRoute.POST as RouteHandler, {
        url: `/api/v1/requests/${requestId}/items/${itemIds[0]}/retry`,
        method: 'POST',
        token: owner,
        params: { requestId, itemId: itemIds[0]! },
        body: {},
      });
      expect(retry.status).toBe(409);
    } finally {
      await account.emulator.close();
    }
  });
});
