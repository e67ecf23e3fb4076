// The sync as graphile-worker jobs: the cron task queues one job per enabled account (deduplicated),
// and the job syncs the account into the inventory.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureJobs } from '../jobs/context';
import { createTestDatabase } from '../testing/db';
import { runJobsUntilIdle } from '../testing/jobs';
import { enqueueAccountSync, syncCronMatches, syncJobKey, tasks, SYNC_ALL_TASK } from './tasks';
import { auditContext, SYSTEM_ACTOR } from '../audit/record';
import { requestAccountSync, syncProgress } from '../provider-accounts/sync-request';
import { startSandboxAccount, type SandboxAccount } from './test-fixtures';
import { enqueueJob } from '../jobs/queue';

const { db } = await createTestDatabase();
configureJobs({ db });

describe('inventory sync jobs', () => {
  let sandbox: SandboxAccount;
  beforeAll(async () => {
    sandbox = await startSandboxAccount(db, 'aws');
    sandbox.emulator.seedVms({ region: sandbox.regions[0]!, count: 7, namePrefix: 'job' });
  }, 60_000);
  afterAll(async () => sandbox?.emulator.close());

  const queued = async () =>
    Number((await db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM graphile_worker.jobs WHERE task_identifier = 'inventory.sync_account'`)[0]!.n);

  it('the cron task queues each enabled account once, and the job syncs it', async () => {
    const disabled = await db.providerAccount.create({ data: { kind: 'aws', name: 'off', settings: {}, secretsCiphertext: 'x', enabled: false } });
    await enqueueJob(db, SYNC_ALL_TASK, {});
    await runJobsUntilIdle(db, { tasks: { [SYNC_ALL_TASK]: tasks[SYNC_ALL_TASK]! } });
    expect(await queued()).toBe(1);
    await enqueueAccountSync(db, sandbox.accountId); // same job key: still one job
    expect(await queued()).toBe(1);

    await runJobsUntilIdle(db, { tasks });
    expect(await queued()).toBe(0);
    expect(await db.vm.count({ where: { providerAccountId: sandbox.accountId } })).toBe(7);
    expect(await db.vm.count({ where: { providerAccountId: disabled.id } })).toBe(0);
    const status = await db.providerSyncStatus.findUniqueOrThrow({ where: { providerAccountId_regionCode: { providerAccountId: sandbox.accountId, regionCode: '*' } } });
    expect(status).toMatchObject({ discovered: 7, lastError: null, running: false });
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: 'provider_account.sync', targetId: sandbox.accountId } });
    expect(audit.actorLabel).toMatch(/worker/);
  }, 60_000);

  it('"Sync now" twice is one sync; a request while it runs gets the running job; progress and status are recorded', async () => {
    const audit = auditContext(SYSTEM_ACTOR);
    const before = await db.auditEvent.count({ where: { action: 'provider_account.sync', targetId: sandbox.accountId } });
    const first = await requestAccountSync(db, sandbox.accountId, audit);
    const second = await requestAccountSync(db, sandbox.accountId, audit);
    expect(first).toMatchObject({ state: 'queued', progress: { state: 'queued' } });
    expect(second.jobId).toBe(first.jobId);
    expect(await queued()).toBe(1);

    // While a worker holds the job, another request answers with it instead of queueing a second.
    await db.$executeRaw`UPDATE graphile_worker._private_jobs SET locked_at = now(), locked_by = 'test' WHERE key = ${syncJobKey(sandbox.accountId)}`;
    const during = await enqueueAccountSync(db, sandbox.accountId);
    expect(during).toEqual({ jobId: first.jobId, state: 'running' });
    expect((await syncProgress(db, sandbox.accountId)).state).toBe('running');
    expect(await queued()).toBe(1);
    await db.$executeRaw`UPDATE graphile_worker._private_jobs SET locked_at = NULL, locked_by = NULL WHERE key = ${syncJobKey(sandbox.accountId)}`;

    await runJobsUntilIdle(db, { tasks });
    expect(await queued()).toBe(0);
    expect(await db.auditEvent.count({ where: { action: 'provider_account.sync', targetId: sandbox.accountId } })).toBe(before + 1);
    const progress = await syncProgress(db, sandbox.accountId);
    expect(progress).toMatchObject({ state: 'idle', regionsDone: 1, regionsTotal: 1, seen: 7 });
    expect(progress.account).toMatchObject({ region: '*', running: false, discovered: 7, updated: 7, lastError: null });
    expect(progress.regions).toEqual([expect.objectContaining({ region: sandbox.regions[0], running: false, seen: 7, discovered: 7 })]);
    expect(progress.account!.durationMs).toBeGreaterThanOrEqual(0);
    const status = await db.providerSyncStatus.findUniqueOrThrow({ where: { providerAccountId_regionCode: { providerAccountId: sandbox.accountId, regionCode: '*' } } });
    expect(status.jobId).toBe(first.jobId); // the job that ran is recorded with its progress
  }, 60_000);

  it('refuses "Sync now" for an account without enabled regions, or a disabled one', async () => {
    const audit = auditContext(SYSTEM_ACTOR);
    const bare = await db.providerAccount.create({ data: { kind: 'aws', name: 'no regions', settings: {}, secretsCiphertext: 'x' } });
    await expect(requestAccountSync(db, bare.id, audit)).rejects.toMatchObject({ status: 400 });
    const off = await db.providerAccount.create({
      data: { kind: 'aws', name: 'disabled', settings: {}, secretsCiphertext: 'x', enabled: false, regions: { create: [{ code: 'r1', name: 'r1', enabled: true }] } },
    });
    await expect(requestAccountSync(db, off.id, audit)).rejects.toMatchObject({ status: 409 });
    await expect(requestAccountSync(db, 'missing', audit)).rejects.toMatchObject({ status: 404 });
    expect(await queued()).toBe(0);
  });

  it('fires the cron every interval, counted from midnight UTC', () => {
    const fires = (interval: number) =>
      Array.from({ length: 24 * 60 }, (_, m) => ({ hour: Math.floor(m / 60), min: m % 60 })).filter((d) => syncCronMatches(interval, d)).length;
    expect(fires(15)).toBe(96);
    expect(fires(60)).toBe(24);
    expect(fires(7)).toBe(206);
    expect(syncCronMatches(15, { hour: 10, min: 45 })).toBe(true);
    expect(syncCronMatches(15, { hour: 10, min: 46 })).toBe(false);
  });
});
