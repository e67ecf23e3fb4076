// Day-2 actions on a VM (contract 8): who may do what (owner, project owner, admin), what the
// provider can do (adapter capabilities), and running it through a job. A double click is one
// action: the Vm row is locked while we look for a live job of the same action.
import type { ProviderAccount, Vm } from '@/generated/prisma/client';
import type { ProviderCapabilities } from '@/providers/types';
import type { AuditContext } from '../audit/record';
import { canAccessProject, isAdmin } from '../auth/permissions';
import type { Principal } from '../auth/principal';
import { loadPriceContext, priceVm } from '../catalog/pricing';
import type { Db } from '../db/client';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors';
import { jobRuntime } from '../jobs/context';
import type { Tx } from '../jobs/types';
import { adapterForAccount } from '../provider-accounts/service';
import { describeVmAction } from './describe-action';
import { ACTION_KIND, ACTION_KINDS, enqueueVmAction, KIND_ACTION } from './enqueue';
import { gateVmAction, pendingActionRequests, planAction } from './gate';
import { effectiveLeaseMax } from './lease-max';
import type { AvailableAction, ResizeOption, RunVmActionInput, RunVmActionResult, VmAction, VmActionsView } from './schemas';
import { VM_ACTIONS } from './schemas';

export { ACTION_KIND, KIND_ACTION, VM_ACTION_MAX_ATTEMPTS, VM_ACTION_TASK, enqueueVmAction } from './enqueue';

const capabilityCache = new Map<string, ProviderCapabilities>();

/** The adapter's declared capabilities (static per provider kind, so cached per kind). */
export function capabilitiesOf(account: ProviderAccount): ProviderCapabilities {
  let caps = capabilityCache.get(account.kind);
  if (!caps) {
    try {
      const { adapter } = adapterForAccount(account, jobRuntime());
      caps = adapter.capabilities();
      void adapter.close?.().catch(() => undefined);
    } catch {
      // Unreadable settings or credentials (e.g. a changed SKYPORT_SECRET_KEY): offer nothing, do not cache.
      return { actions: [], resizeRequiresStop: false, idempotency: '' };
    }
    capabilityCache.set(account.kind, caps);
  }
  return caps;
}

type VmFacts = Pick<Vm, 'ownerId' | 'projectId' | 'state' | 'deletedAt'>;

/** Owner, the project's owner, or an admin. */
export function canOperate(principal: Principal, vm: Pick<Vm, 'ownerId' | 'projectId'>): boolean {
  if (isAdmin(principal)) return true;
  if (vm.ownerId && vm.ownerId === principal.userId) return true;
  return !!vm.projectId && principal.projects[vm.projectId] === 'owner';
}

const STOPPED = new Set(['stopped', 'deallocated']);

function stateReason(action: VmAction, state: string): string | undefined {
  switch (action) {
    case 'start':
      return STOPPED.has(state) ? undefined : `The VM is ${state}; only a stopped VM can be started.`;
    case 'stop':
    case 'reboot':
      return state === 'running' ? undefined : `The VM is ${state}; only a running VM can be ${action === 'stop' ? 'stopped' : 'rebooted'}.`;
    case 'resize':
      return state === 'running' || STOPPED.has(state) ? undefined : `The VM is ${state}.`;
    case 'delete':
      return state === 'deleting' || state === 'deleted' ? `The VM is ${state}.` : undefined;
  }
}

/**
 * Every action with whether this principal may run it now and, if not, why. An action the
 * provider cannot do is left out entirely (not offered).
 */
export function availableActions(
  principal: Principal,
  vm: VmFacts,
  caps: ProviderCapabilities,
  pendingAction: string | null = null,
  awaitingApproval: readonly { action: string; requestNumber: number }[] = [],
): AvailableAction[] {
  const offered = VM_ACTIONS.filter((a) => caps.actions.includes(a));
  const allowed = canOperate(principal, vm);
  return offered.map((action) => {
    if (!allowed) return { action, enabled: false, reason: 'Only the VM’s owner, the project’s owner or an admin can do this.' };
    if (vm.deletedAt) return { action, enabled: false, reason: 'The VM no longer exists.' };
    if (pendingAction) return { action, enabled: false, reason: `${pendingAction} is in progress.` };
    const waiting = awaitingApproval.find((w) => w.action === action);
    if (waiting) return { action, enabled: false, reason: `This ${action} awaits approval (REQ-${waiting.requestNumber}).` };
    const reason = stateReason(action, vm.state);
    return reason ? { action, enabled: false, reason } : { action, enabled: true };
  });
}

async function loadVm(db: Tx, principal: Principal, vmId: string) {
  const vm = await db.vm.findUnique({ where: { id: vmId }, include: { providerAccount: true } });
  if (!vm || (vm.projectId ? !canAccessProject(principal, vm.projectId) : !isAdmin(principal))) throw new NotFoundError('VM');
  return vm;
}

function errorText(lastError: unknown): string | null {
  return lastError && typeof lastError === 'object' && 'message' in lastError ? String((lastError as { message: unknown }).message) : null;
}

/** Live (queued/running) day-2 jobs per VM, for getVm's `pendingAction`. */
export async function pendingVmActions(db: Tx, vmIds: string[]): Promise<Record<string, { jobId: string; action: string; status: string } | undefined>> {
  if (!vmIds.length) return {};
  const jobs = await db.provisioningJob.findMany({
    where: { vmId: { in: vmIds }, kind: { in: ACTION_KINDS }, status: { in: ['queued', 'running'] } },
    orderBy: { createdAt: 'asc' },
  });
  return Object.fromEntries(jobs.map((j) => [j.vmId!, { jobId: j.id, action: KIND_ACTION[j.kind]!, status: j.attempts > 0 && j.status === 'queued' ? 'retrying' : j.status }]));
}

export async function getVmActions(db: Db, principal: Principal, vmId: string): Promise<VmActionsView> {
  const vm = await loadVm(db, principal, vmId);
  const jobs = await db.provisioningJob.findMany({ where: { vmId, kind: { in: ACTION_KINDS } }, orderBy: { createdAt: 'desc' }, take: 5 });
  const live = jobs.find((j) => j.status === 'queued' || j.status === 'running');
  const last = jobs.find((j) => j !== live);
  const caps = capabilitiesOf(vm.providerAccount);
  const [leaseMax, waiting] = await Promise.all([effectiveLeaseMax(db, vm), pendingActionRequests(db, vmId)]);
  const pendingApprovals = waiting.map((w) => ({ requestId: w.id, requestNumber: w.number, action: w.payload.action, summary: describeVmAction(w.payload) }));
  return {
    vmId,
    state: vm.state,
    actions: availableActions(principal, vm, caps, live ? KIND_ACTION[live.kind]! : null, pendingApprovals),
    pendingApprovals,
    pendingAction: live
      ? { jobId: live.id, action: KIND_ACTION[live.kind]!, status: live.status === 'queued' && live.attempts > 0 ? 'retrying' : live.status, attempts: live.attempts, lastError: errorText(live.lastError) }
      : null,
    lastAction: last ? { jobId: last.id, action: KIND_ACTION[last.kind]!, status: last.status, finishedAt: last.finishedAt?.toISOString() ?? null, lastError: errorText(last.lastError) } : null,
    lease: { expiresAt: vm.leaseExpiresAt?.toISOString() ?? null, maxDays: leaseMax.days },
  };
}

/** Sizes the VM can be resized to, each with its monthly price from the price book. */
export async function resizeOptions(db: Db, principal: Principal, vmId: string): Promise<ResizeOption[]> {
  const vm = await loadVm(db, principal, vmId);
  const { adapter } = adapterForAccount(vm.providerAccount, jobRuntime());
  let sizes;
  try {
    sizes = await adapter.listSizes(vm.regionCode);
  } finally {
    await adapter.close?.().catch(() => undefined);
  }
  const prices = await loadPriceContext(db, { projectId: vm.projectId ?? undefined });
  return sizes.slice(0, 200).map((s) => {
    const price = priceVm(prices, { providerKind: vm.providerKind, regionCode: vm.regionCode, instanceType: s.id, vcpus: s.vcpus, memoryMiB: s.memoryMiB, diskGiB: vm.diskGiB ?? 0 });
    return { size: s.id, vcpus: s.vcpus, memoryMiB: s.memoryMiB, monthlyPrice: price?.totalMonthly ?? null, currency: price?.currency ?? null, current: s.id === vm.size };
  });
}

/**
 * Queues a day-2 action and returns its job id; a second identical request while it is live
 * returns the same id. When a vm_action policy requires approval nothing runs: the answer names
 * the pending approval (`jobId: null`), and the same action sent again returns that approval. A
 * rejecting policy answers 409 with its reason (recorded on the VM's history).
 */
export async function runVmAction(db: Db, principal: Principal, vmId: string, input: RunVmActionInput, audit: AuditContext): Promise<RunVmActionResult> {
  const before = await loadVm(db, principal, vmId);
  if (!canOperate(principal, before)) throw new ForbiddenError('Only the VM’s owner, the project’s owner or an admin can do this.');
  if (!capabilitiesOf(before.providerAccount).actions.includes(input.action)) throw new ConflictError(`This provider cannot ${input.action} a VM.`);
  if (input.action === 'resize' && input.size === before.size) throw new ValidationError([{ field: 'size', message: `The VM already is ${before.size}.` }]);
  // Sizes and prices need the adapter and the price book: read before the row lock.
  const plan = before.projectId ? await planAction(db, before, { action: input.action, size: input.size }) : null;
  const result = await db.$transaction(async (tx): Promise<RunVmActionResult | { rejected: string }> => {
    await tx.$queryRaw`SELECT id FROM "Vm" WHERE id = ${vmId} FOR UPDATE`;
    const vm = await loadVm(tx, principal, vmId);
    const kind = ACTION_KIND[input.action];
    const live = await tx.provisioningJob.findFirst({ where: { vmId, kind: { in: ACTION_KINDS }, status: { in: ['queued', 'running'] } } });
    if (live) {
      const sameSize = input.action !== 'resize' || (live.payload as { size?: string }).size === input.size;
      if (live.kind === kind && sameSize) return { jobId: live.id };
      throw new ConflictError(`${KIND_ACTION[live.kind]} is already in progress on ${vm.name}.`);
    }
    const waiting = (await pendingActionRequests(tx, vmId)).find((w) => w.payload.action === input.action);
    if (waiting) {
      if (input.action !== 'resize' || waiting.payload.size === input.size) {
        return { jobId: null, approvalRequired: true, requestId: waiting.id, requestNumber: waiting.number, approvalId: waiting.approvalId };
      }
      throw new ConflictError(`A resize of ${vm.name} to ${waiting.payload.size} awaits approval (REQ-${waiting.number}); cancel it first.`);
    }
    const reason = vm.deletedAt ? 'The VM no longer exists.' : stateReason(input.action, vm.state);
    if (reason) throw new ConflictError(reason);
    if (input.action === 'resize' && input.size === vm.size) throw new ValidationError([{ field: 'size', message: `The VM already is ${vm.size}.` }]);
    const gate = plan ? await gateVmAction(tx, principal, vm, plan, audit) : { kind: 'run' as const };
    switch (gate.kind) {
      case 'run':
        return enqueueVmAction(tx, vm, { ...input, costDelta: plan?.payload.costDelta }, audit, principal.userId);
      case 'rejected':
        return { rejected: gate.reason };
      case 'approval':
        return { jobId: null, approvalRequired: true, requestId: gate.requestId, requestNumber: gate.requestNumber, approvalId: gate.approvalId, reason: gate.reason };
    }
  });
  // Thrown after the commit so the refusal stays on the VM's history.
  if ('rejected' in result) throw new ConflictError(result.rejected);
  return result;
}
