// THE SECRET TEST. Unique secret strings are planted as provider credentials and pushed through
// create/get/list/test/sync/update via the API while every console and stdout/stderr write is
// captured. Then every table of the database is dumped as JSON. The planted secrets must appear in
// no API response, no log line and no row; only their ciphertext is stored, and decrypting that
// envelope with the key gives them back.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunningEmulator } from '@/providers/contract/emulator';
import type { ProviderModule } from '@/providers/module';
import { callRoute, type RouteHandler } from './test-support';

const KEY = randomBytes(32).toString('base64');
process.env.SKYPORT_SECRET_KEY = KEY;

describe('provider credentials never leak (API responses, logs, database)', async () => {
  const { createTestDatabase } = await import('@/lib/testing/db');
  const { setHandlerDatabase } = await import('@/lib/api/handler');
  const { createApiToken } = await import('@/lib/auth/api-tokens');
  const { auditContext, SYSTEM_ACTOR } = await import('@/lib/audit/record');
  const { decryptJson, parseSecretKey } = await import('@/lib/crypto/secrets');
  const { registerProvider } = await import('@/providers/registry');
  const { provider: aws } = await import('@/providers/aws');
  const { sandbox: awsSandbox } = await import('@/providers/aws/emulator');
  const collection = await import('./route');
  const item = await import('./[accountId]/route');
  const test = await import('./[accountId]/test/route');
  const sync = await import('./[accountId]/sync/route');
  const { configureJobs } = await import('@/lib/jobs/context');
  const { runJobsUntilIdle } = await import('@/lib/testing/jobs');
  const { tasks: inventoryTasks } = await import('@/lib/inventory/tasks');

  registerProvider(aws as unknown as ProviderModule<unknown, unknown>);
  const { db } = await createTestDatabase();
  setHandlerDatabase(() => db);
  configureJobs({ db });

  // Distinct, unguessable markers. The session token rides along on every (successful) emulator
  // call; the wrong secret key drives the failure paths; the replacement arrives through update.
  const marker = () => `PLANTED${randomBytes(12).toString('hex')}SECRET`;
  const PLANTED_SESSION_TOKEN = marker();
  const PLANTED_WRONG_SECRET = `${marker()}/wrong`;
  const PLANTED_REPLACEMENT = marker();
  const PLANTED = [PLANTED_SESSION_TOKEN, PLANTED_WRONG_SECRET, PLANTED_REPLACEMENT];

  let emulator: RunningEmulator;
  let sandbox: { settings: Record<string, unknown>; secrets: Record<string, string>; regions: string[] };
  let token = '';
  const responses: string[] = [];
  const logs: string[] = [];
  const restores: (() => void)[] = [];

  async function call<T>(handler: unknown, method: string, path: string, options: { body?: unknown; params?: Record<string, string> } = {}) {
    const result = await callRoute<T>(handler as RouteHandler, method, path, { token, ...options });
    responses.push(`${method} ${path} ${result.status} ${result.text}`);
    return result;
  }

  function capture() {
    for (const stream of [process.stdout, process.stderr]) {
      const original = stream.write.bind(stream);
      const spy = vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
        logs.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
        return (original as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
      });
      restores.push(() => spy.mockRestore());
    }
    for (const level of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
      const spy = vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        logs.push(args.map((a) => (a instanceof Error ? `${a.stack} ${JSON.stringify(a)} ${String(a.cause)}` : typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
      });
      restores.push(() => spy.mockRestore());
    }
  }

  beforeAll(async () => {
    emulator = await awsSandbox.startEmulator();
    sandbox = awsSandbox.sandboxAccount(emulator) as typeof sandbox;
    const admin = await db.user.create({ data: { email: 'admin@test.skyport', name: 'Admin', roles: ['requester', 'admin'] } });
    token = (await createApiToken(db, admin.id, { name: 'admin', scopes: ['read', 'write'] }, auditContext(SYSTEM_ACTOR))).token;
    emulator.seedVms({ region: 'us-east-1', count: 2 });
  });
  afterAll(async () => {
    for (const restore of restores) restore();
    await emulator?.close();
  });

  // Every test below checks the output of this one exercise, and runs it itself (once per file)
  // so that each test also passes or fails on its own when run alone (-t).
  let exercise: Promise<void> | undefined;
  const exercised = () => (exercise ??= runExercise());
  async function runExercise() {
    capture();
    try {
      const good = await call<{ id: string; secretFields: string[] }>(collection.POST, 'POST', '/api/v1/provider-accounts', {
        body: { kind: 'aws', name: 'Planted', settings: sandbox.settings, secrets: { ...sandbox.secrets, sessionToken: PLANTED_SESSION_TOKEN } },
      });
      expect(good.status).toBe(201);
      expect(good.json.secretFields).toEqual(['accessKeyId', 'secretAccessKey', 'sessionToken']);
      const id = good.json.id;
      const params = { accountId: id };
      expect((await call(item.GET, 'GET', `/api/v1/provider-accounts/${id}`, { params })).status).toBe(200);
      expect((await call(collection.GET, 'GET', '/api/v1/provider-accounts')).status).toBe(200);
      expect((await call<{ ok: boolean }>(test.POST, 'POST', `/api/v1/provider-accounts/${id}/test`, { params })).json.ok).toBe(true);
      expect((await call(item.PATCH, 'PATCH', `/api/v1/provider-accounts/${id}`, { params, body: { enabledRegions: ['us-east-1'] } })).status).toBe(200);
      // The sync runs as a job (with the planted credentials, inside the capture).
      expect((await call(sync.POST, 'POST', `/api/v1/provider-accounts/${id}/sync`, { params })).status).toBe(202);
      await runJobsUntilIdle(db, { tasks: inventoryTasks });
      expect((await call<{ account: { discovered: number } }>(sync.GET, 'GET', `/api/v1/provider-accounts/${id}/sync`, { params })).json.account.discovered).toBe(2);
      // Replace one credential through update; the rest are kept.
      const replaced = await call(item.PATCH, 'PATCH', `/api/v1/provider-accounts/${id}`, {
        params,
        body: { description: 'rotated', secrets: { sessionToken: PLANTED_REPLACEMENT, secretAccessKey: '' } },
      });
      expect(replaced.status).toBe(200);
      expect((await call<{ ok: boolean }>(test.POST, 'POST', `/api/v1/provider-accounts/${id}/test`, { params })).json.ok).toBe(true);

      // Failure paths: an invalid credential (400), a wrong secret (test ok:false, the sync job fails).
      const invalid = await call(collection.POST, 'POST', '/api/v1/provider-accounts', {
        body: { kind: 'aws', name: 'Invalid', settings: sandbox.settings, secrets: { accessKeyId: PLANTED_WRONG_SECRET, secretAccessKey: PLANTED_WRONG_SECRET } },
      });
      expect(invalid.status).toBe(400);
      const wrong = await call<{ id: string }>(collection.POST, 'POST', '/api/v1/provider-accounts', {
        body: { kind: 'aws', name: 'Wrong', settings: sandbox.settings, secrets: { ...sandbox.secrets, secretAccessKey: PLANTED_WRONG_SECRET }, enabledRegions: ['us-east-1'] },
      });
      const wrongParams = { accountId: wrong.json.id };
      const failed = await call<{ ok: boolean; error?: { code: string } }>(test.POST, 'POST', `/api/v1/provider-accounts/${wrong.json.id}/test`, { params: wrongParams });
      expect(failed.json).toMatchObject({ ok: false, error: { code: 'auth_failed' } });
      expect((await call(sync.POST, 'POST', `/api/v1/provider-accounts/${wrong.json.id}/sync`, { params: wrongParams })).status).toBe(202);
      await runJobsUntilIdle(db, { tasks: inventoryTasks });
      const wrongStatus = await call<{ account: { lastError: string | null } }>(sync.GET, 'GET', `/api/v1/provider-accounts/${wrong.json.id}/sync`, { params: wrongParams });
      expect(wrongStatus.json.account.lastError).toBeTruthy();
      // An account whose secrets fail the schema on update.
      expect((await call(item.PATCH, 'PATCH', `/api/v1/provider-accounts/${id}`, { params, body: { secrets: { accessKeyId: PLANTED_WRONG_SECRET } } })).status).toBe(400);
      expect(responses.length).toBeGreaterThanOrEqual(12);
      // The planted credentials really were used on the wire (the emulator saw them)…
      const tokensSeen = new Set(emulator.requests().map((r) => r.headers['x-amz-security-token']));
      expect(tokensSeen).toContain(PLANTED_SESSION_TOKEN);
      expect(tokensSeen).toContain(PLANTED_REPLACEMENT);
      // …and the capture works.
      console.warn('capture self-check');
      process.stderr.write('stderr self-check\n');
      expect(logs.join('\n')).toContain('capture self-check');
      expect(logs.join('\n')).toContain('stderr self-check');
    } finally {
      for (const restore of restores.splice(0)) restore();
    }
  }

  it('exercises every account operation with planted credentials', async () => {
    await exercised();
    expect(responses.length).toBeGreaterThanOrEqual(12);
  });

  it('no planted secret in any API response', async () => {
    await exercised();
    expect(responses.length).toBeGreaterThanOrEqual(12);
    const all = responses.join('\n');
    for (const secret of [...PLANTED, sandbox.secrets.secretAccessKey!]) expect(all).not.toContain(secret);
  });

  it('no planted secret in any captured log output', async () => {
    await exercised();
    expect(logs.join('\n')).toContain('capture self-check');
    const all = logs.join('\n');
    for (const secret of [...PLANTED, sandbox.secrets.secretAccessKey!]) expect(all).not.toContain(secret);
  });

  it('no planted secret in any row of any table; decrypting the stored envelope gives it back', async () => {
    await exercised();
    const tables = await db.$queryRawUnsafe<{ tablename: string }[]>(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`);
    expect(tables.map((t) => t.tablename)).toEqual(expect.arrayContaining(['ProviderAccount', 'AuditEvent', 'Vm', 'Region']));
    const dump: string[] = [];
    for (const { tablename } of tables) {
      const rows = await db.$queryRawUnsafe<{ row: string }[]>(`SELECT row_to_json(t)::text AS row FROM "${tablename.replaceAll('"', '""')}" t`);
      dump.push(...rows.map((r) => `${tablename} ${r.row}`));
    }
    expect(dump.some((line) => line.startsWith('Vm '))).toBe(true);
    expect(dump.some((line) => line.startsWith('AuditEvent ') && line.includes('provider_account.update'))).toBe(true);
    const text = dump.join('\n');
    for (const secret of [...PLANTED, sandbox.secrets.secretAccessKey!]) expect(text).not.toContain(secret);

    const key = parseSecretKey(KEY);
    const planted = await db.providerAccount.findUniqueOrThrow({ where: { name: 'Planted' } });
    expect(planted.secretsCiphertext).toMatch(/^v1\./);
    expect(text).toContain(planted.secretsCiphertext); // the dump does cover the stored envelope
    expect(decryptJson(planted.secretsCiphertext, key)).toEqual({ ...sandbox.secrets, sessionToken: PLANTED_REPLACEMENT });
    const wrong = await db.providerAccount.findUniqueOrThrow({ where: { name: 'Wrong' } });
    expect(decryptJson(wrong.secretsCiphertext, key)).toEqual({ ...sandbox.secrets, secretAccessKey: PLANTED_WRONG_SECRET });
    expect(await db.providerAccount.findUnique({ where: { name: 'Invalid' } })).toBeNull();
  });
});
