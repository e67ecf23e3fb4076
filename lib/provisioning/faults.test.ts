// 20% injected faults (throttling, 5xx, timeouts) across the four emulators: every item ends
// provisioned or clearly failed, no job is left queued or running, and no VM is duplicated.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PROVIDER_KINDS, type ProviderKind } from '@/providers/types';
import type { FaultSpec } from '@/providers/contract/emulator';
import { configureJobs } from '../jobs/context';
import { createTestDatabase } from '../testing/db';
import { startWorker } from '../jobs/worker';
import { createApprovedRequest, createFixture, ENGINE_TASKS, startEmulatedAccount, type EmulatedAccount, type Fixture } from './test-fixtures';

const { db, url } = await createTestDatabase();
// The production retry policy (adapters retry a call twice, then the job backs off and retries);
// a short request timeout so the "timeout" fault (the emulator never answers) costs under a second.
// Jobs back off from 100 ms instead of 2 s so the test does not wait minutes.
configureJobs({ db, runtime: { requestTimeoutMs: 800, maxRetries: 2, pollIntervalMs: 25, operationTimeoutMs: 3_000 }, backoffBaseMs: 100 });

const accounts = new Map<ProviderKind, EmulatedAccount>();
let fixture: Fixture;
beforeAll(async () => {
  fixture = await createFixture(db);
  for (const kind of PROVIDER_KINDS) accounts.set(kind, await startEmulatedAccount(db, kind, { recordRequests: true }));
});
afterAll(async () => {
  await Promise.all([...accounts.values()].map((a) => a.emulator.close()));
});

it('every item ends provisioned or clearly failed under 20% faults; none stuck, none duplicated', async () => {
  const before = Object.fromEntries([...accounts].map(([k, a]) => [k, a.emulator.vmCount()]));
  const specs = PROVIDER_KINDS.flatMap((kind) => Array.from({ length: 5 }, () => ({ account: accounts.get(kind)! })));
  const requests = [await createApprovedRequest(db, fixture, specs.slice(0, 10)), await createApprovedRequest(db, fixture, specs.slice(10))];

  // Keep faults at ~20% of each emulator's observed traffic while the jobs run.
  const kinds: FaultSpec['kind'][] = ['throttle', 'server_error', 'timeout'];
  let injected = 0;
  let seen = 0;
  const injector = setInterval(() => {
    for (const account of accounts.values()) {
      const count = account.emulator.requests().length;
      account.emulator.clearRequests();
      seen += count;
      const faults = Math.round(count * 0.2 + Math.random() * 0.5);
      for (let i = 0; i < faults; i++) account.emulator.injectFault({ kind: kinds[Math.floor(Math.random() * kinds.length)]!, times: 1 });
      injected += faults;
    }
  }, 50);
  // A real in-process worker pool (8 at a time), as in the web process.
  const worker = await startWorker({ connectionString: url, concurrency: 8, tasks: ENGINE_TASKS, cron: [], pollIntervalMs: 100 });
  const requestIds = requests.map((r) => r.requestId);
  try {
    const deadline = Date.now() + 150_000;
    while ((await db.request.count({ where: { id: { in: requestIds }, status: { notIn: ['completed', 'failed'] } } })) > 0) {
      if (Date.now() > deadline) throw new Error('requests did not reach a terminal state');
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await worker.stop();
    clearInterval(injector);
    for (const account of accounts.values()) account.emulator.clearFaults();
  }
  expect(injected).toBeGreaterThan(seen * 0.1);

  const itemIds = requests.flatMap((r) => r.itemIds);
  expect(await db.request.count({ where: { id: { in: requestIds }, status: { notIn: ['completed', 'failed'] } } })).toBe(0);
  const items = await db.requestItem.findMany({ where: { id: { in: itemIds } } });
  expect(items.every((i) => i.status === 'provisioned' || i.status === 'failed')).toBe(true);
  const jobs = await db.provisioningJob.findMany({ where: { requestItemId: { in: itemIds } } });
  expect(jobs.filter((j) => j.status === 'queued' || j.status === 'running')).toEqual([]);
  for (const job of jobs.filter((j) => j.status === 'failed')) expect(job.lastError).toMatchObject({ message: expect.any(String) });

  const vms = await db.vm.findMany({ where: { requestItemId: { in: itemIds } } });
  expect(vms).toHaveLength(jobs.filter((j) => j.status === 'succeeded').length);
  expect(new Set(vms.map((v) => v.idempotencyKey)).size).toBe(vms.length);
  for (const kind of PROVIDER_KINDS) {
    const succeeded = vms.filter((v) => v.providerAccountId === accounts.get(kind)!.accountId).length;
    // A failed VM may still exist at the provider (made before its last attempt failed), never twice.
    const made = accounts.get(kind)!.emulator.vmCount() - before[kind]!;
    expect(made).toBeGreaterThanOrEqual(succeeded);
    expect(made).toBeLessThanOrEqual(5);
  }
}, 170_000);
