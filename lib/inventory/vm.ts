// One VM: the getVm view (contract 8), its jobs and audit history for the VM page, claiming an
// unmanaged VM into a project, and re-applying Skyport's tags to a drifted one. Tags are written to
// the provider first (adapter.setTags, contract 7); the row changes only after the provider took
// them, in one transaction with its audit row.
import '@/providers/all';
import type { Prisma } from '@/generated/prisma/client';
import { skyportTagMap } from '@/providers/shared/tags';
import { SKYPORT_TAG_KEYS } from '@/providers/types';
import { recordAudit, type AuditContext } from '../audit/record';
import type { Principal } from '../auth/principal';
import { isAdmin } from '../auth/permissions';
import { vmCostToDate } from '../billing/vm-cost';
import type { Db } from '../db/client';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors';
import { adapterForAccount } from '../provider-accounts/service';
import { markObserved } from '../provider-accounts/sync-write';
import { priceRows } from './cost';
import { refreshVmCosts } from './cost-refresh';
import { ownsAProject } from './list';
import type { DriftReason } from './drift';
import type { ClaimVmInput, VmView } from './schemas';

const VM_INCLUDE = {
  providerAccount: { select: { name: true } },
  owner: { select: { id: true, name: true, email: true } },
  project: { select: { id: true, key: true, name: true } },
  requestItem: { select: { requestId: true } },
} satisfies Prisma.VmInclude;

type VmRow = Prisma.VmGetPayload<{ include: typeof VM_INCLUDE }>;

/** How costToDate.forecastMonthEnd is computed (the cost explorer's method, lib/billing/money.ts). */
export const FORECAST_METHOD = 'linear run-rate: effective cost month to date ÷ days elapsed (today counts) × days in the month';

/** Same rule as listVms (filterConditions): admins; members of the VM's project; owners of any project see unmanaged VMs. */
export function canSeeVm(principal: Principal, vm: { projectId: string | null; managed: boolean }): boolean {
  if (isAdmin(principal)) return true;
  if (vm.projectId !== null) return vm.projectId in principal.projects;
  return !vm.managed && ownsAProject(principal);
}

/** Unmanaged VMs are read-only to project owners: only admins act on them (day-2 actions) until claimed. */
export function isReadOnlyFor(principal: Principal, vm: { projectId: string | null }): boolean {
  return !isAdmin(principal) && vm.projectId === null;
}

/** A VM the principal may see; others' VMs answer 404 like missing ones (their existence is not disclosed). */
async function visibleVm(db: Db, principal: Principal, vmId: string): Promise<VmRow> {
  const vm = await db.vm.findUnique({ where: { id: vmId }, include: VM_INCLUDE });
  if (!vm || !canSeeVm(principal, vm)) throw new NotFoundError('VM');
  return vm;
}

function tagsOf(value: Prisma.JsonValue): Record<string, string> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

async function toView(db: Db, vm: VmRow): Promise<VmView> {
  const [pending, stored, billed] = await Promise.all([
    db.provisioningJob.findFirst({
      where: { vmId: vm.id, status: { in: ['queued', 'running'] } },
      orderBy: { createdAt: 'desc' },
      select: { id: true, kind: true, status: true, createdAt: true },
    }),
    db.vmMonthlyCost.findUnique({ where: { vmId: vm.id } }),
    vmCostToDate(db, vm.id),
  ]);
  const [priced] = await priceRows(db, [
    {
      id: vm.id,
      name: vm.name,
      providerKind: vm.providerKind,
      providerId: vm.providerId,
      accountId: vm.providerAccountId,
      accountName: vm.providerAccount.name,
      regionCode: vm.regionCode,
      zone: vm.zone,
      size: vm.size,
      vcpus: vm.vcpus,
      memoryMiB: vm.memoryMiB,
      diskGiB: vm.diskGiB,
      state: vm.state,
      managed: vm.managed,
      drift: vm.drift,
      driftReasons: vm.driftReasons as DriftReason[],
      owner: vm.owner,
      project: vm.project,
      leaseExpiresAt: vm.leaseExpiresAt?.toISOString() ?? null,
      privateIp: vm.privateIp,
      publicIp: vm.publicIp,
      firstSeenAt: vm.firstSeenAt.toISOString(),
      lastSeenAt: vm.lastSeenAt.toISOString(),
      deletedAt: vm.deletedAt?.toISOString() ?? null,
      stored: stored ? { amount: stored.monthlyCost?.toFixed(2) ?? null, currency: stored.currency, source: stored.source } : null,
    },
  ]);
  return {
    ...priced!,
    region: vm.regionCode,
    tags: tagsOf(vm.tags),
    projectId: vm.projectId,
    ownerId: vm.ownerId,
    requestId: vm.requestItem?.requestId ?? null,
    requestItemId: vm.requestItemId,
    imageId: vm.imageId,
    providerState: vm.providerState,
    createdBySkyport: vm.createdBySkyport,
    claimedAt: vm.claimedAt?.toISOString() ?? null,
    expectedSize: vm.expectedSize,
    driftDetectedAt: vm.driftDetectedAt?.toISOString() ?? null,
    providerCreatedAt: vm.providerCreatedAt?.toISOString() ?? null,
    costToDate: billed.currency
      ? { currency: billed.currency, monthToDate: billed.monthToDate, forecastMonthEnd: billed.forecastMonthEnd, method: FORECAST_METHOD }
      : null,
    pendingAction: pending ? { jobId: pending.id, kind: pending.kind, status: pending.status, createdAt: pending.createdAt.toISOString() } : null,
  };
}

export async function getVm(db: Db, principal: Principal, vmId: string): Promise<VmView> {
  return toView(db, await visibleVm(db, principal, vmId));
}

/** The VM page's history: its Skyport jobs and the audit rows about it, newest first. */
export async function vmHistory(db: Db, principal: Principal, vmId: string, take = 50) {
  const vm = await visibleVm(db, principal, vmId);
  const [jobs, audit] = await Promise.all([
    db.provisioningJob.findMany({
      where: { vmId: vm.id },
      orderBy: { createdAt: 'desc' },
      take,
      select: { id: true, kind: true, status: true, attempts: true, maxAttempts: true, createdAt: true, finishedAt: true, lastError: true },
    }),
    db.auditEvent.findMany({
      where: { targetType: 'vm', targetId: vm.id },
      orderBy: { id: 'desc' },
      take,
      select: { id: true, action: true, actorLabel: true, at: true, after: true },
    }),
  ]);
  return { jobs, audit };
}

/** Claim and re-apply: admins, or the owner of the project concerned. */
function assertProjectOwner(principal: Principal, projectId: string, what: string) {
  if (!isAdmin(principal) && principal.projects[projectId] !== 'owner') {
    throw new ForbiddenError(`Only an admin or the project's owner may ${what}.`);
  }
}

async function writeTags(db: Db, vm: VmRow, tags: Record<string, string>) {
  const account = await db.providerAccount.findUniqueOrThrow({ where: { id: vm.providerAccountId } });
  const { adapter } = adapterForAccount(account);
  try {
    await adapter.setTags({ providerId: vm.providerId, region: vm.regionCode, zone: vm.zone ?? undefined }, tags);
  } finally {
    await adapter.close?.();
  }
}

export async function claimVm(db: Db, principal: Principal, vmId: string, input: ClaimVmInput, audit: AuditContext): Promise<{ vm: VmView; tagsWritten: Record<string, string> }> {
  // The target project decides first: nothing about the VM is disclosed to a non-owner.
  assertProjectOwner(principal, input.projectId, 'claim a VM into this project');
  const vm = await db.vm.findUnique({ where: { id: vmId }, include: VM_INCLUDE });
  // Unmanaged VMs belong to no project; owners of a project see them (listVms, getVm) and may claim
  // them into a project they own. Anything else they cannot see answers 404.
  if (!vm || !canSeeVm(principal, vm)) throw new NotFoundError('VM');
  if (vm.managed) throw new ConflictError('This VM is already managed by Skyport; it cannot be claimed.');
  if (vm.deletedAt || vm.state === 'deleted') throw new ConflictError('This VM no longer exists at the provider.');
  const [project, owner] = await Promise.all([
    db.project.findUnique({ where: { id: input.projectId }, select: { id: true, key: true, archivedAt: true } }),
    db.user.findUnique({ where: { id: input.ownerId }, select: { id: true, email: true, status: true } }),
  ]);
  const issues = [
    ...(!project || project.archivedAt ? [{ field: 'projectId', message: 'Choose an active project.' }] : []),
    ...(!owner || owner.status !== 'active' ? [{ field: 'ownerId', message: 'Choose an active user as owner.' }] : []),
  ];
  if (issues.length) throw new ValidationError(issues);
  const tags = skyportTagMap({ owner: owner!.email, project: project!.key, request: 'claimed', skyportId: vm.id });
  await writeTags(db, vm, tags);
  await db.$transaction(async (tx) => {
    const claimed = await tx.vm.updateMany({
      where: { id: vm.id, managed: false },
      data: {
        managed: true,
        createdBySkyport: true,
        projectId: project!.id,
        ownerId: owner!.id,
        claimedAt: new Date(),
        expectedSize: vm.size,
        tags: { ...tagsOf(vm.tags), ...tags },
        drift: false,
        driftReasons: [],
        driftDetectedAt: null,
      },
    });
    if (claimed.count === 0) throw new ConflictError('This VM was claimed by someone else meanwhile.');
    // The tags just written at the provider: a sync listing from before must not revert them.
    await markObserved(tx, vm.id);
    await recordAudit(tx, audit, {
      action: 'vm.claim',
      targetType: 'vm',
      targetId: vm.id,
      before: { managed: false, projectId: vm.projectId, ownerId: vm.ownerId },
      after: { managed: true, projectId: project!.id, ownerId: owner!.id, tagsWritten: tags },
    });
    // The project's price rules now apply: its cost column changes with the claim.
    await refreshVmCosts(tx, { vmIds: [vm.id] });
  });
  return { vm: await getVm(db, { ...principal, roles: ['admin'] }, vm.id), tagsWritten: tags };
}

/**
 * Writes Skyport's tags back onto a managed VM (someone removed them) and accepts its current size
 * as the expected one. Power-state drift clears once a Skyport action or the VM's state agrees again.
 */
export async function reapplyVmTags(db: Db, principal: Principal, vmId: string, audit: AuditContext): Promise<{ vm: VmView; tagsWritten: Record<string, string> }> {
  const vm = await visibleVm(db, principal, vmId);
  if (!vm.managed || !vm.projectId || !vm.project || !vm.owner) {
    throw new ConflictError('Only a managed VM with a project and an owner has Skyport tags to re-apply; claim it first.');
  }
  assertProjectOwner(principal, vm.projectId, "re-apply this VM's tags");
  if (vm.deletedAt || vm.state === 'deleted') throw new ConflictError('This VM no longer exists at the provider.');
  const current = tagsOf(vm.tags);
  const tags = skyportTagMap({
    owner: vm.owner.email,
    project: vm.project.key,
    request: vm.requestItem?.requestId ?? current[SKYPORT_TAG_KEYS.request] ?? 'claimed',
    skyportId: current[SKYPORT_TAG_KEYS.skyportId] ?? vm.idempotencyKey ?? vm.id,
  });
  await writeTags(db, vm, tags);
  const remaining = (vm.driftReasons as DriftReason[]).filter((r) => r !== 'tags_removed' && r !== 'size_changed');
  await db.$transaction(async (tx) => {
    await tx.vm.update({
      where: { id: vm.id },
      data: {
        tags: { ...current, ...tags },
        createdBySkyport: true,
        expectedSize: vm.size,
        drift: remaining.length > 0,
        driftReasons: remaining,
        driftDetectedAt: remaining.length ? vm.driftDetectedAt : null,
      },
    });
    // The tags just written at the provider: a sync listing from before must not revert them.
    await markObserved(tx, vm.id);
    await recordAudit(tx, audit, {
      action: 'vm.reapply_tags',
      targetType: 'vm',
      targetId: vm.id,
      before: { driftReasons: vm.driftReasons, expectedSize: vm.expectedSize },
      after: { driftReasons: remaining, expectedSize: vm.size, tagsWritten: tags },
    });
  });
  return { vm: await getVm(db, principal, vm.id), tagsWritten: tags };
}
