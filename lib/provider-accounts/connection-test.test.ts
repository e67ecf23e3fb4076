// Connection tests through the service: bounded whatever the endpoint does, and the adapter is
// closed afterwards (vCenter sessions logged out), on real PostgreSQL and the real vSphere emulator.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSilentServer, type SilentServer } from '@/providers/contract/silent-server';
import { sandboxModule } from '@/providers/sandbox';
import type { VsphereEmulator } from '@/providers/vsphere/emulator';
import { auditContext, SYSTEM_ACTOR } from '../audit/record';
import type { Db } from '../db/client';
import { createTestDatabase } from '../testing/db';
import { upsertSandboxAccount } from './sandbox';
import { createProviderAccount, testProviderAccount } from './service';

process.env.SKYPORT_SECRET_KEY ??= randomBytes(32).toString('base64');

const audit = () => auditContext(SYSTEM_ACTOR);
let db: Db;
let emulator: VsphereEmulator;
let silent: SilentServer;

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  const vsphere = sandboxModule('vsphere');
  emulator = (await vsphere.startEmulator({ transitionMs: 20 })) as VsphereEmulator;
  silent = await startSilentServer();
});
afterAll(async () => {
  await emulator?.close();
  await silent?.close();
});

describe('testProviderAccount', () => {
  it('logs the vCenter session out after the test (the session list does not grow)', async () => {
    const vsphere = sandboxModule('vsphere');
    const accountId = await upsertSandboxAccount(db, vsphere, vsphere.sandboxAccount(emulator));
    const before = emulator.sessionCount();
    for (let i = 0; i < 3; i++) {
      const outcome = await testProviderAccount(db, accountId, audit());
      expect(outcome.ok).toBe(true);
      expect(outcome.regions).toEqual(expect.arrayContaining(['DC-East', 'DC-West']));
      expect(emulator.sessionCount()).toBe(before);
    }
    expect(emulator.requests().filter((r) => r.operation === 'Logout').length).toBeGreaterThanOrEqual(3);
  });

  it('answers within 15 s when vCenter accepts TCP but never answers TLS (pinned thumbprint)', { timeout: 30_000 }, async () => {
    const account = await createProviderAccount(
      db,
      {
        kind: 'vsphere',
        name: `Silent vCenter ${Date.now()}`,
        settings: { endpoint: `${silent.url}/sdk`, thumbprint: 'AB:'.repeat(31) + 'AB' },
        secrets: { username: 'administrator@vsphere.local', password: 'x' },
      },
      audit(),
    );
    const started = Date.now();
    const outcome = await testProviderAccount(db, account.id, audit());
    const elapsed = Date.now() - started;
    expect(outcome.ok).toBe(false);
    expect(outcome.error?.code).toBe('unavailable');
    expect(outcome.error?.retryable).toBe(true);
    expect(silent.accepted()).toBeGreaterThan(0);
    expect(elapsed).toBeLessThan(15_000);
    const stored = await db.providerAccount.findUniqueOrThrow({ where: { id: account.id } });
    expect(stored.status).toBe('error');
  });

  it('answers within 15 s when vCenter logs in and then never answers again (not even Logout)', { timeout: 30_000 }, async () => {
    const vsphere = sandboxModule('vsphere');
    const accountId = await upsertSandboxAccount(db, vsphere, vsphere.sandboxAccount(emulator));
    emulator.injectFault({ kind: 'timeout', operation: 'RetrievePropertiesEx', times: 100 });
    emulator.injectFault({ kind: 'timeout', operation: 'Logout', times: 100 });
    try {
      const started = Date.now();
      const outcome = await testProviderAccount(db, accountId, audit());
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(outcome.ok).toBe(false);
      expect(outcome.error?.code).toBe('unavailable');
      expect(emulator.requests().some((r) => r.operation === 'Logout')).toBe(true);
    } finally {
      emulator.clearFaults();
    }
  });

  it('reports a thumbprint mismatch plainly as a configuration error, not retried', async () => {
    const account = await createProviderAccount(
      db,
      {
        kind: 'vsphere',
        name: `Wrong pin ${Date.now()}`,
        settings: { endpoint: emulator.url, thumbprint: '00'.repeat(32) },
        secrets: { username: 'administrator@vsphere.local', password: 'x' },
      },
      audit(),
    );
    emulator.clearRequests();
    const outcome = await testProviderAccount(db, account.id, audit());
    expect(outcome.ok).toBe(false);
    expect(outcome.error?.code).toBe('invalid_request');
    expect(outcome.error?.retryable).toBe(false);
    expect(outcome.detail).toMatch(/does not match the pinned thumbprint/);
    expect(emulator.requests()).toHaveLength(0);
  });
});
