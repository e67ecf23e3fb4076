// `npm start` failure modes: each must exit non-zero with a message that says what to fix, quickly.
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { freePort } from '../lib/db/embedded';

const ROOT = path.resolve(import.meta.dirname, '..');

function runStart(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/start.ts'], {
      cwd: ROOT,
      env: { ...process.env, ...env, DATABASE_URL: env.DATABASE_URL ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('npm start refuses bad setups with a clear message', () => {
  it('a bad setting: exit 2 naming the variable', async () => {
    const { code, output } = await runStart({ PORT: 'eighty' });
    expect(code).toBe(2);
    expect(output).toMatch(/Invalid configuration/);
    expect(output).toMatch(/PORT/);
  });

  it('a port in use: exit 1 saying so', async () => {
    const server = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const { code, output } = await runStart({ PORT: String(port), SKYPORT_DATA_DIR: '/tmp/skyport-unused' });
      expect(code).toBe(1);
      expect(output).toMatch(new RegExp(`Port ${port} is already in use`));
    } finally {
      server.close();
    }
  });

  it('an unreachable database: exit 1 after a bounded retry, password masked', async () => {
    const closed = await freePort();
    const { code, output } = await runStart({
      PORT: String(await freePort()),
      DATABASE_URL: `postgresql://skyport:hunter2@127.0.0.1:${closed}/skyport`,
      DB_CONNECT_RETRIES: '1',
      NEXTAUTH_SECRET: 'x'.repeat(32),
    });
    expect(code).toBe(1);
    expect(output).toMatch(/Cannot reach the database at postgresql:\/\/skyport:\*\*\*@127\.0\.0\.1/);
    expect(output).toMatch(/after 2 attempts/);
    expect(output).not.toContain('hunter2');
  });

  it('an external database without the required secrets: exit 1 naming the missing one', async () => {
    const { code, output } = await runStart({
      PORT: String(await freePort()),
      DATABASE_URL: inject('pgAdminUrl'),
      SKYPORT_SECRET_KEY: '',
      NEXTAUTH_SECRET: '',
    });
    expect(code).toBe(1);
    expect(output).toMatch(/SKYPORT_SECRET_KEY is not set \(required with an external DATABASE_URL\)/);
  });
});
