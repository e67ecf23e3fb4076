// Provisioning against the four real emulators: approval → jobs → VMs at the provider with
// Skyport's tags, Vm rows linked to the item, request completed; retries, non-retryable failures
// and retryRequestItem with the same keys.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVIDER_KINDS, SKYPORT_TAG_KEYS, type ProviderKind } from '@/providers/types';
import { auditContext, SYSTEM_ACTOR } from '../audit/record';
import { configureJobs } from '../jobs/context';
import { adapterForAccount } from '../provider-accounts/service';
import { createTestDatabase } from '../testing/db';
import { runJobsUntilIdle } from '../testing/jobs';
import { itemProgress } from './progress';
import { retryRequestItem } from './retry-item';
import { createApprovedRequest, createFixture, ENGINE_TASKS, FAST_RUNTIME, startEmulatedAccount, type EmulatedAccount, type Fixture } from './test-fixtures';
import { backoffDelayMs } from './retry';
import { vmName } from './keys';
import { runCreateVmJob } from './provision';
import type { WithConnection } from './sql';
import pg from 'pg';

const { db, url } = await createTestDatabase();
configureJobs({ db, runtime: FAST_RUNTIME });

const accounts = new Map<ProviderKind, EmulatedAccount>();
let fixture: Fixture;

beforeAll(async () => {
  fixture = await createFixture(db);
  for (const kind of PROVIDER_KINDS) accounts.set(kind, await startEmulatedAccount(db, kind));
});
afterAll(async () => {
  await Promise.all([...accounts.values()].map((a) => a.emulator.close()));
});

describe('provisioning', () => {
  it.each(PROVIDER_KINDS)('creates the VM on %s with Skyport tags and completes the request', async (kind) => {
    const account = accounts.get(kind)!;
    const before = account.emulator.vmCount();
    const { requestId, itemIds } = await createApprovedRequest(db, fixture, [{ account, leaseDays: 3 }]);
    await runJobsUntilIdle(url, { tasks: ENGINE_TASKS });

    const request = await db.request.findUniqueOrThrow({ where: { id: requestId }, include: { items: true, events: { orderBy: { id: 'asc' } } } });
    expect(request.status).toBe('completed');
    expect(request.items[0]!.status).toBe('provisioned');
    expect(request.events.map((e) => e.type)).toEqual(expect.arrayContaining(['provisioning_started', 'vm_creating', 'vm_created', 'completed']));
    expect(account.emulator.vmCount()).toBe(before + 1);

    const vm = await db.vm.findFirstOrThrow({ where: { requestItemId: itemIds[0] } });
    expect(vm).toMatchObject({ createdBySkyport: true, managed: true, projectId: fixture.projectId, ownerId: fixture.userId, state: 'running', idempotencyKey: `${itemIds[0]}-0` });
    expect(vm.leaseExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 2.9 * 86_400_000);

    const row = await db.providerAccount.findUniqueOrThrow({ where: { id: account.accountId } });
    const { adapter } = adapterForAccount(row, FAST_RUNTIME);
    try {
      const listed: { providerId: string; name: string; skyport: unknown }[] = [];
      let pageToken: string | undefined;
      do {
        const page = await adapter.listVms(account.region, { pageToken });
        listed.push(...page.vms);
        pageToken = page.nextPageToken;
      } while (pageToken);
      const atProvider = listed.find((v) => v.providerId === vm.providerId);
      // The row shows the name Skyport gave the VM (its skyport-name tag), whatever the provider
      // named it (Azure, GCE and vSphere derive theirs from the key); providerId stays the provider's.
      const item = request.items[0]!;
      const skyportName = vmName(item.name, item.quantity, 0);
      expect(vm.name).toBe(skyportName);
      expect(vm.providerId).toBe(atProvider?.providerId);
      expect(request.events.find((e) => e.type === 'vm_created')?.message).toBe(`${skyportName} is running (${atProvider?.providerId}).`);
      expect(atProvider?.skyport).toEqual({ owner: fixture.email, project: fixture.projectKey, request: requestId, skyportId: `${itemIds[0]}-0` });
      expect((vm.tags as Record<string, string>)[SKYPORT_TAG_KEYS.request] ?? Object.values(vm.tags as object).length).toBeTruthy();
    } finally {
      await adapter.close?.().catch(() => undefined);
    }
    const progress = await itemProgress(db, itemIds);
    expect(progress[itemIds[0]!]).toEqual({ vmIds: [vm.id], jobs: [expect.objectContaining({ index: 0, status: 'created', attempts: 1 })] });
  });

  it('retries throttling and server errors with back-off, then succeeds with one VM', async () => {
    const account = accounts.get('gcp')!;
    const before = account.emulator.vmCount();
    account.emulator.injectFault({ kind: 'throttle', times: 2 });
    const { requestId, itemIds } = await createApprovedRequest(db, fixture, [{ account, quantity: 2 }]);
    await runJobsUntilIdle(url, { tasks: ENGINE_TASKS });
    // The first attempt(s) are now scheduled in the future with a back-off.
    const progress = await itemProgress(db, itemIds);
    const retrying = progress[itemIds[0]!]!.jobs.filter((j) => j.status === 'retrying');
    for (const job of retrying) expect(Date.parse(job.nextAttemptAt!)).toBeGreaterThan(Date.now());
    await runJobsUntilIdle(url, { tasks: ENGINE_TASKS, includeScheduled: true });
    const request = await db.request.findUniqueOrThrow({ where: { id: requestId } });
    expect(request.status).toBe('completed');
    expect(await db.vm.count({ where: { requestItemId: itemIds[0] } })).toBe(2);
    const jobs = await db.provisioningJob.findMany({ where: { requestItemId: itemIds[0] } });
    expect(jobs.reduce((sum, j) => sum + j.attempts, 0)).toBeGreaterThan(2);
    expect(await db.requestEvent.count({ where: { requestId, type: 'item_retry_scheduled' } })).toBeGreaterThan(0);
    expect(account.emulator.vmCount()).toBe(before + 2);
  });

  it('fails the item at once on a non-retryable error with the provider message, then retries it with the same key', async () => {
    const account = accounts.get('aws')!;
    const ok = accounts.get('azure')!;
    account.emulator.injectFault({ kind: 'quota', times: 1 });
    const { requestId, itemIds } = await createApprovedRequest(db, fixture, [{ account }, { account: ok }]);
    await runJobsUntilIdle(url, { tasks: ENGINE_TASKS });
    let request = await db.request.findUniqueOrThrow({ where: { id: requestId }, include: { items: true, events: true } });
    expect(request.status).toBe('failed');
    const [failedItem, okItem] = itemIds.map((id) => request.items.find((i) => i.id === id)!);
    expect(failedItem!.status).toBe('failed');
    expect(okItem!.status).toBe('provisioned');
    const failure = request.events.find((e) => e.type === 'item_failed');
    expect(failure?.message).toMatch(/quota|limit/i);
    const job = await db.provisioningJob.findFirstOrThrow({ where: { requestItemId: failedItem!.id } });
    expect(job).toMatchObject({ status: 'failed', attempts: 1 });

    await retryRequestItem(db, requestId, failedItem!.id, auditContext(SYSTEM_ACTOR));
    await runJobsUntilIdle(url, { tasks: ENGINE_TASKS });
    request = await db.request.findUniqueOrThrow({ where: { id: requestId }, include: { items: true, events: true } });
    expect(request.status).toBe('completed');
    expect(await db.vm.count({ where: { requestItemId: failedItem!.id } })).toBe(1);
    expect(await db.vm.findFirst({ where: { requestItemId: failedItem!.id } })).toMatchObject({ idempotencyKey: `${failedItem!.id}-0` });
  });

  it('the last VM of a request with a failed item ends it failed (the record step settles through planSettle), in either order', async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const withConnection: WithConnection = (use) => use(client);
    try {
      for (const failFirst of [true, false]) {
        const bad = accounts.get('aws')!;
        const ok = accounts.get('azure')!;
        const { requestId, itemIds } = await createApprovedRequest(db, fixture, [{ account: bad }, { account: ok }]);
        const jobs = await db.provisioningJob.findMany({ where: { requestItemId: { in: itemIds } } });
        const jobOf = (itemId: string) => jobs.find((j) => j.requestItemId === itemId)!.id;
        const runBad = async () => {
          bad.emulator.injectFault({ kind: 'quota', times: 1 });
          expect(await runCreateVmJob(jobOf(itemIds[0]!), { db, withConnection, runtime: FAST_RUNTIME })).toBe('failed');
        };
        const runOk = async () => expect(await runCreateVmJob(jobOf(itemIds[1]!), { db, withConnection, runtime: FAST_RUNTIME })).toBe('created');
        if (failFirst) {
          await runBad();
          await runOk();
        } else {
          await runOk();
          await runBad();
        }
        const request = await db.request.findUniqueOrThrow({ where: { id: requestId }, include: { items: true, events: { orderBy: { id: 'asc' } } } });
        expect(request.status).toBe('failed');
        expect(request.items.find((i) => i.id === itemIds[0])!.status).toBe('failed');
        expect(request.items.find((i) => i.id === itemIds[1])!.status).toBe('provisioned');
        expect(request.events.filter((e) => e.type === 'failed').map((e) => e.message)).toEqual([expect.stringMatching(/^1 of 2 item\(s\) failed/)]);
        expect(request.events.filter((e) => e.type === 'item_provisioned')).toHaveLength(1);
        expect(request.events.filter((e) => e.type === 'completed')).toHaveLength(0);
      }
    } finally {
      await client.end();
    }
  });

  it('jitters the back-off between half and all of the exponential delay', () => {
    expect(backoffDelayMs(1, () => 0)).toBe(1000);
    expect(backoffDelayMs(1, () => 1)).toBe(2000);
    expect(backoffDelayMs(3, () => 0.5)).toBe(6000);
    expect(backoffDelayMs(30, () => 1)).toBe(300_000);
  });
});
