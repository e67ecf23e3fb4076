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

const DAY_MS = 86_400_000;
export const REMINDER_DAYS = [7, 1] as const;
export const LEASE_SWEEP_TASK = 'vms.lease_sweep';

async function maxLeaseDays(db: Db, requestItemId: string | null): Promise<number | null> {
  if (!requestItemId) return null;
  const item = await db.requestItem.findUnique({ where: { id: requestItemId }, select: { templateVersion: { select: { template: { select: { maxLeaseDays: true } } } } } });
  return item?.templateVersion.template.maxLeaseDays ?? null;
}

/**
 * Extends the lease by `days` from its current end (or from now when already expired). Within the
 * template's maximum lease anyone who may operate the VM extends it at once; beyond it only an
 * admin can.
 */
export async function extendLease(db: Db, principal: Principal, vmId: string, days: number, audit: AuditContext, now: Date = new Date()): Promise<{ leaseExpiresAt: string }> {
  const vm = await db.vm.findUnique({ where: { id: vmId } });
  if (!vm || vm.deletedAt || (vm.projectId ? !canAccessProject(principal, vm.projectId) : !isAdmin(principal))) throw new NotFoundError('VM');
  if (!canOperate(principal, vm)) throw new ForbiddenError('Only the VM’s owner, the project’s owner or an admin can extend its lease.');
  if (!vm.leaseExpiresAt) throw new ConflictError(`${vm.name} has no lease to extend.`);
  const from = Math.max(vm.leaseExpiresAt.getTime(), now.getTime());
  const next = new Date(from + days * DAY_MS);
  const max = await maxLeaseDays(db, vm.requestItemId);
  if (max !== null && !isAdmin(principal) && next.getTime() - now.getTime() > max * DAY_MS) {
    throw new ConflictError(`The lease can run at most ${max} days from today (template maximum); ask an admin for a longer extension.`);
  }
  await db.$transaction(async (tx) => {
    await tx.vm.update({ where: { id: vmId }, data: { leaseExpiresAt: next } });
    await recordAudit(tx, audit, { action: 'vm.lease.extend', targetType: 'vm', targetId: vmId, before: { leaseExpiresAt: vm.leaseExpiresAt }, after: { leaseExpiresAt: next, days } });
  });
  return { leaseExpiresAt: next.toISOString() };
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
