// The demo sandbox: emulators loaded by import() (never by the server's static graph), one
// account per provider, VMs made outside Skyport seeded and synced, and everything stopped again.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerConfig } from '../lib/config/server-config';
import type { Db } from '../lib/db/client';
import { createTestDatabase } from '../lib/testing/db';
import { PROVIDER_KINDS } from '../providers/types';
import { startSandbox } from './sandbox';

process.env.SKYPORT_SECRET_KEY ??= randomBytes(32).toString('base64');

let db: Db;
let dataDir: string;

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'skyport-sandbox-'));
  // Four consecutive loopback ports from a random base, away from the demo's 54400.
  process.env.SKYPORT_SANDBOX_PORT_BASE = String(20_000 + Math.floor(Math.random() * 20_000));
});
afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe('startSandbox', () => {
  it('starts every emulator, upserts and syncs a sandbox account each, and stops them', { timeout: 120_000 }, async () => {
    const sandbox = await startSandbox(db, { dataDir } as ServerConfig);
    try {
      const accounts = await db.providerAccount.findMany({ where: { sandbox: true }, include: { regions: true } });
      expect(accounts.map((a) => a.kind).sort()).toEqual([...PROVIDER_KINDS].sort());
      expect(sandbox.summary).not.toMatch(/sync failed/);
      expect(sandbox.summary.trim().split('\n')).toHaveLength(PROVIDER_KINDS.length);
      expect(await db.vm.count({ where: { deletedAt: null } })).toBeGreaterThan(0);
    } finally {
      await sandbox.stop();
    }
  });
});
