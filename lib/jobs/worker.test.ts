// Worker processes against one database: two workers run each job once; a worker killed with
// SIGKILL at random points and restarted still ends with exactly one VM per intended VM.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVIDER_KINDS, type ProviderKind } from '@/providers/types';
import { createTestDatabase } from '../testing/db';
import { createApprovedRequest, createFixture, startEmulatedAccount, type EmulatedAccount, type Fixture } from '../provisioning/test-fixtures';

const ROOT = path.resolve(import.meta.dirname, '../..');
// The worker itself, not tsx's CLI wrapper: SIGKILL to the wrapper would orphan the real process.
const TSX_ARGS = ['--require', path.join(ROOT, 'node_modules/tsx/dist/preflight.cjs'), '--import', pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href, 'scripts/worker.ts'];
const { db, url } = await createTestDatabase();
const accounts = new Map<ProviderKind, EmulatedAccount>();
let fixture: Fixture;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  fixture = await createFixture(db);
  // Slow transitions so kills land while VMs are being created.
  for (const kind of PROVIDER_KINDS) accounts.set(kind, await startEmulatedAccount(db, kind, { transitionMs: 300 }));
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await Promise.all([...accounts.values()].map((a) => a.emulator.close()));
});

function startWorkerProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, TSX_ARGS, {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url, WORKER_CONCURRENCY: '4', PROVIDER_POLL_INTERVAL_MS: '25', SKYPORT_DEMO: '0', SKYPORT_SANDBOX: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('[worker] ready')) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`worker exited (${code}) before ready:\n${output}`)));
  });
}

async function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => child.once('exit', () => resolve()));
}

async function requestItems(count: number) {
  const kinds = [...PROVIDER_KINDS];
  const specs = Array.from({ length: count }, (_, i) => ({ account: accounts.get(kinds[i % kinds.length]!)! }));
  const perRequest = 5;
  const requests: string[] = [];
  const itemIds: string[] = [];
  for (let i = 0; i < specs.length; i += perRequest) {
    const created = await createApprovedRequest(db, fixture, specs.slice(i, i + perRequest));
    requests.push(created.requestId);
    itemIds.push(...created.itemIds);
  }
  return { requests, itemIds };
}

async function allTerminal(requestIds: string[]): Promise<boolean> {
  const open = await db.request.count({ where: { id: { in: requestIds }, status: { notIn: ['completed', 'failed'] } } });
  return open === 0;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

function vmCounts(): Record<string, number> {
  return Object.fromEntries([...accounts].map(([kind, a]) => [kind, a.emulator.vmCount()]));
}

describe('worker processes', () => {
  it('two workers against one database run each job once', async () => {
    const before = vmCounts();
    const { requests, itemIds } = await requestItems(20);
    const workers = await Promise.all([startWorkerProcess(), startWorkerProcess()]);
    await waitFor(() => allTerminal(requests), 45_000);
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(workers.map(exited));

    expect(await db.request.count({ where: { id: { in: requests }, status: 'completed' } })).toBe(requests.length);
    const jobs = await db.provisioningJob.findMany({ where: { requestItemId: { in: itemIds } } });
    expect(jobs).toHaveLength(20);
    expect(jobs.every((j) => j.status === 'succeeded' && j.attempts === 1)).toBe(true);
    const creating = await db.requestEvent.count({ where: { itemId: { in: itemIds }, type: 'vm_creating' } });
    expect(creating).toBe(20);
    const after = vmCounts();
    expect(Object.values(after).reduce((a, b) => a + b, 0) - Object.values(before).reduce((a, b) => a + b, 0)).toBe(20);
  }, 90_000);

  it('kill -9 at random points during 20 provisions, restart: exactly 20 VMs, none duplicated, every request terminal', async () => {
    const before = vmCounts();
    const { requests, itemIds } = await requestItems(20);
    let kills = 0;
    const deadline = Date.now() + 100_000;
    while (!(await allTerminal(requests))) {
      if (Date.now() > deadline) throw new Error('requests did not finish');
      const worker = await startWorkerProcess();
      if (kills < 3) {
        await new Promise((r) => setTimeout(r, 300 + Math.random() * 1500));
        worker.kill('SIGKILL');
        kills++;
        await exited(worker);
        expect(worker.signalCode).toBe('SIGKILL');
      } else {
        await waitFor(() => allTerminal(requests), 60_000);
        worker.kill('SIGTERM');
        await exited(worker);
      }
    }
    expect(await db.request.count({ where: { id: { in: requests }, status: 'completed' } })).toBe(requests.length);
    const vms = await db.vm.findMany({ where: { requestItemId: { in: itemIds } } });
    expect(vms).toHaveLength(20);
    expect(new Set(vms.map((v) => v.idempotencyKey)).size).toBe(20);
    const after = vmCounts();
    for (const kind of PROVIDER_KINDS) expect(after[kind]! - before[kind]!).toBe(5);
  }, 150_000);

  it('SIGTERM while jobs run: in-flight jobs finish or are released, none is lost', async () => {
    const { requests, itemIds } = await requestItems(8);
    const worker = await startWorkerProcess();
    await waitFor(async () => (await db.provisioningJob.count({ where: { requestItemId: { in: itemIds }, status: 'running' } })) > 0, 60_000);
    worker.kill('SIGTERM');
    await exited(worker);
    expect(worker.exitCode).toBe(0);
    // Nothing is left locked by the stopped worker: no job shows running, no graphile job is locked.
    expect(await db.provisioningJob.count({ where: { requestItemId: { in: itemIds }, status: 'running' } })).toBe(0);
    const locked = await db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM graphile_worker._private_jobs WHERE locked_at IS NOT NULL`;
    expect(Number(locked[0]!.n)).toBe(0);
    const next = await startWorkerProcess();
    await waitFor(() => allTerminal(requests), 90_000);
    next.kill('SIGTERM');
    await exited(next);
    expect(await db.vm.count({ where: { requestItemId: { in: itemIds } } })).toBe(8);
  }, 180_000);
});
