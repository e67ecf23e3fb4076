// Day-2 actions and leases on VMs provisioned into the real emulators.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderCapabilities } from '@/providers/types';
import { auditContext, SYSTEM_ACTOR } from '../audit/record';
import type { Principal } from '../auth/principal';
import { configureJobs } from '../jobs/context';
import { createTestDatabase } from '../testing/db';
import { runJobsUntilIdle } from '../testing/jobs';
import { createApprovedRequest, createFixture, ENGINE_TASKS, FAST_RUNTIME, startEmulatedAccount, type EmulatedAccount, type Fixture } from '../provisioning/test-fixtures';
import { upsertInstanceTypes } from '../catalog/instance-types';
import { availableActions, getVmActions, resizeOptions, runVmAction } from './actions';
import { extendLease, runLeaseSweep } from './leases';
import { cancelRequest } from '../requests/service';

const { db, url } = await createTestDatabase();
configureJobs({ db, runtime: FAST_RUNTIME });
const audit = auditContext(SYSTEM_ACTOR);
const DAY = 86_400_000;

let aws: EmulatedAccount;
let gcp: EmulatedAccount;
let fixture: Fixture;

function principal(userId: string, projects: Principal['projects'], roles: Principal['roles'] = ['requester']): Principal {
  return { via: 'session', userId, email: `${userId}@x`, name: userId, roles, projects };
}

async function provisionOne(account: EmulatedAccount, leaseDays?: number) {
  const { itemIds } = await createApprovedRequest(db, fixture, [{ account, leaseDays }]);
  await runJobsUntilIdle(url, { tasks: ENGINE_TASKS });
  return db.vm.findFirstOrThrow({ where: { requestItemId: itemIds[0] } });
}

beforeAll(async () => {
  fixture = await createFixture(db);
  aws = await startEmulatedAccount(db, 'aws');
  gcp = await startEmulatedAccount(db, 'gcp');
});
afterAll(async () => {
  await Promise.all([aws.emulator.close(), gcp.emulator.close()]);
});

describe('day-2 actions', () => {
  it('the owner stops and starts a VM through jobs; a double click is one job', async () => {
    const vm = await provisionOne(gcp);
    const owner = principal(fixture.userId, { [fixture.projectId]: 'member' });
    const first = await runVmAction(db, owner, vm.id, { action: 'stop' }, audit);
    const second = await runVmAction(db, owner, vm.id, { action: 'stop' }, audit);
    expect(second.jobId).toBe(first.jobId);
    const pending = await getVmActions(db, owner, vm.id);
    expect(pending.pendingAction).toMatchObject({ jobId: first.jobId, action: 'stop' });
    expect(pending.actions.every((a) => !a.enabled)).toBe(true);
    await runJobsUntilIdle(url, { tasks: ENGINE_TASKS });
    expect((await db.vm.findUniqueOrThrow({ where: { id: vm.id } })).state).toBe('stopped');
    await expect(runVmAction(db, owner, vm.id, { action: 'stop' }, audit)).rejects.toThrow(/only a running VM/);

    await runVmAction(db, owner, vm.id, { action: 'start' }, audit);
    await runJobsUntilIdle(url, { tasks: ENGINE_TASKS });
    expect((await db.vm.findUniqueOrThrow({ where: { id: vm.id } })).state).toBe('running');
    const audits = await db.auditEvent.findMany({ where: { targetId: vm.id, targetType: 'vm' }, select: { action: true } });
    expect(audits.map((a) => a.action)).toEqual(expect.arrayContaining(['vm.create', 'vm.stop.requested', 'vm.stop', 'vm.start']));
  });

  it('per role: a plain member may not act, the project owner and an admin may', async () => {
    const vm = await provisionOne(gcp);
    const member = principal('someone-else', { [fixture.projectId]: 'member' });
    const projectOwner = principal('project-owner', { [fixture.projectId]: 'owner' });
    const admin = principal('admin', {}, ['admin']);
    const view = await getVmActions(db, member, vm.id);
    expect(view.actions.find((a) => a.action === 'stop')).toMatchObject({ enabled: false, reason: expect.stringMatching(/owner/) });
    await expect(runVmAction(db, member, vm.id, { action: 'reboot' }, audit)).rejects.toThrow(/owner/);
    await expect(runVmAction(db, principal('outsider', {}), vm.id, { action: 'reboot' }, audit)).rejects.toThrow(/not found/);
    const reboot = await runVmAction(db, projectOwner, vm.id, { action: 'reboot' }, audit);
    await runJobsUntilIdle(url, { tasks: ENGINE_TASKS });
    expect(await db.provisioningJob.findUniqueOrThrow({ where: { id: reboot.jobId! } })).toMatchObject({ status: 'succeeded' });
    await runVmAction(db, admin, vm.id, { action: 'delete' }, audit);
    await runJobsUntilIdle(url, { tasks: ENGINE_TASKS });
    expect(await db.vm.findUniqueOrThrow({ where: { id: vm.id } })).toMatchObject({ state: 'deleted', deletedAt: expect.any(Date) });
  });

  it('resize lists sizes with their monthly price and resizes (stopping first where the provider needs it)', async () => {
    const vm = await provisionOne(aws);
    const owner = principal(fixture.userId, { [fixture.projectId]: 'member' });
    const options = await resizeOptions(db, owner, vm.id);
    expect(options.find((o) => o.current)?.size).toBe(vm.size);
    const target = options.find((o) => !o.current)!;
    expect(target).toHaveProperty('monthlyPrice');
    await runVmAction(db, owner, vm.id, { action: 'resize', size: target.size }, audit);
    await runJobsUntilIdle(url, { tasks: ENGINE_TASKS });
    expect(await db.vm.findUniqueOrThrow({ where: { id: vm.id } })).toMatchObject({ size: target.size, state: 'running' });
  });

  it('after a resize the VM has the new size\'s vCPU and RAM, also where the provider reports only the machine type', async () => {
    const vm = await provisionOne(gcp);
    const owner = principal(fixture.userId, { [fixture.projectId]: 'member' });
    const options = await resizeOptions(db, owner, vm.id);
    // What an account sync stores from the adapter's size list (GCE's instance view names only machineType).
    await upsertInstanceTypes(db, 'gcp', vm.regionCode, options.map((o) => ({ id: o.size, name: o.size, vcpus: o.vcpus, memoryMiB: o.memoryMiB })));
    const target = options.find((o) => !o.current && (o.vcpus !== vm.vcpus || o.memoryMiB !== vm.memoryMiB))!;
    expect(target).toBeTruthy();
    await runVmAction(db, owner, vm.id, { action: 'resize', size: target.size }, audit);
    await runJobsUntilIdle(url, { tasks: ENGINE_TASKS });
    expect(await db.vm.findUniqueOrThrow({ where: { id: vm.id } })).toMatchObject({ size: target.size, vcpus: target.vcpus, memoryMiB: target.memoryMiB });
  });

  it('does not offer an action the adapter cannot do', () => {
    const caps: ProviderCapabilities = { actions: ['start', 'stop'], resizeRequiresStop: true, idempotency: 'x' };
    const actions = availableActions(principal('u', {}, ['admin']), { ownerId: null, projectId: null, state: 'running', deletedAt: null }, caps);
    expect(actions.map((a) => a.action)).toEqual(['start', 'stop']);
    expect(actions).toEqual([
      { action: 'start', enabled: false, reason: expect.any(String) },
      { action: 'stop', enabled: true },
    ]);
  });
});

describe('leases', () => {
  it('reminds at 7 and 1 days, powers off at expiry and deletes after the grace period', async () => {
    const vm = await provisionOne(gcp, 10);
    const expires = vm.leaseExpiresAt!.getTime();
    const before = gcp.emulator.vmCount();
    const count = () => db.notification.count({ where: { userId: fixture.userId, type: 'lease_reminder' } });

    expect(await runLeaseSweep(db, { now: new Date(expires - 8 * DAY), graceDays: 3 })).toMatchObject({ reminded: 0 });
    expect(await runLeaseSweep(db, { now: new Date(expires - 6 * DAY), graceDays: 3 })).toMatchObject({ reminded: 1 });
    expect(await runLeaseSweep(db, { now: new Date(expires - 5 * DAY), graceDays: 3 })).toMatchObject({ reminded: 0 });
    expect(await runLeaseSweep(db, { now: new Date(expires - 0.5 * DAY), graceDays: 3 })).toMatchObject({ reminded: 1 });
    expect(await count()).toBe(2);

    expect(await runLeaseSweep(db, { now: new Date(expires + 60_000), graceDays: 3 })).toMatchObject({ stopped: 1 });
    await runJobsUntilIdle(url, { tasks: ENGINE_TASKS });
    expect((await db.vm.findUniqueOrThrow({ where: { id: vm.id } })).state).toBe('stopped');
    expect(await runLeaseSweep(db, { now: new Date(expires + 2 * DAY), graceDays: 3 })).toMatchObject({ stopped: 0, deleted: 0 });

    expect(await runLeaseSweep(db, { now: new Date(expires + 3 * DAY + 1), graceDays: 3 })).toMatchObject({ deleted: 1 });
    await runJobsUntilIdle(url, { tasks: ENGINE_TASKS });
    expect(await db.vm.findUniqueOrThrow({ where: { id: vm.id } })).toMatchObject({ state: 'deleted' });
    expect(gcp.emulator.vmCount()).toBe(before - 1);
    const history = await db.auditEvent.findMany({ where: { targetId: vm.id }, orderBy: { id: 'asc' }, select: { action: true } });
    expect(history.map((h) => h.action)).toEqual(expect.arrayContaining(['vm.lease.reminder', 'vm.stop.requested', 'vm.stop', 'vm.delete.requested', 'vm.delete']));
  });

  it('extends within the template maximum; beyond it an approval (admins extend at once)', async () => {
    const vm = await provisionOne(gcp, 5);
    const template = await db.requestItem.findUniqueOrThrow({ where: { id: vm.requestItemId! }, select: { templateVersion: { select: { templateId: true } } } });
    await db.catalogTemplate.update({ where: { id: template.templateVersion.templateId }, data: { maxLeaseDays: 14 } });
    const owner = principal(fixture.userId, { [fixture.projectId]: 'member' });
    const now = new Date();
    const extended = await extendLease(db, owner, vm.id, 7, audit, now);
    expect(Date.parse(extended.leaseExpiresAt)).toBeCloseTo(vm.leaseExpiresAt!.getTime() + 7 * DAY, -3);
    // Beyond the maximum the owner (who owns the project here) needs someone else: an admin.
    await db.user.create({ data: { id: 'lease-admin', email: 'lease-admin@test.skyport', name: 'Lease admin', roles: ['requester', 'admin'] } });
    const beyond = await extendLease(db, owner, vm.id, 7, audit, now);
    expect(beyond).toMatchObject({ approvalRequired: true, leaseExpiresAt: extended.leaseExpiresAt, approvalId: expect.any(String) });
    // While it waits, the same extension is the same approval; once cancelled, an admin extends beyond the maximum at once.
    expect((await extendLease(db, owner, vm.id, 7, audit, now)).requestId).toBe(beyond.requestId);
    await cancelRequest(db, owner, beyond.requestId!, audit);
    const adminExtended = await extendLease(db, principal('lease-admin', {}, ['admin']), vm.id, 7, audit, now);
    expect(Date.parse(adminExtended.leaseExpiresAt)).toBeCloseTo(Date.parse(extended.leaseExpiresAt) + 7 * DAY, -3);
  });
});
