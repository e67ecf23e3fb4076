// The hand-off writes every VM's intent and job in one go, and a replayed approval adds nothing;
// a job whose request was cancelled before it ran makes no provider call at all (the task starts
// its first observe while the claim commits, but only after the claim saw the request live).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { auditContext, SYSTEM_ACTOR } from '../audit/record';
import { configureJobs } from '../jobs/context';
import { createTestDatabase } from '../testing/db';
import { runJobsUntilIdle } from '../testing/jobs';
import { onRequestApproved } from './handoff';
import { CREATE_VM_TASK } from './keys';
import { createApprovedRequest, createFixture, ENGINE_TASKS, FAST_RUNTIME, startEmulatedAccount, type EmulatedAccount, type Fixture } from './test-fixtures';

const { db, url } = await createTestDatabase();
configureJobs({ db, runtime: FAST_RUNTIME });
let aws: EmulatedAccount;
let fixture: Fixture;

beforeAll(async () => {
  fixture = await createFixture(db);
  aws = await startEmulatedAccount(db, 'aws', { recordRequests: true });
});
afterAll(async () => {
  await aws.emulator.close();
});

async function queuedJobs(): Promise<number> {
  const rows = await db.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id
     WHERE t.identifier = ${CREATE_VM_TASK}`;
  return rows[0]!.n;
}

it('one intent and one job per VM; replaying the approval adds neither', async () => {
  const jobsBefore = await queuedJobs();
  const { requestId, itemIds } = await createApprovedRequest(db, fixture, [
    { account: aws, quantity: 3 },
    { account: aws, quantity: 2 },
  ]);
  const intents = await db.provisioningJob.findMany({ where: { requestItemId: { in: itemIds } }, select: { idempotencyKey: true, status: true } });
  expect(intents).toHaveLength(5);
  expect(new Set(intents.map((i) => i.idempotencyKey)).size).toBe(5);
  expect(await queuedJobs()).toBe(jobsBefore + 5);

  await db.$transaction((tx) => onRequestApproved(tx, requestId, auditContext(SYSTEM_ACTOR)));
  expect(await db.provisioningJob.count({ where: { requestItemId: { in: itemIds } } })).toBe(5);
  expect(await queuedJobs()).toBe(jobsBefore + 5);

  const vmsBefore = aws.emulator.vmCount();
  await runJobsUntilIdle(url, { tasks: ENGINE_TASKS });
  expect(aws.emulator.vmCount()).toBe(vmsBefore + 5);
  expect((await db.request.findUniqueOrThrow({ where: { id: requestId } })).status).toBe('completed');
});

it('a job of a request cancelled before it ran calls no adapter', async () => {
  const { requestId, itemIds } = await createApprovedRequest(db, fixture, [{ account: aws }]);
  await db.request.update({ where: { id: requestId }, data: { status: 'cancelled' } });
  aws.emulator.clearRequests();
  const vmsBefore = aws.emulator.vmCount();

  await runJobsUntilIdle(url, { tasks: ENGINE_TASKS });

  expect(aws.emulator.requests()).toHaveLength(0);
  expect(aws.emulator.vmCount()).toBe(vmsBefore);
  const job = await db.provisioningJob.findFirstOrThrow({ where: { requestItemId: itemIds[0] } });
  expect(job.status).toBe('cancelled');
});
