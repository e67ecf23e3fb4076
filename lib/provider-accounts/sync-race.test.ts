// The inventory sync against a day-2 stop on the same VM, on every real emulator (the e2e flake was
// seen on GCE: "Stop succeeded", then the scheduled sync put "running" back). Each test holds
// the sync's listing after the provider answered (the VM still running), lets the stop happen
// through the real action job, then lets the sync write: whatever the order of the two writes,
// the stopped state survives — and a later sync still takes changes made outside Skyport. With
// one clock the first three orders were already safe (the updatedAt guard); the sync reading a
// clock ahead of the stop job's overwrote the stop until the guard used Vm.observedXid.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PROVIDER_KINDS, type ListVmsOptions, type ListVmsPage, type ProviderAdapter } from '@/providers/types';
import { auditContext, SYSTEM_ACTOR } from '../audit/record';
import type { Principal } from '../auth/principal';
import { configureJobs } from '../jobs/context';
import { createTestDatabase } from '../testing/db';
import { runJobsUntilIdle } from '../testing/jobs';
import { until } from '../inventory/test-fixtures';
import { createApprovedRequest, createFixture, ENGINE_TASKS, FAST_RUNTIME, startEmulatedAccount, type EmulatedAccount, type Fixture } from '../provisioning/test-fixtures';
import { adapterForAccount } from './service';
import { runVmAction } from '../vms/actions';
import { syncProviderAccount } from './sync';

const { db, url } = await createTestDatabase();
configureJobs({ db, runtime: FAST_RUNTIME });
const audit = auditContext(SYSTEM_ACTOR);

let fixture: Fixture;
let owner: Principal;

beforeAll(async () => {
  fixture = await createFixture(db);
  owner = { via: 'session', userId: fixture.userId, email: fixture.email, name: 'owner', roles: ['requester'], projects: { [fixture.projectId]: 'member' } };
});

const STOPPED = /^(stopped|deallocated)$/;

async function provisionOne(account: EmulatedAccount) {
  const { itemIds } = await createApprovedRequest(db, fixture, [{ account }]);
  await runJobsUntilIdle(url, { tasks: ENGINE_TASKS });
  const vm = await db.vm.findFirstOrThrow({ where: { requestItemId: itemIds[0] } });
  expect(vm.state).toBe('running');
  return vm;
}

async function accountAdapter(accountId: string): Promise<ProviderAdapter> {
  const account = await db.providerAccount.findUniqueOrThrow({ where: { id: accountId } });
  return adapterForAccount(account, FAST_RUNTIME).adapter;
}

/**
 * The account's real adapter, except that the first listing of `region` is held after the
 * provider answered, until `release()`: the sync has its (soon stale) page but has not written it.
 */
function holdListing(real: ProviderAdapter, region: string, beforeList?: () => void) {
  let reached!: (page: ListVmsPage) => void;
  const listed = new Promise<ListVmsPage>((resolve) => (reached = resolve));
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let first = true;
  const adapter = new Proxy(real, {
    get(target, prop) {
      if (prop === 'listVms') {
        return async (listRegion: string, options?: ListVmsOptions) => {
          const hold = first && listRegion === region;
          if (hold) {
            first = false;
            beforeList?.();
          }
          const page = await target.listVms(listRegion, options);
          if (hold) {
            reached(page);
            await gate;
          }
          return page;
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { adapter, listed, release };
}

async function stateOf(vmId: string) {
  return (await db.vm.findUniqueOrThrow({ where: { id: vmId } })).state;
}

async function stopThroughJob(vmId: string) {
  const { jobId } = await runVmAction(db, owner, vmId, { action: 'stop' }, audit);
  await runJobsUntilIdle(url, { tasks: ENGINE_TASKS });
  expect(await db.provisioningJob.findUniqueOrThrow({ where: { id: jobId! } })).toMatchObject({ status: 'succeeded' });
  expect(await stateOf(vmId)).toMatch(STOPPED);
}

/** Backends of this database waiting for a lock (row locks of the interleaving below). */
async function lockWaiters(): Promise<number> {
  const [row] = await db.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`;
  return row!.n;
}

describe.each(PROVIDER_KINDS)('inventory sync overlapping a stop (%s emulator)', (kind) => {
  let emulated: EmulatedAccount;
  let real: ProviderAdapter;
  beforeAll(async () => {
    emulated = await startEmulatedAccount(db, kind);
    real = await accountAdapter(emulated.accountId);
  });
  afterAll(async () => {
    await real?.close?.();
    await emulated?.emulator.close();
  });
  /** A sync of the account whose listing of the VM's region is held once the provider answered (holdListing). */
  async function heldSync(regionCode: string, beforeList?: () => void) {
    const held = holdListing(real, regionCode, beforeList);
    const sync = syncProviderAccount(db, emulated.accountId, audit, { adapter: held.adapter });
    return { release: held.release, page: await held.listed, sync };
  }

  it('listing before the stop, batch written after the stop committed: the stop stays', async () => {
    const vm = await provisionOne(emulated);
    const { release, page, sync } = await heldSync(vm.regionCode);
    expect(page.vms.find((v) => v.providerId === vm.providerId)?.state).toBe('running');
    await stopThroughJob(vm.id);
    release();
    await sync;
    expect(await stateOf(vm.id)).toMatch(STOPPED);
  }, 60_000);

  it('batch read before the stop commits, its upsert after (it waited for the row lock): the stop stays', async () => {
    const vm = await provisionOne(emulated);
    const held = await heldSync(vm.regionCode);
    const { sync } = held;
    const { jobId } = await runVmAction(db, owner, vm.id, { action: 'stop' }, audit);
    // Keep the provider's stop from finishing until the job's final transaction can be held.
    emulated.emulator.clock.hold();
    const stopping = runJobsUntilIdle(url, { tasks: ENGINE_TASKS });
    let unblock!: () => void;
    const blocked = new Promise<void>((resolve) => (unblock = resolve));
    let locked = false;
    try {
      await until(async () => (await db.provisioningJob.findUniqueOrThrow({ where: { id: jobId! } })).status === 'running', 'the stop job to start');
      // The job's final transaction writes the Vm row (and holds its lock), then waits here on its job row.
      const blocker = db.$transaction(
        async (tx) => {
          await tx.$queryRaw`SELECT id FROM "ProvisioningJob" WHERE id = ${jobId} FOR UPDATE`;
          locked = true;
          await blocked;
        },
        { timeout: 60_000, maxWait: 10_000 },
      );
      await until(async () => locked, 'the job row lock');
      emulated.emulator.clock.release();
      emulated.emulator.clock.advance(1_000);
      await until(async () => (await lockWaiters()) >= 1, 'the stop job to wait with the Vm row written');
      // Now the sync reads the batch (the committed row still says running) and its upsert waits
      // for the stop's uncommitted Vm row.
      held.release();
      await until(async () => (await lockWaiters()) >= 2, 'the sync upsert to wait for the Vm row');
      unblock();
      await Promise.all([blocker, stopping, sync]);
    } finally {
      unblock();
      emulated.emulator.clock.release();
    }
    expect(await db.provisioningJob.findUniqueOrThrow({ where: { id: jobId! } })).toMatchObject({ status: 'succeeded' });
    expect(await stateOf(vm.id)).toMatch(STOPPED);
  }, 60_000);

  it('two overlapping syncs: the newer one rewrites the row after the stop, the older one then writes its stale page: the stop stays', async () => {
    const vm = await provisionOne(emulated);
    const older = await heldSync(vm.regionCode);
    const olderSync = older.sync;
    await stopThroughJob(vm.id);
    // Make the newer sync rewrite the row (its "last seen" an hour old) without touching the guard columns.
    await db.$executeRaw`UPDATE "Vm" SET "lastSeenAt" = "lastSeenAt" - interval '2 hours' WHERE "id" = ${vm.id}`;
    const staleSeen = (await db.vm.findUniqueOrThrow({ where: { id: vm.id } })).lastSeenAt;
    await syncProviderAccount(db, emulated.accountId, audit);
    const rewritten = await db.vm.findUniqueOrThrow({ where: { id: vm.id } });
    expect(rewritten.lastSeenAt.getTime()).toBeGreaterThan(staleSeen.getTime());
    expect(rewritten.state).toMatch(STOPPED);
    older.release();
    await olderSync;
    expect(await stateOf(vm.id)).toMatch(STOPPED);
  }, 60_000);

  it('the sync runs on a clock ahead of the stop job’s (another worker host, a clock step): the stop stays', async () => {
    const vm = await provisionOne(emulated);
    // The sync's process reads a wall clock 2 minutes ahead until it asks for its first page.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 120_000 });
    try {
      const { release, page, sync } = await heldSync(vm.regionCode, () => vi.useRealTimers());
      expect(page.vms.find((v) => v.providerId === vm.providerId)?.state).toBe('running');
      await stopThroughJob(vm.id);
      release();
      await sync;
    } finally {
      vi.useRealTimers();
    }
    expect(await stateOf(vm.id)).toMatch(STOPPED);
  }, 60_000);

  it('a later sync still takes what changed outside Skyport on a row a stop stamped', async () => {
    const vm = await provisionOne(emulated);
    await stopThroughJob(vm.id);
    const ref = { providerId: vm.providerId, region: vm.regionCode, zone: vm.zone ?? undefined };
    await real.start(ref);
    await until(async () => (await real.get(ref))?.state === 'running', 'the VM to run again');
    await syncProviderAccount(db, emulated.accountId, audit);
    // Skyport's last power action was the stop: running is drift, and it is recorded.
    expect(await db.vm.findUniqueOrThrow({ where: { id: vm.id } })).toMatchObject({ state: 'running', drift: true, driftReasons: ['state_changed'] });
  }, 60_000);
});
