// Provider accounts end to end through the API against the local AWS emulator: create, test
// (region discovery), enable regions, sync seeded VMs (queued as a job: 202, then followed via
// GET …/sync), and the failure modes (bad input, wrong secret, unreachable endpoint).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '@/providers/contract/emulator';
import type { ProviderModule } from '@/providers/module';
import { callRoute, type RouteHandler } from './test-support';

process.env.SKYPORT_SECRET_KEY = randomBytes(32).toString('base64');

interface AccountView {
  id: string;
  kind: string;
  name: string;
  settings: Record<string, unknown>;
  secretFields: string[];
  status: string;
  statusMessage: string | null;
  lastTestedAt: string | null;
  lastSyncedAt: string | null;
  regions: { code: string; enabled: boolean; zones: string[] }[];
  vmCount: number;
}
interface TestOutcome { ok: boolean; detail: string; regions: string[]; error?: { code: string; message: string; providerCode?: string; providerMessage?: string } }
interface StatusRow { region: string; running: boolean; lastSuccessAt: string | null; lastError: string | null; durationMs: number | null; seen: number; discovered: number; created: number; updated: number; removed: number }
interface SyncProgress { accountId: string; state: 'idle' | 'queued' | 'running'; jobId: string | null; regionsDone: number; regionsTotal: number; seen: number; retryError: string | null; account: StatusRow | null; regions: StatusRow[] }
interface SyncQueued { accountId: string; jobId: string; state: 'queued' | 'running'; statusUrl: string; progress: SyncProgress }

describe('provider accounts API (AWS emulator)', async () => {
  const { createTestDatabase } = await import('@/lib/testing/db');
  const { setHandlerDatabase } = await import('@/lib/api/handler');
  const { createApiToken } = await import('@/lib/auth/api-tokens');
  const { auditContext, SYSTEM_ACTOR } = await import('@/lib/audit/record');
  const { configureJobs } = await import('@/lib/jobs/context');
  const { runJobsUntilIdle } = await import('@/lib/testing/jobs');
  const { tasks } = await import('@/lib/inventory/tasks');
  const { registerProvider } = await import('@/providers/registry');
  const { provider: aws } = await import('@/providers/aws');
  const { sandbox: awsSandbox } = await import('@/providers/aws/emulator');
  const collection = await import('./route');
  const item = await import('./[accountId]/route');
  const test = await import('./[accountId]/test/route');
  const sync = await import('./[accountId]/sync/route');

  registerProvider(aws as unknown as ProviderModule<unknown, unknown>);
  const { db } = await createTestDatabase();
  setHandlerDatabase(() => db);
  configureJobs({ db });

  let emulator: RunningEmulator;
  let sandbox: { settings: Record<string, unknown>; secrets: Record<string, unknown>; regions: string[] };
  let adminToken = '';
  let requesterToken = '';
  let accountId = '';

  const api = {
    list: (token = adminToken) => callRoute<{ accounts: AccountView[] }>(collection.GET as RouteHandler, 'GET', '/api/v1/provider-accounts', { token }),
    create: (body: unknown) => callRoute<AccountView>(collection.POST as RouteHandler, 'POST', '/api/v1/provider-accounts', { token: adminToken, body }),
    get: (id: string) => callRoute<AccountView>(item.GET as RouteHandler, 'GET', `/api/v1/provider-accounts/${id}`, { token: adminToken, params: { accountId: id } }),
    update: (id: string, body: unknown) =>
      callRoute<AccountView>(item.PATCH as RouteHandler, 'PATCH', `/api/v1/provider-accounts/${id}`, { token: adminToken, body, params: { accountId: id } }),
    test: (id: string) => callRoute<TestOutcome>(test.POST as RouteHandler, 'POST', `/api/v1/provider-accounts/${id}/test`, { token: adminToken, params: { accountId: id } }),
    sync: (id: string) => callRoute<SyncQueued>(sync.POST as RouteHandler, 'POST', `/api/v1/provider-accounts/${id}/sync`, { token: adminToken, params: { accountId: id } }),
    syncStatus: (id: string, token = adminToken) =>
      callRoute<SyncProgress>(sync.GET as RouteHandler, 'GET', `/api/v1/provider-accounts/${id}/sync`, { token, params: { accountId: id } }),
  };

  beforeAll(async () => {
    emulator = await awsSandbox.startEmulator();
    sandbox = awsSandbox.sandboxAccount(emulator) as typeof sandbox;
    const admin = await db.user.create({ data: { email: 'admin@test.skyport', name: 'Admin', roles: ['requester', 'approver', 'admin'] } });
    const requester = await db.user.create({ data: { email: 'req@test.skyport', name: 'Req', roles: ['requester'] } });
    const ctx = auditContext(SYSTEM_ACTOR);
    adminToken = (await createApiToken(db, admin.id, { name: 'admin', scopes: ['read', 'write'] }, ctx)).token;
    requesterToken = (await createApiToken(db, requester.id, { name: 'req', scopes: ['read', 'write'] }, ctx)).token;
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it('creates an account (201) and returns the secret field names only', async () => {
    const created = await api.create({ kind: 'aws', name: 'AWS main', settings: sandbox.settings, secrets: sandbox.secrets });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ kind: 'aws', name: 'AWS main', status: 'unknown', secretFields: ['accessKeyId', 'secretAccessKey'], regions: [], vmCount: 0 });
    expect(created.json.settings).toMatchObject({ endpoint: emulator.url, defaultRegion: 'us-east-1' });
    expect(created.text).not.toContain(String(sandbox.secrets.secretAccessKey));
    accountId = created.json.id;
    expect(await db.auditEvent.count({ where: { action: 'provider_account.create', targetId: accountId } })).toBe(1);
  });

  it('validates against the provider schemas and rejects duplicates', async () => {
    const bad = await api.create({ kind: 'aws', name: 'Bad', settings: { endpoint: 'not a url' }, secrets: { accessKeyId: 'lower', secretAccessKey: 'short' } });
    expect(bad.status).toBe(400);
    const fields = (bad.json as unknown as { errors: { field: string }[] }).errors.map((e) => e.field);
    expect(fields).toContain('settings/endpoint');
    const badSecrets = await api.create({ kind: 'aws', name: 'Bad', settings: {}, secrets: { accessKeyId: 'lower', secretAccessKey: 'short' } });
    expect((badSecrets.json as unknown as { errors: { field: string }[] }).errors.map((e) => e.field).sort()).toEqual(['secrets/accessKeyId', 'secrets/secretAccessKey']);
    expect((await api.create({ kind: 'openstack', name: 'X', settings: {}, secrets: {} })).status).toBe(400);
    const duplicate = await api.create({ kind: 'aws', name: 'AWS main', settings: sandbox.settings, secrets: sandbox.secrets });
    expect(duplicate.status).toBe(409);
  });

  it('tests the connection and discovers regions (none enabled yet)', async () => {
    const outcome = await api.test(accountId);
    expect(outcome.status).toBe(200);
    expect(outcome.json.ok).toBe(true);
    expect(outcome.json.regions).toEqual(expect.arrayContaining(['us-east-1', 'eu-west-1', 'us-west-2']));
    const account = (await api.get(accountId)).json;
    expect(account.status).toBe('ok');
    expect(account.lastTestedAt).not.toBeNull();
    expect(account.regions.map((r) => r.code)).toEqual(expect.arrayContaining(outcome.json.regions));
    expect(account.regions.every((r) => !r.enabled)).toBe(true);
    expect(account.regions.find((r) => r.code === 'us-east-1')?.zones).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);
  });

  it('refuses to sync before a region is enabled', async () => {
    const response = await api.sync(accountId);
    expect(response.status).toBe(400);
    expect(response.contentType).toContain('application/problem+json');
  });

  it('enables regions, syncs seeded VMs and reports per-region counts', async () => {
    const updated = await api.update(accountId, { enabledRegions: ['us-east-1', 'eu-west-1'] });
    expect(updated.status).toBe(200);
    expect(updated.json.regions.filter((r) => r.enabled).map((r) => r.code)).toEqual(['eu-west-1', 'us-east-1']);
    expect(updated.json.status).toBe('ok'); // regions alone do not reset the connection status

    emulator.seedVms({ region: 'us-east-1', count: 3, namePrefix: 'legacy' });
    emulator.seedVms({ region: 'eu-west-1', count: 2, namePrefix: 'legacy' });
    emulator.seedVms({ region: 'us-west-2', count: 4, namePrefix: 'ignored' });
    const first = await api.sync(accountId);
    expect(first.status).toBe(202);
    expect(first.json).toMatchObject({ accountId, state: 'queued', statusUrl: `/api/v1/provider-accounts/${accountId}/sync`, progress: { state: 'queued' } });
    expect(first.json.jobId).toMatch(/^\d+$/);
    // Asked again while it waits: the same job, not a second sync.
    const again = await api.sync(accountId);
    expect(again.json.jobId).toBe(first.json.jobId);
    expect(await db.vm.count({ where: { providerAccountId: accountId } })).toBe(0); // nothing ran inline
    await runJobsUntilIdle(db, { tasks });
    const status = (await api.syncStatus(accountId)).json;
    expect(status).toMatchObject({ accountId, state: 'idle', regionsDone: 2, regionsTotal: 2, seen: 5, retryError: null });
    expect(status.account).toMatchObject({ region: '*', running: false, lastError: null, discovered: 5, created: 5, updated: 0, removed: 0 });
    expect(status.account?.lastSuccessAt).not.toBeNull();
    expect(status.regions.map((r) => [r.region, r.discovered, r.created, r.updated, r.removed])).toEqual([
      ['eu-west-1', 2, 2, 0, 0],
      ['us-east-1', 3, 3, 0, 0],
    ]);
    const vms = await db.vm.findMany({ where: { providerAccountId: accountId } });
    expect(vms).toHaveLength(5);
    expect(vms.every((vm) => vm.providerKind === 'aws' && !vm.createdBySkyport && vm.deletedAt === null)).toBe(true);
    expect(vms.filter((vm) => vm.regionCode === 'eu-west-1')).toHaveLength(2);
    expect(vms.every((vm) => vm.providerId.startsWith('i-'))).toBe(true);

    expect((await api.sync(accountId)).status).toBe(202);
    await runJobsUntilIdle(db, { tasks });
    const second = (await api.syncStatus(accountId)).json;
    expect(second.regions.map((r) => [r.region, r.created, r.updated])).toEqual([
      ['eu-west-1', 0, 2],
      ['us-east-1', 0, 3],
    ]);
    const account = (await api.get(accountId)).json;
    expect(account.vmCount).toBe(5);
    expect(account.lastSyncedAt).not.toBeNull();
    expect((await api.list()).json.accounts.find((a) => a.id === accountId)?.vmCount).toBe(5);
    expect(await db.auditEvent.count({ where: { action: 'provider_account.sync', targetId: accountId } })).toBe(2);
    expect(await db.auditEvent.count({ where: { action: 'provider_account.sync_requested', targetId: accountId } })).toBe(3);
  });

  it('updates settings and keeps stored secrets when none are sent', async () => {
    const renamed = await api.update(accountId, { name: 'AWS primary', settings: { ...sandbox.settings, imageOwners: ['self'] }, secrets: { secretAccessKey: '' } });
    expect(renamed.status).toBe(200);
    expect(renamed.json).toMatchObject({ name: 'AWS primary', status: 'unknown', secretFields: ['accessKeyId', 'secretAccessKey'] });
    expect(renamed.json.settings.imageOwners).toEqual(['self']);
    // The kept credentials still work.
    expect((await api.test(accountId)).json.ok).toBe(true);
    expect((await api.update('missing', { name: 'x' })).status).toBe(404);
    expect((await api.update(accountId, { secrets: { accessKeyId: 'not-valid' } })).status).toBe(400);
  });

  it('a wrong secret: test answers 200 with ok:false and auth_failed; the sync job records the provider problem', async () => {
    const created = await api.create({
      kind: 'aws',
      name: 'AWS wrong secret',
      settings: sandbox.settings,
      secrets: { ...sandbox.secrets, secretAccessKey: 'definitely-not-the-secret-key' },
      enabledRegions: ['us-east-1'],
    });
    expect(created.status).toBe(201);
    const outcome = await api.test(created.json.id);
    expect(outcome.status).toBe(200);
    expect(outcome.json.ok).toBe(false);
    expect(outcome.json.error?.code).toBe('auth_failed');
    expect(outcome.json.error?.providerCode).toBeTruthy();
    expect(outcome.json.regions).toEqual([]);
    const account = (await api.get(created.json.id)).json;
    expect(account.status).toBe('error');
    expect(account.statusMessage).toBeTruthy();

    expect((await api.sync(created.json.id)).status).toBe(202);
    await runJobsUntilIdle(db, { tasks });
    // The job failed its first attempt and waits for a retry; account and status say why.
    const status = (await api.syncStatus(created.json.id)).json;
    expect(status).toMatchObject({ state: 'queued', account: { running: false, lastSuccessAt: null } });
    expect(status.retryError).toBeTruthy();
    expect(status.account?.lastError).toMatch(/./);
    expect((await api.get(created.json.id)).json.statusMessage).toMatch(/^Sync failed/);
  });

  it('an unreachable endpoint fails fast with a clear error instead of hanging', async () => {
    const created = await api.create({ kind: 'aws', name: 'AWS nowhere', settings: { ...sandbox.settings, endpoint: 'http://127.0.0.1:1' }, secrets: sandbox.secrets });
    const started = Date.now();
    const outcome = await api.test(created.json.id);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(outcome.status).toBe(200);
    expect(outcome.json.ok).toBe(false);
    expect(outcome.json.error?.code).toBe('unavailable');
    expect(outcome.json.detail).toMatch(/127\.0\.0\.1:1|ECONNREFUSED|reach/i);
  }, 30_000);

  it('404 for an unknown account, 403 for non-admins, 401 anonymous', async () => {
    expect((await api.get('nope')).status).toBe(404);
    expect((await api.test('nope')).status).toBe(404);
    expect((await api.sync('nope')).status).toBe(404);
    expect((await api.syncStatus('nope')).status).toBe(404);
    expect((await api.syncStatus(accountId, requesterToken)).status).toBe(403);
    expect((await api.list(requesterToken)).status).toBe(403);
    expect((await callRoute(collection.GET as RouteHandler, 'GET', '/api/v1/provider-accounts')).status).toBe(401);
  });
});
