// The hand-off writes every VM's intent and job in one go, and a replayed approval adds nothing;
// a job whose request was cancelled before it ran makes no provider write (its first observe, a
// read, may start while the claim is in flight; create waits for the claim, which refuses it).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { auditContext, SYSTEM_ACTOR } from '../audit/record';
import { configureJobs } from '../jobs/context';
import { createTestDatabase } from '../testing/db';
import { runJobsUntilIdle } from '../testing/jobs';
import { onRequestApproved } from './handoff';
import { createVmJobPayload } from './provision';
import { CREATE_VM_TASK, createJobKey, vmIdempotencyKey, workerJobKey } from './keys';
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
  const intents = await db.provisioningJob.findMany({
    where: { requestItemId: { in: itemIds } },
    select: { id: true, idempotencyKey: true, status: true, kind: true, requestItemId: true, providerAccountId: true, requestedById: true, payload: true },
  });
  expect(intents).toHaveLength(5);
  expect(new Set(intents.map((i) => i.idempotencyKey)).size).toBe(5);
  // The statement renders the keys in SQL: they must be the ones keys.ts builds.
  const expected = [
    ...[0, 1, 2].map((index) => ({ itemId: itemIds[0]!, index })),
    ...[0, 1].map((index) => ({ itemId: itemIds[1]!, index })),
  ];
  for (const { itemId, index } of expected) {
    const intent = intents.find((i) => i.idempotencyKey === createJobKey(itemId, index));
    expect(intent).toMatchObject({ status: 'queued', kind: 'create_vm', requestItemId: itemId, providerAccountId: aws.accountId, requestedById: fixture.userId });
    expect(intent!.payload).toEqual({ requestId, itemId, index, vmKey: vmIdempotencyKey(itemId, index) });
  }
  expect(await queuedJobs()).toBe(jobsBefore + 5);
  const workerJobs = await db.$queryRaw<{ key: string; payload: { provisioningJobId: string }; max_attempts: number }[]>`
    SELECT key, payload, max_attempts FROM graphile_worker._private_jobs WHERE key = ANY(${intents.map((i) => workerJobKey(i.id))}::text[])`;
  expect(workerJobs.map((j) => j.payload.provisioningJobId).sort()).toEqual(intents.map((i) => i.id).sort());
  // The claim data rides along, exactly as createVmJobPayload builds it.
  const items = await db.requestItem.findMany({ where: { id: { in: itemIds } } });
  for (const job of workerJobs) {
    const intent = intents.find((i) => i.id === job.payload.provisioningJobId)!;
    const item = items.find((i) => i.id === intent.requestItemId)!;
    const claim = {
      ...(intent.payload as { requestId: string; itemId: string; index: number; vmKey: string }),
      name: item.name,
      quantity: item.quantity,
      providerAccountId: item.providerAccountId,
      regionCode: item.regionCode,
    };
    expect(job.payload).toEqual(createVmJobPayload(intent.id, claim));
  }
  expect(workerJobs.every((j) => j.max_attempts === 10)).toBe(true);
  const audits = await db.auditEvent.findMany({ where: { action: 'provisioning.enqueue', targetId: requestId } });
  expect(audits.map((a) => a.after)).toEqual([{ provisioningJobs: 5 }]);

  await db.$transaction((tx) => onRequestApproved(tx, requestId, auditContext(SYSTEM_ACTOR)));
  expect(await db.provisioningJob.count({ where: { requestItemId: { in: itemIds } } })).toBe(5);
  expect(await queuedJobs()).toBe(jobsBefore + 5);
  // Nothing new, nothing audited.
  expect(await db.auditEvent.count({ where: { action: 'provisioning.enqueue', targetId: requestId } })).toBe(1);

  const vmsBefore = aws.emulator.vmCount();
  await runJobsUntilIdle(url, { tasks: ENGINE_TASKS });
  expect(aws.emulator.vmCount()).toBe(vmsBefore + 5);
  expect((await db.request.findUniqueOrThrow({ where: { id: requestId } })).status).toBe('completed');
});

it('a job of a request cancelled before it ran makes no provider write (at most the read-only first observe)', async () => {
  const { requestId, itemIds } = await createApprovedRequest(db, fixture, [{ account: aws }]);
  await db.request.update({ where: { id: requestId }, data: { status: 'cancelled' } });
  aws.emulator.clearRequests();
  const vmsBefore = aws.emulator.vmCount();

  await runJobsUntilIdle(url, { tasks: ENGINE_TASKS });

  // The first observe (EC2 DescribeInstances) may have gone out with the claim; nothing else did.
  expect(aws.emulator.requests().filter((r) => r.operation !== 'DescribeInstances')).toEqual([]);
  expect(aws.emulator.requests().length).toBeLessThanOrEqual(1);
  expect(aws.emulator.vmCount()).toBe(vmsBefore);
  const job = await db.provisioningJob.findFirstOrThrow({ where: { requestItemId: itemIds[0] } });
  expect(job.status).toBe('cancelled');
});
