// The admin jobs view: derived statuses and counts, retry of a failed job (same key, one VM) and
// cancel of a queued one (the item fails clearly, the request settles, nothing is created).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { auditContext, SYSTEM_ACTOR } from '../audit/record';
import { createTestDatabase } from '../testing/db';
import { runJobsUntilIdle } from '../testing/jobs';
import { createApprovedRequest, createFixture, ENGINE_TASKS, FAST_RUNTIME, startEmulatedAccount, type EmulatedAccount, type Fixture } from '../provisioning/test-fixtures';
import { cancelJob, listJobs, retryJob } from './admin';
import { configureJobs } from './context';
import { jobFilterSchema } from './schemas';

const { db, url } = await createTestDatabase();
configureJobs({ db, runtime: FAST_RUNTIME });
const audit = auditContext(SYSTEM_ACTOR);
let account: EmulatedAccount;
let fixture: Fixture;

beforeAll(async () => {
  fixture = await createFixture(db);
  // AWS: its quota fault is a non-retryable InstanceLimitExceeded on RunInstances.
  account = await startEmulatedAccount(db, 'aws');
});
afterAll(async () => {
  await account.emulator.close();
});

it('lists a failed job with its error, retries it with the same key and ends with one VM', async () => {
  account.emulator.injectFault({ kind: 'quota', times: 1 });
  const { requestId, itemIds } = await createApprovedRequest(db, fixture, [{ account }]);
  await runJobsUntilIdle(url, { tasks: ENGINE_TASKS });
  const failed = await listJobs(db, jobFilterSchema.parse({ status: 'failed' }));
  const job = failed.jobs.find((j) => j.requestId === requestId)!;
  expect(job).toMatchObject({ kind: 'create_vm', status: 'failed', lastError: expect.stringMatching(/quota/i) });
  expect(failed.counts.failed).toBeGreaterThanOrEqual(1);

  await retryJob(db, job.id, audit);
  expect((await listJobs(db, jobFilterSchema.parse({ status: 'queued' }))).jobs.map((j) => j.id)).toContain(job.id);
  await runJobsUntilIdle(url, { tasks: ENGINE_TASKS });
  expect(await db.request.findUniqueOrThrow({ where: { id: requestId } })).toMatchObject({ status: 'completed' });
  expect(await db.vm.count({ where: { requestItemId: itemIds[0] } })).toBe(1);
  await expect(retryJob(db, job.id, audit)).rejects.toThrow(/Only a failed or cancelled job/);
});

it('cancels a queued job: nothing is created, the item and the request are cancelled', async () => {
  const before = account.emulator.vmCount();
  const { requestId, itemIds } = await createApprovedRequest(db, fixture, [{ account }]);
  const [job] = await db.provisioningJob.findMany({ where: { requestItemId: itemIds[0] } });
  await cancelJob(db, job!.id, audit);
  expect(await runJobsUntilIdle(url, { tasks: ENGINE_TASKS })).toBe(0);
  expect(account.emulator.vmCount()).toBe(before);
  expect(await db.provisioningJob.findUniqueOrThrow({ where: { id: job!.id } })).toMatchObject({ status: 'cancelled' });
  expect((await listJobs(db, jobFilterSchema.parse({ status: 'cancelled' }))).jobs.map((j) => j.id)).toContain(job!.id);
  expect(await db.requestItem.findUniqueOrThrow({ where: { id: itemIds[0] } })).toMatchObject({ status: 'cancelled' });
  expect((await db.request.findUniqueOrThrow({ where: { id: requestId } })).status).toBe('cancelled');
});
