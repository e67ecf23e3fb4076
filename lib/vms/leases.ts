// Leases: reminders 7 days and 1 day before expiry (in-app + e-mail), power-off at expiry, delete
// after a grace period — all from one sweep that runs every minute as a graphile-worker cron job.
// Every function takes `now`, so tests drive the clock instead of waiting.
import type { Principal } from '../auth/principal';
import { recordAudit, type AuditContext, auditContext } from '../audit/record';
import { canAccessProject, isAdmin } from '../auth/permissions';
import type { Db } from '../db/client';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors';
import { WORKER_ACTOR } from '../jobs/context';
import { notify } from '../notifications/notify';
import { ACTION_KIND, canOperate, enqueueVmAction } from './actions';
import { daysFrom, gateVmAction, pendingActionRequests, planAction } from './gate';
import { effectiveLeaseMax } from './lease-max';
import type { ExtendLeaseResult } from './schemas';

const DAY_MS = 86_400_000;
export const REMINDER_DAYS = [7, 1] as const;
export const LEASE_SWEEP_TASK = 'vms.lease_sweep';

/**
 * Extends the lease by `days` from its current end (or from now when already expired). Within the
 * effective maximum (the smaller of the template's and the project's) it is extended at once —
 * unless a vm_action policy on extend_lease says otherwise; beyond it the extension becomes an
 * approval (the same chain and inbox as requests) and the lease changes when it is approved.
 * Admins extend beyond the maximum at once (they set the maximum); policies still apply to them.
 */
export async function extendLease(db: Db, principal: Principal, vmId: string, days: number, audit: AuditContext, now: Date = new Date()): Promise<ExtendLeaseResult> {
  const vm = await db.vm.findUnique({ where: { id: vmId }, include: { providerAccount: true } });
  if (!vm || vm.deletedAt || (vm.projectId ? !canAccessProject(principal, vm.projectId) : !isAdmin(principal))) throw new NotFoundError('VM');
  if (!canOperate(principal, vm)) throw new ForbiddenError('Only the VM’s owner, the project’s owner or an admin can extend its lease.');
  if (!vm.leaseExpiresAt) throw new ConflictError(`${vm.name} has no lease to extend.`);
  const from = Math.max(vm.leaseExpiresAt.getTime(), now.getTime());
  const next = new Date(from + days * DAY_MS);
  const max = await effectiveLeaseMax(db, vm);
  const beyondMax = max.days !== null && !isAdmin(principal) && next.getTime() - now.getTime() > max.days * DAY_MS;
  const plan = vm.projectId
    ? await planAction(db, vm, { action: 'extend_lease', lease: { days, from: vm.leaseExpiresAt, to: next, leaseDays: daysFrom(now, next), maxDays: max.days, beyondMax } })
    : null;
  const result = await db.$transaction(async (tx): Promise<ExtendLeaseResult | { rejected: string }> => {
    await tx.$queryRaw`SELECT id FROM "Vm" WHERE id = ${vmId} FOR UPDATE`;
    const current = await tx.vm.findUniqueOrThrow({ where: { id: vmId }, include: { providerAccount: true } });
    const leaseExpiresAt = (current.leaseExpiresAt ?? vm.leaseExpiresAt!).toISOString();
    const waiting = (await pendingActionRequests(tx, vmId)).find((w) => w.payload.action === 'extend_lease');
    if (waiting) {
      // A double click (same days) is the same approval; a different extension waits for it.
      if (waiting.payload.days === days) return { leaseExpiresAt, approvalRequired: true, requestId: waiting.id, requestNumber: waiting.number, approvalId: waiting.approvalId };
      throw new ConflictError(`An extension of ${vm.name}'s lease by ${waiting.payload.days} days awaits approval (REQ-${waiting.number}); cancel it first.`);
    }
    const gate = plan ? await gateVmAction(tx, principal, current, plan, audit) : { kind: 'run' as const };
    if (gate.kind === 'rejected') return { rejected: gate.reason };
    if (gate.kind === 'approval') {
      return { leaseExpiresAt, approvalRequired: true, requestId: gate.requestId, requestNumber: gate.requestNumber, approvalId: gate.approvalId, reason: gate.reason };
    }
    if (max.days !== null && !isAdmin(principal) && next.getTime() - now.getTime() > max.days * DAY_MS) {
      // Only reachable for a VM outside any project (nothing to route an approval through).
      throw new ConflictError(`The lease can run at most ${max.days} days from today (${max.source} maximum).`);
    }
    await tx.vm.update({ where: { id: vmId }, data: { leaseExpiresAt: next } });
    await recordAudit(tx, audit, { action: 'vm.lease.extend', targetType: 'vm', targetId: vmId, before: { leaseExpiresAt: vm.leaseExpiresAt }, after: { leaseExpiresAt: next, days } });
    return { leaseExpiresAt: next.toISOString() };
  });
  if ('rejected' in result) throw new ConflictError(result.rejected);
  return result;
}

export interface LeaseSweepResult {
  reminded: number;
  stopped: number;
  deleted: number;
}

/** One pass over leased VMs. Idempotent: reminders are stamped, actions skip VMs with a live job. */
export async function runLeaseSweep(db: Db, options: { now?: Date; graceDays?: number } = {}): Promise<LeaseSweepResult> {
  const now = options.now ?? new Date();
  const graceDays = options.graceDays ?? Number(process.env.LEASE_GRACE_DAYS ?? 7);
  const audit = auditContext(WORKER_ACTOR);
  const result: LeaseSweepResult = { reminded: 0, stopped: 0, deleted: 0 };
  const horizon = new Date(now.getTime() + REMINDER_DAYS[0] * DAY_MS);
  const vms = await db.vm.findMany({
    where: { deletedAt: null, leaseExpiresAt: { not: null, lte: horizon } },
    include: { jobs: { where: { status: { in: ['queued', 'running'] }, kind: { in: Object.values(ACTION_KIND) } }, select: { kind: true } } },
    take: 5000,
    orderBy: { leaseExpiresAt: 'asc' },
  });
  for (const vm of vms) {
    const expires = vm.leaseExpiresAt!;
    if (expires > now) {
      // The nearest reminder threshold we have passed and not yet stamped.
      const due = REMINDER_DAYS.filter((d) => now.getTime() >= expires.getTime() - d * DAY_MS).at(-1);
      if (due === undefined) continue;
      const threshold = new Date(expires.getTime() - due * DAY_MS);
      if (vm.leaseNotifiedAt && vm.leaseNotifiedAt >= threshold) continue;
      await db.$transaction(async (tx) => {
        await tx.vm.update({ where: { id: vm.id }, data: { leaseNotifiedAt: now } });
        const when = due === 1 ? 'tomorrow' : `in ${due} days`;
        const text = `The lease of ${vm.name} ends ${when} (${expires.toISOString()}). It will be powered off then and deleted ${graceDays} days later unless you extend it.`;
        if (vm.ownerId) {
          await notify(tx, { userIds: [vm.ownerId], type: 'lease_reminder', title: `Lease of ${vm.name} ends ${when}`, body: text, link: `/inventory/${vm.id}`, email: { subject: `Skyport: lease of ${vm.name} ends ${when}`, text } });
        }
        await recordAudit(tx, audit, { action: 'vm.lease.reminder', targetType: 'vm', targetId: vm.id, after: { daysBefore: due, leaseExpiresAt: expires } });
      });
      result.reminded++;
      continue;
    }
    const live = new Set(vm.jobs.map((j) => j.kind));
    const deleteAt = new Date(expires.getTime() + graceDays * DAY_MS);
    if (now >= deleteAt) {
      if (live.has('delete_vm')) continue;
      await db.$transaction((tx) => enqueueVmAction(tx, vm, { action: 'delete', reason: 'lease expired; grace period over' }, audit));
      result.deleted++;
    } else if (vm.state === 'running' && live.size === 0) {
      await db.$transaction(async (tx) => {
        await enqueueVmAction(tx, vm, { action: 'stop', reason: 'lease expired' }, audit);
        if (vm.ownerId) {
          const text = `The lease of ${vm.name} ended; it is being powered off and will be deleted on ${deleteAt.toISOString()} unless you extend the lease.`;
          await notify(tx, { userIds: [vm.ownerId], type: 'lease_expired', title: `${vm.name} powered off: lease ended`, body: text, link: `/inventory/${vm.id}`, email: { subject: `Skyport: ${vm.name} powered off (lease ended)`, text } });
        }
      });
      result.stopped++;
    }
  }
  return result;
}
