// Day-2 actions gated by vm_action policies, on VMs provisioned into the real AWS emulator: a
// resize above a rule's threshold waits for the approval chain (nothing at the provider), runs
// once on the last approval, and is refused by a rejection; lease extensions beyond the maximum
// (template or project) become approvals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditContext, SYSTEM_ACTOR } from '../audit/record';
import type { Principal } from '../auth/principal';
import { decideApproval } from '../approvals/decide';
import { principalOf } from '../approvals/testing';
import { configureJobs } from '../jobs/context';
import { createPolicy } from '../policy/service';
import type { PolicyInput } from '../policy/schemas';
import { adapterForAccount } from '../provider-accounts/service';
import { loadPriceContext } from '../catalog/pricing';
import { committedSpend } from '../requests/budget';
import { cancelRequest, getRequest } from '../requests/service';
import { createTestDatabase } from '../testing/db';
import { runJobsUntilIdle } from '../testing/jobs';
import { createApprovedRequest, createFixture, ENGINE_TASKS, FAST_RUNTIME, startEmulatedAccount, type EmulatedAccount, type Fixture } from '../provisioning/test-fixtures';
import { getVmActions, resizeOptions, runVmAction } from './actions';
import { extendLease } from './leases';

const { db, url } = await createTestDatabase();
configureJobs({ db, runtime: FAST_RUNTIME });
const audit = auditContext(SYSTEM_ACTOR);
const DAY = 86_400_000;

let aws: EmulatedAccount;
let seq = 0;

beforeAll(async () => {
  aws = await startEmulatedAccount(db, 'aws');
});
afterAll(async () => {
  await aws.emulator.close();
});

interface World {
  fixture: Fixture;
  owner: Principal;
  approvers: Principal[];
}

/** A fresh project (so its policies touch no other test), its VM owner and two approvers. */
async function world(): Promise<World> {
  const fixture = await createFixture(db);
  const approvers: Principal[] = [];
  for (const n of [1, 2]) {
    const u = await db.user.create({ data: { email: `appr${n}-${fixture.projectKey}@test.skyport`, name: `Approver ${n} ${fixture.projectKey}`, roles: ['requester', 'approver'] } });
    approvers.push(await principalOf(db, u.id));
  }
  return { fixture, owner: await principalOf(db, fixture.userId), approvers };
}

async function policy(w: World, input: Omit<PolicyInput, 'name' | 'scope'>) {
  return createPolicy(db, { name: `gate ${++seq} ${w.fixture.projectKey}`, scope: 'vm_action', ...input, conditions: { projectIds: [w.fixture.projectId], ...input.conditions } }, audit);
}

const approverLevel = { name: 'Cloud approvers', mode: 'any' as const, approvers: [{ type: 'role' as const, role: 'approver' as const }] };

async function provision(w: World, leaseDays?: number) {
  const { itemIds } = await createApprovedRequest(db, w.fixture, [{ account: aws, leaseDays }]);
  await runJobsUntilIdle(url, { tasks: ENGINE_TASKS });
  return db.vm.findFirstOrThrow({ where: { requestItemId: itemIds[0] } });
}

async function sizeAtProvider(vm: { providerId: string; regionCode: string }) {
  const account = await db.providerAccount.findUniqueOrThrow({ where: { id: aws.accountId } });
  const { adapter } = adapterForAccount(account, FAST_RUNTIME);
  try {
    return (await adapter.get({ providerId: vm.providerId, region: vm.regionCode }))?.size;
  } finally {
    await adapter.close?.();
  }
}

/** The largest size the VM can be resized to, and a policy threshold it is above. */
async function bigSize(w: World, vmId: string) {
  const options = await resizeOptions(db, w.owner, vmId);
  const current = options.find((o) => o.current)!;
  const target = [...options].filter((o) => !o.current && o.vcpus > current.vcpus).sort((a, b) => b.vcpus - a.vcpus)[0]!;
  return { current, target };
}

const vmHistory = async (vmId: string) => (await db.auditEvent.findMany({ where: { targetType: 'vm', targetId: vmId }, orderBy: { id: 'asc' }, select: { action: true } })).map((a) => a.action);

describe('resize gated by a vm_action policy', () => {
  it('above the threshold it waits for approval, nothing happens at the provider; approve → one job, new size', async () => {
    const w = await world();
    const vm = await provision(w);
    const { current, target } = await bigSize(w, vm.id);
    await policy(w, { action: 'require_approval', conditions: { actions: ['resize'], minVcpus: current.vcpus + 1 }, levels: [approverLevel] });

    const first = await runVmAction(db, w.owner, vm.id, { action: 'resize', size: target.size }, audit);
    expect(first).toMatchObject({ jobId: null, approvalRequired: true, requestId: expect.any(String), approvalId: expect.any(String) });
    // A double click is the same approval.
    expect(await runVmAction(db, w.owner, vm.id, { action: 'resize', size: target.size }, audit)).toMatchObject({ requestId: first.requestId, approvalId: first.approvalId });
    await runJobsUntilIdle(url, { tasks: ENGINE_TASKS });
    expect(await db.provisioningJob.count({ where: { vmId: vm.id, kind: 'resize_vm' } })).toBe(0);
    expect(await sizeAtProvider(vm)).toBe(vm.size);
    const view = await getVmActions(db, w.owner, vm.id);
    expect(view.pendingApprovals).toEqual([expect.objectContaining({ requestId: first.requestId, action: 'resize', summary: expect.stringContaining(target.size) })]);
    expect(view.actions.find((a) => a.action === 'resize')).toMatchObject({ enabled: false, reason: expect.stringMatching(/awaits approval/) });

    // The requester cannot approve their own action (and is not among the approvers).
    await expect(decideApproval(db, w.owner, first.approvalId!, { decision: 'approve' }, audit)).rejects.toThrow(/own request/);

    // Two approvers at once on an any-of level: one decision, one job.
    const results = await Promise.allSettled(w.approvers.map((a) => decideApproval(db, a, first.approvalId!, { decision: 'approve' }, audit)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    expect(await db.provisioningJob.count({ where: { vmId: vm.id, kind: 'resize_vm' } })).toBe(1);

    await runJobsUntilIdle(url, { tasks: ENGINE_TASKS });
    expect(await db.vm.findUniqueOrThrow({ where: { id: vm.id } })).toMatchObject({ size: target.size });
    expect(await sizeAtProvider(vm)).toBe(target.size);
    const request = await getRequest(db, w.owner, first.requestId!);
    expect(request).toMatchObject({ kind: 'vm_action', status: 'completed', vmAction: { action: 'resize', fromSize: vm.size, toSize: target.size, jobId: expect.any(String) } });
    expect(request.timeline.map((t) => t.type)).toEqual(expect.arrayContaining(['submitted', 'approval_requested', 'step_approved', 'approved', 'provisioning_started', 'completed']));
    expect(await vmHistory(vm.id)).toEqual(expect.arrayContaining(['vm.resize.approval_requested', 'vm.resize.approved', 'vm.resize.requested', 'vm.resize']));
    expect(await db.notification.count({ where: { userId: w.approvers[0]!.userId, type: 'approval_requested' } })).toBe(1);
    expect(await db.notification.count({ where: { userId: w.fixture.userId, type: 'request_approved' } })).toBe(1);
  });

  it('below the threshold the resize runs at once', async () => {
    const w = await world();
    const vm = await provision(w);
    const { target } = await bigSize(w, vm.id);
    await policy(w, { action: 'require_approval', conditions: { actions: ['resize'], minVcpus: target.vcpus + 1 }, levels: [approverLevel] });
    const result = await runVmAction(db, w.owner, vm.id, { action: 'resize', size: target.size }, audit);
    expect(result).toEqual({ jobId: expect.any(String) });
  });

  it('a rejection changes nothing and is on the VM’s history; a cancel too', async () => {
    const w = await world();
    const vm = await provision(w);
    const { current, target } = await bigSize(w, vm.id);
    await policy(w, { action: 'require_approval', conditions: { actions: ['resize', 'reboot'], minVcpus: current.vcpus }, levels: [approverLevel] });
    const pending = await runVmAction(db, w.owner, vm.id, { action: 'resize', size: target.size }, audit);
    await decideApproval(db, w.approvers[0]!, pending.approvalId!, { decision: 'reject', comment: 'Too big for a test VM' }, audit);
    await runJobsUntilIdle(url, { tasks: ENGINE_TASKS });
    expect(await db.provisioningJob.count({ where: { vmId: vm.id, kind: 'resize_vm' } })).toBe(0);
    expect(await sizeAtProvider(vm)).toBe(vm.size);
    expect((await getRequest(db, w.owner, pending.requestId!)).status).toBe('rejected');

    const reboot = await runVmAction(db, w.owner, vm.id, { action: 'reboot' }, audit);
    expect(reboot).toMatchObject({ approvalRequired: true });
    await cancelRequest(db, w.owner, reboot.requestId!, audit, 'not needed');
    expect(await vmHistory(vm.id)).toEqual(expect.arrayContaining(['vm.resize.approval_requested', 'vm.resize.rejected', 'vm.reboot.cancelled']));
    expect((await getVmActions(db, w.owner, vm.id)).pendingApprovals).toEqual([]);
  });

  it('a rejecting policy refuses the action outright (409, on the history)', async () => {
    const w = await world();
    const vm = await provision(w);
    await policy(w, { action: 'reject', rejectReason: 'Production VMs are never deleted from the portal', conditions: { actions: ['delete'] } });
    await expect(runVmAction(db, w.owner, vm.id, { action: 'delete' }, audit)).rejects.toThrow(/never deleted/);
    expect(await db.provisioningJob.count({ where: { vmId: vm.id, kind: 'delete_vm' } })).toBe(0);
    expect(await vmHistory(vm.id)).toContain('vm.delete.rejected');
  });

  it('a resize over a hard quota answers 409 naming the quota; a pending resize counts against it', async () => {
    const w = await world();
    const vm = await provision(w);
    const { current, target } = await bigSize(w, vm.id);
    await db.quota.create({ data: { projectId: w.fixture.projectId, providerKind: null, maxVcpus: target.vcpus - 1 } });
    await expect(runVmAction(db, w.owner, vm.id, { action: 'resize', size: target.size }, audit)).rejects.toThrow(/Quota exceeded — vCPU \(all providers\)/);
    expect(await db.request.count({ where: { vmId: vm.id } })).toBe(0);

    // Within the quota but gated: while it waits, its extra vCPU count as used.
    await db.quota.updateMany({ where: { projectId: w.fixture.projectId }, data: { maxVcpus: target.vcpus } });
    await policy(w, { action: 'require_approval', conditions: { actions: ['resize'] }, levels: [approverLevel] });
    await runVmAction(db, w.owner, vm.id, { action: 'resize', size: target.size }, audit);
    const { loadProjectUsage } = await import('../requests/quota');
    expect((await loadProjectUsage(db, w.fixture.projectId)).total.vcpus).toBe(target.vcpus);
    expect(current.vcpus).toBeLessThan(target.vcpus);
  });
});

describe('an approved action whose job an admin cancels', () => {
  it('ends as failed (lease cron) instead of staying in provisioning', async () => {
    const w = await world();
    const vm = await provision(w);
    await policy(w, { action: 'require_approval', conditions: { actions: ['reboot'] }, levels: [approverLevel] });
    const pending = await runVmAction(db, w.owner, vm.id, { action: 'reboot' }, audit);
    await decideApproval(db, w.approvers[0]!, pending.approvalId!, { decision: 'approve' }, audit);
    const request = await getRequest(db, w.owner, pending.requestId!);
    expect(request).toMatchObject({ status: 'provisioning', vmAction: { jobId: expect.any(String) } });
    const { cancelJob } = await import('../jobs/admin');
    await cancelJob(db, request.vmAction!.jobId!, audit);
    const { settleOrphanedActionRequests } = await import('./action-approval');
    expect(await settleOrphanedActionRequests(db)).toBeGreaterThanOrEqual(1);
    expect((await getRequest(db, w.owner, pending.requestId!)).status).toBe('failed');
    expect(await settleOrphanedActionRequests(db)).toBe(0);
  });
});

describe('lease extension within / beyond the maximum', () => {
  it('within the template maximum at once; beyond it an approval that extends the lease when approved', async () => {
    const w = await world();
    const vm = await provision(w, 5);
    const item = await db.requestItem.findUniqueOrThrow({ where: { id: vm.requestItemId! }, select: { templateVersion: { select: { templateId: true } } } });
    await db.catalogTemplate.update({ where: { id: item.templateVersion.templateId }, data: { maxLeaseDays: 14 } });
    const now = new Date();
    const within = await extendLease(db, w.owner, vm.id, 7, audit, now);
    expect(within.approvalRequired).toBeUndefined();
    expect(Date.parse(within.leaseExpiresAt)).toBeCloseTo(vm.leaseExpiresAt!.getTime() + 7 * DAY, -3);

    // Beyond: the default level is the project's owner (here another user than the VM's owner) or an admin.
    await db.project.update({ where: { id: w.fixture.projectId }, data: { ownerId: w.approvers[0]!.userId } });
    const beyond = await extendLease(db, w.owner, vm.id, 7, audit, now);
    expect(beyond).toMatchObject({ approvalRequired: true, leaseExpiresAt: within.leaseExpiresAt, requestId: expect.any(String) });
    expect((await extendLease(db, w.owner, vm.id, 7, audit, now)).requestId).toBe(beyond.requestId);
    expect((await db.vm.findUniqueOrThrow({ where: { id: vm.id } })).leaseExpiresAt!.toISOString()).toBe(within.leaseExpiresAt);
    const approver = await principalOf(db, w.approvers[0]!.userId);
    const decided = await decideApproval(db, approver, beyond.approvalId!, { decision: 'approve' }, audit);
    expect(decided.requestStatus).toBe('approved');
    const after = await db.vm.findUniqueOrThrow({ where: { id: vm.id } });
    expect(after.leaseExpiresAt!.getTime()).toBeCloseTo(Date.parse(within.leaseExpiresAt) + 7 * DAY, -3);
    expect((await getRequest(db, w.owner, beyond.requestId!)).status).toBe('completed');
    expect(await vmHistory(vm.id)).toEqual(expect.arrayContaining(['vm.lease.extend.approval_requested', 'vm.lease.extend.approved', 'vm.lease.extend']));
  });

  it('the project maximum applies when it is smaller than the template’s', async () => {
    const w = await world();
    const vm = await provision(w, 3);
    await db.project.update({ where: { id: w.fixture.projectId }, data: { maxLeaseDays: 5 } });
    expect((await getVmActions(db, w.owner, vm.id)).lease.maxDays).toBe(5);
    const now = new Date();
    expect((await extendLease(db, w.owner, vm.id, 1, audit, now)).approvalRequired).toBeUndefined();
    // The VM's owner owns the project too and no admin exists yet: nobody else could approve → 409, nothing stored.
    expect(await db.user.count({ where: { roles: { has: 'admin' } } })).toBe(0);
    await expect(extendLease(db, w.owner, vm.id, 3, audit, now)).rejects.toThrow(/no one other than you/);
    expect(await db.request.count({ where: { vmId: vm.id } })).toBe(0);
    await db.user.create({ data: { email: `admin-${w.fixture.projectKey}@test.skyport`, name: 'Admin', roles: ['requester', 'admin'] } });
    const beyond = await extendLease(db, w.owner, vm.id, 3, audit, now);
    expect(beyond.approvalRequired).toBe(true);
    const request = await db.request.findUniqueOrThrow({ where: { id: beyond.requestId! } });
    expect(request).toMatchObject({ kind: 'vm_action', status: 'pending_approval', policyCode: 'lease_max' });
  });
});

describe('simulatePolicies with day-2 actions', () => {
  it('replays the gated actions through the draft’s vm_action policies', async () => {
    const { simulatePolicies } = await import('../policy/simulate');
    const result = await simulatePolicies(db, { policies: [], last: 200 });
    const actionRows = result.rows.filter((r) => r.kind === 'vm_action');
    expect(actionRows.length).toBeGreaterThan(0);
    // Without any day-2 policy a resize would have run at once; a lease beyond the maximum still needs approval.
    const resize = actionRows.find((r) => r.current.policyName?.startsWith('gate'));
    expect(resize).toMatchObject({ changed: true, simulated: { outcome: 'auto_approve' } });
    expect(actionRows.filter((r) => r.current.outcome === 'require_approval' && r.current.policyName === null).every((r) => r.simulated.outcome === 'require_approval')).toBe(true);
  });
});

describe('the project maximum lease through the project service', () => {
  it('an admin sets and clears it (audited); out-of-range values are field errors', async () => {
    const w = await world();
    const { updateProject } = await import('../projects/service');
    const adminUser = await db.user.create({ data: { email: `padmin-${w.fixture.projectKey}@test.skyport`, name: 'Project admin', roles: ['requester', 'admin'] } });
    const admin = await principalOf(db, adminUser.id);
    expect((await updateProject(db, admin, w.fixture.projectId, { maxLeaseDays: 30 }, audit)).maxLeaseDays).toBe(30);
    await expect(updateProject(db, admin, w.fixture.projectId, { maxLeaseDays: 0 }, audit)).rejects.toMatchObject({ issues: [expect.objectContaining({ field: 'body/maxLeaseDays', message: 'At least 1 day' })] });
    expect((await updateProject(db, admin, w.fixture.projectId, { maxLeaseDays: null }, audit)).maxLeaseDays).toBeNull();
    const audits = await db.auditEvent.findMany({ where: { targetType: 'project', targetId: w.fixture.projectId, action: 'project.update' }, orderBy: { id: 'asc' }, select: { after: true } });
    expect(audits.map((a) => (a.after as { maxLeaseDays: number | null }).maxLeaseDays)).toEqual([30, null]);
  });
});

describe('a resize that raises the monthly price, against the project budget', () => {
  // Monthly prices for the two sizes the tests resize between: +90.00 a month.
  async function pricedSizes(w: World, vmId: string) {
    const { current, target } = await bigSize(w, vmId);
    const book = await db.priceBook.create({ data: { name: `budget ${w.fixture.projectKey}`, effectiveFrom: new Date(Date.UTC(2020, 0, 1)) } });
    await db.rate.createMany({
      data: [
        { priceBookId: book.id, providerKind: 'aws', sku: current.size, unit: 'month', unitPrice: '10' },
        { priceBookId: book.id, providerKind: 'aws', sku: target.size, unit: 'month', unitPrice: '100' },
      ],
    });
    return { current, target };
  }
  const monthStart = () => new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1));
  const budget = (w: World, amount: string) =>
    db.budget.create({ data: { name: `monthly ${w.fixture.projectKey}`, projectId: w.fixture.projectId, amount, startsOn: monthStart() } });

  it('over the budget and no policy softens it: refused (409) with the figures, nothing stored, on the history', async () => {
    const w = await world();
    const vm = await provision(w);
    const { target } = await pricedSizes(w, vm.id);
    await budget(w, '50');
    // The live VM (10.00) + this resize (+90.00) = 100.00 of 50.00 — the request form's arithmetic.
    await expect(runVmAction(db, w.owner, vm.id, { action: 'resize', size: target.size }, audit)).rejects.toThrow(
      /over this month's budget — 100\.00 of 50\.00 USD a month after this resize \(\+90\.00\)/,
    );
    expect(await db.request.count({ where: { vmId: vm.id } })).toBe(0);
    expect(await db.provisioningJob.count({ where: { vmId: vm.id, kind: 'resize_vm' } })).toBe(0);
    expect(await vmHistory(vm.id)).toContain('vm.resize.rejected');
    // Other actions do not change the price upwards: not budget-checked.
    expect(await runVmAction(db, w.owner, vm.id, { action: 'reboot' }, audit)).toEqual({ jobId: expect.any(String) });
  });

  it('over the budget with a soft-budget policy: the approval chain, with the budget as the reason', async () => {
    const w = await world();
    const vm = await provision(w);
    const { target } = await pricedSizes(w, vm.id);
    await budget(w, '50');
    await policy(w, { action: 'require_approval', budgetMode: 'soft', conditions: { actions: ['resize'] }, levels: [approverLevel] });
    const result = await runVmAction(db, w.owner, vm.id, { action: 'resize', size: target.size }, audit);
    expect(result).toMatchObject({ jobId: null, approvalRequired: true, reason: expect.stringMatching(/over this month's budget/) });
    const request = await db.request.findUniqueOrThrow({ where: { id: result.requestId! } });
    expect(request).toMatchObject({ kind: 'vm_action', status: 'pending_approval', policyCode: 'budget_exceeded' });
    expect(request.evaluation).toMatchObject({ budget: { budget: '50.00', committed: '10.00', request: '90.00', after: '100.00', exceeded: true } });
  });

  it('a resize waiting for approval counts against the budget of the next one', async () => {
    const w = await world();
    const first = await provision(w);
    const second = await provision(w);
    const { target } = await pricedSizes(w, first.id);
    await budget(w, '150');
    await policy(w, { action: 'require_approval', conditions: { actions: ['resize'] }, levels: [approverLevel] });
    // Live 20.00 + 90.00 = 110.00 of 150.00: within the budget, waiting for the policy's approval.
    const waiting = await runVmAction(db, w.owner, first.id, { action: 'resize', size: target.size }, audit);
    expect(waiting).toMatchObject({ approvalRequired: true });
    expect(await db.request.findUniqueOrThrow({ where: { id: waiting.requestId! } })).toMatchObject({ policyCode: 'policy' });
    // Live 20.00 + the waiting +90.00 + this +90.00 = 200.00 of 150.00.
    await expect(runVmAction(db, w.owner, second.id, { action: 'resize', size: target.size }, audit)).rejects.toThrow(/200\.00 of 150\.00 USD/);
    // A request submitted now counts it as well (the request form's and submit's committed spend).
    const prices = await loadPriceContext(db, { projectId: w.fixture.projectId });
    expect((await committedSpend(db, w.fixture.projectId, prices)).committed).toBe('110.00');
    // Once the resize is cancelled it no longer counts.
    await cancelRequest(db, w.owner, waiting.requestId!, audit, 'not needed');
    expect((await committedSpend(db, w.fixture.projectId, prices)).committed).toBe('20.00');
  });

  it('within the budget the resize runs at once', async () => {
    const w = await world();
    const vm = await provision(w);
    const { target } = await pricedSizes(w, vm.id);
    await budget(w, '500');
    const { jobId } = await runVmAction(db, w.owner, vm.id, { action: 'resize', size: target.size }, audit);
    expect(jobId).toEqual(expect.any(String));
    // While its job waits or runs the VM is still priced at its old size: the job's +90.00 counts.
    const prices = await loadPriceContext(db, { projectId: w.fixture.projectId });
    expect((await committedSpend(db, w.fixture.projectId, prices)).committed).toBe('100.00');
    await runJobsUntilIdle(url, { tasks: ENGINE_TASKS });
    expect(await db.provisioningJob.findUniqueOrThrow({ where: { id: jobId! } })).toMatchObject({ status: 'succeeded' });
    // Done: the VM's new size is in the live run-rate, the job no longer adds anything.
    expect((await committedSpend(db, w.fixture.projectId, prices)).committed).toBe('100.00');
  });
});
