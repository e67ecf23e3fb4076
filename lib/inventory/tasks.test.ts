// The sync as graphile-worker jobs: the cron task queues one job per enabled account (deduplicated),
// and the job syncs the account into the inventory.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureJobs } from '../jobs/context';
import { createTestDatabase } from '../testing/db';
import { runJobsUntilIdle } from '../testing/jobs';
import { enqueueAccountSync, syncCronMatches, tasks, SYNC_ALL_TASK } from './tasks';
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
