// The policy gate of day-2 actions (issue 7): the enabled vm_action policies decide whether an
// action runs now, is refused, or waits for the same ordered approval chain as a request. A
// waiting action is a Request of kind vm_action (the VM and the action in its payload), so the
// chain, the inbox, the timeline, notifications and audit are the requests' own. Its approval is
// carried out by lib/vms/action-approval.ts.
import { Prisma, type ProviderAccount, type Vm } from '@/generated/prisma/client';
import { recordAudit, type AuditContext } from '../audit/record';
import type { Principal } from '../auth/principal';
import { resolveInstanceType } from '../catalog/instance-types';
import { loadPriceContext, priceVm } from '../catalog/pricing';
import type { Db } from '../db/client';
import { ConflictError, ValidationError } from '../errors';
import { jobRuntime } from '../jobs/context';
import type { Tx } from '../jobs/types';
import { startApprovalChain } from '../approvals/chain';
import { evaluateActionPolicySet } from '../policy/evaluate';
import type { ActionFacts, PolicyEvaluation } from '../policy/schemas';
import { loadPolicyDefinitions } from '../policy/store';
import { adapterForAccount } from '../provider-accounts/service';
import { budgetLine, committedSpend, type BudgetLine } from '../requests/budget';
import { checkQuotaUsage, describeExceeded, loadProjectUsage, loadQuotaLimits, type QuotaCheck } from '../requests/quota';
import { transitionRequest } from '../requests/state-machine';
import { appendTimeline } from '../requests/timeline';
import { auditVerb, describeVmAction } from './describe-action';
import type { GatedAction, VmActionPayload } from './schemas';

export type GateVm = Vm & { providerAccount: ProviderAccount };

/** What the gate knows about an action before the transaction (sizes and prices need the adapter and the price book). */
export interface ActionPlan {
  payload: VmActionPayload;
  facts: Omit<ActionFacts, 'quotaExceeded' | 'requesterId'>;
}

export type GateOutcome =
  | { kind: 'run' }
  | { kind: 'rejected'; reason: string }
  | { kind: 'approval'; requestId: string; requestNumber: number; approvalId: string | null; reason: string };

const DAY_MS = 86_400_000;
const Decimal = Prisma.Decimal;

/** vCPU/RAM of an instance type: the adapter's size list (also proves the size exists), else the stored catalogue. */
async function sizeSpec(db: Db, vm: GateVm, size: string, mustExist: boolean): Promise<{ vcpus: number; memoryMiB: number } | null> {
  let sizes: { id: string; vcpus: number; memoryMiB: number }[] | null = null;
  let adapter;
  try {
    adapter = adapterForAccount(vm.providerAccount, jobRuntime()).adapter;
    sizes = await adapter.listSizes(vm.regionCode);
  } catch {
    // Provider unreachable: fall back to the instance types stored by the last sync.
    sizes = null;
  } finally {
    await adapter?.close?.().catch(() => undefined);
  }
  if (sizes) {
    const found = sizes.find((s) => s.id === size);
    if (!found && mustExist) throw new ValidationError([{ field: 'size', message: `${size} is not a size of this provider in ${vm.regionCode}.` }]);
    if (found) return { vcpus: found.vcpus, memoryMiB: found.memoryMiB };
  }
  const stored = await resolveInstanceType(db, vm.providerKind, size);
  if (!stored && mustExist) throw new ConflictError(`The sizes of ${vm.name}'s provider cannot be read right now; try again in a moment.`);
  return stored;
}

async function templateOf(db: Db, vm: GateVm): Promise<{ templateId: string | null; templateSlug: string | null }> {
  if (!vm.requestItemId) return { templateId: null, templateSlug: null };
  const item = await db.requestItem.findUnique({ where: { id: vm.requestItemId }, select: { templateVersion: { select: { templateId: true, template: { select: { slug: true } } } } } });
  return { templateId: item?.templateVersion.templateId ?? null, templateSlug: item?.templateVersion.template.slug ?? null };
}

/**
 * The facts and payload of one action. `lease` is given for extend_lease (computed by leases.ts
 * against the effective maximum).
 */
export async function planAction(
  db: Db,
  vm: GateVm,
  input: { action: GatedAction; size?: string; lease?: { days: number; from: Date | null; to: Date; leaseDays: number; maxDays: number | null; beyondMax: boolean } },
): Promise<ActionPlan> {
  const prices = await loadPriceContext(db, { projectId: vm.projectId ?? undefined });
  const current = { vcpus: vm.vcpus, memoryMiB: vm.memoryMiB };
  if (current.vcpus === null || current.memoryMiB === null) {
    const spec = await resolveInstanceType(db, vm.providerKind, vm.size);
    current.vcpus ??= spec?.vcpus ?? null;
    current.memoryMiB ??= spec?.memoryMiB ?? null;
  }
  const price = (size: string, spec: { vcpus: number | null; memoryMiB: number | null }) =>
    priceVm(prices, { providerKind: vm.providerKind, regionCode: vm.regionCode, instanceType: size, vcpus: spec.vcpus ?? 0, memoryMiB: spec.memoryMiB ?? 0, diskGiB: vm.diskGiB ?? 0 });
  const oldPrice = price(vm.size, current);
  let target = current;
  let newMonthly: string | null = oldPrice?.totalMonthly ?? null;
  if (input.action === 'resize') {
    const spec = await sizeSpec(db, vm, input.size!, true);
    target = { vcpus: spec?.vcpus ?? null, memoryMiB: spec?.memoryMiB ?? null };
    newMonthly = price(input.size!, target)?.totalMonthly ?? null;
  } else if (input.action === 'delete') {
    newMonthly = '0.00';
  }
  const oldMonthly = oldPrice?.totalMonthly ?? null;
  const costDelta = oldMonthly !== null && newMonthly !== null ? new Decimal(newMonthly).minus(oldMonthly).toFixed(2) : null;
  const template = await templateOf(db, vm);
  const payload: VmActionPayload = {
    action: input.action,
    vmName: vm.name,
    currency: oldPrice?.currency ?? prices.currency,
    oldMonthly,
    newMonthly,
    costDelta,
    ...(input.action === 'resize'
      ? {
          size: input.size,
          fromSize: vm.size,
          fromVcpus: current.vcpus,
          toVcpus: target.vcpus,
          fromMemoryMiB: current.memoryMiB,
          toMemoryMiB: target.memoryMiB,
          vcpusDelta: (target.vcpus ?? 0) - (current.vcpus ?? 0),
          memoryMiBDelta: (target.memoryMiB ?? 0) - (current.memoryMiB ?? 0),
        }
      : {}),
    ...(input.lease
      ? { days: input.lease.days, leaseFrom: input.lease.from?.toISOString() ?? null, leaseTo: input.lease.to.toISOString(), leaseMaxDays: input.lease.maxDays }
      : {}),
  };
  const kind = vm.providerKind;
  return {
    payload,
    facts: {
      action: input.action,
      vmId: vm.id,
      projectId: vm.projectId ?? '',
      ...template,
      providerKind: kind,
      providerAccountId: vm.providerAccountId,
      regionCode: vm.regionCode,
      vcpus: target.vcpus ?? 0,
      memoryMiB: target.memoryMiB ?? 0,
      estimatedMonthlyCost: Number(newMonthly ?? 0),
      costDelta: Number(costDelta ?? 0),
      leaseDays: input.lease?.leaseDays ?? null,
      beyondLeaseMax: input.lease?.beyondMax ?? false,
    },
  };
}

/** A resize that adds vCPU/RAM is checked against the project's quota like a request (VM count unchanged). */
async function resizeQuota(tx: Tx, vm: GateVm, payload: VmActionPayload): Promise<QuotaCheck> {
  const vcpus = Math.max(0, payload.vcpusDelta ?? 0);
  const memoryMiB = Math.max(0, payload.memoryMiBDelta ?? 0);
  if (payload.action !== 'resize' || !vm.projectId || (vcpus === 0 && memoryMiB === 0)) return { lines: [], exceeded: [] };
  // The same lock as request submissions: concurrent resizes and submissions never together pass the quota.
  await tx.$queryRaw`SELECT id FROM "Project" WHERE id = ${vm.projectId} FOR UPDATE`;
  const [limits, usage] = await Promise.all([loadQuotaLimits(tx, vm.projectId), loadProjectUsage(tx, vm.projectId)]);
  const check = checkQuotaUsage(limits, usage, vm.providerKind, { instances: 0, vcpus, memoryMiB, diskGiB: 0 });
  // Only the resources this resize adds can be exceeded by it.
  const lines = check.lines.filter((l) => l.requested > 0);
  return { lines, exceeded: lines.filter((l) => l.exceeded).map((l) => ({ name: l.name, limit: l.limit, after: l.after })) };
}

/**
 * A resize that raises the monthly price is checked against the project's monthly budget exactly
 * as a request submission is (lib/requests/budget.ts: live VMs' run-rate + in-flight requests,
 * plus this resize's price increase), under the same Project row lock. Resizes still waiting for
 * approval or their job add their increase too (the live run-rate still has their old size), as
 * they count against the quota. Null when there is nothing to check.
 */
async function resizeBudget(tx: Tx, vm: GateVm, payload: VmActionPayload): Promise<BudgetLine | null> {
  const delta = payload.costDelta;
  if (payload.action !== 'resize' || !vm.projectId || delta === null || delta === undefined || !new Decimal(delta).greaterThan(0)) return null;
  await tx.$queryRaw`SELECT id FROM "Project" WHERE id = ${vm.projectId} FOR UPDATE`;
  const prices = await loadPriceContext(tx, { projectId: vm.projectId });
  // committedSpend counts other resizes awaiting approval or their job (lib/requests/budget.ts).
  const spend = await committedSpend(tx, vm.projectId, prices);
  return budgetLine({ ...spend, request: delta });
}

const json = (v: unknown) => JSON.parse(JSON.stringify(v)) as Prisma.InputJsonValue;

/**
 * Decides one action inside the caller's transaction (the Vm row is locked by the caller). A VM
 * outside any project (unmanaged, admins only) is not gated: policies and quotas are per project.
 */
export async function gateVmAction(tx: Tx, principal: Principal, vm: GateVm, plan: ActionPlan, audit: AuditContext): Promise<GateOutcome> {
  if (!vm.projectId) return { kind: 'run' };
  const quota = await resizeQuota(tx, vm, plan.payload);
  const budget = await resizeBudget(tx, vm, plan.payload);
  const facts: ActionFacts = {
    ...plan.facts,
    projectId: vm.projectId,
    requesterId: principal.userId,
    quotaExceeded: quota.exceeded,
    ...(budget ? { budgetExceeded: budget.exceeded } : {}),
  };
  const evaluation = evaluateActionPolicySet(await loadPolicyDefinitions(tx, { enabledOnly: true }), facts);
  const verb = auditVerb(plan.payload.action);
  const what = describeVmAction(plan.payload);
  if (evaluation.outcome === 'reject' && evaluation.code === 'quota_exceeded') {
    throw new ConflictError(`Quota exceeded — ${describeExceeded(quota.exceeded)}. Choose a smaller size, or ask an admin to raise the project's quota.`);
  }
  if (evaluation.outcome === 'reject') {
    const reason = evaluation.code === 'budget_exceeded' && budget ? `${evaluation.reason} — ${describeBudget(budget)}.` : evaluation.reason;
    await recordAudit(tx, audit, { action: `vm.${verb}.rejected`, targetType: 'vm', targetId: vm.id, after: { policy: evaluation.policy, reason, payload: plan.payload, ...(budget ? { budget } : {}) } });
    return { kind: 'rejected', reason };
  }
  if (evaluation.outcome === 'auto_approve') return { kind: 'run' };
  return openApproval(tx, principal, vm, plan.payload, evaluation, { quota, budget, facts }, audit, what);
}

async function openApproval(
  tx: Tx,
  principal: Principal,
  vm: GateVm,
  payload: VmActionPayload,
  e: PolicyEvaluation,
  snapshot: { quota: QuotaCheck; budget: BudgetLine | null; facts: ActionFacts },
  audit: AuditContext,
  what: string,
): Promise<GateOutcome> {
  const projectId = vm.projectId!;
  const request = await tx.request.create({
    data: {
      kind: 'vm_action',
      vmId: vm.id,
      payload: json(payload),
      requesterId: principal.userId,
      projectId,
      status: 'draft',
      // What the VM costs per month after the action (the inbox sorts and filters on it).
      estimatedMonthlyCost: payload.newMonthly ?? payload.oldMonthly ?? '0',
      currency: payload.currency ?? 'USD',
      policyId: e.policy?.id ?? null,
      policyName: e.policy?.name ?? null,
      policyReason: e.reason,
      policyCode: e.code,
      evaluation: json({ outcome: e.outcome, levels: e.levels, quota: snapshot.quota, ...(snapshot.budget ? { budget: snapshot.budget } : {}), facts: snapshot.facts }),
    },
  });
  await appendTimeline(tx, { requestId: request.id, type: 'created', message: `Request REQ-${request.number} created: ${what}.`, actorLabel: audit.actor.label });
  await recordAudit(tx, audit, { action: 'request.create', targetType: 'request', targetId: request.id, after: { number: request.number, kind: 'vm_action', vmId: vm.id, payload } });
  const policyLabel = e.policy ? `policy “${e.policy.name}”` : 'the default rule';
  await transitionRequest(tx, request.id, 'pending_approval', {
    audit,
    type: 'submitted',
    message: `Submitted: ${what}. Needs approval (${policyLabel}: ${e.reason}) by ${e.levels.map((l) => `${l.name}: ${l.approvers}`).join(' → ')}.`,
  });
  const chain = await startApprovalChain(tx, { requestId: request.id, projectId, requesterId: principal.userId, evaluation: e }, audit);
  await recordAudit(tx, audit, {
    action: `vm.${auditVerb(payload.action)}.approval_requested`,
    targetType: 'vm',
    targetId: vm.id,
    after: { requestId: request.id, number: request.number, policy: e.policy, reason: e.reason, payload },
  });
  if (chain === 'approved') {
    // Unlike a request, a gated action is never approved unseen: with nobody but the requester to
    // decide, it is refused (the transaction rolls back, nothing is stored).
    throw new ConflictError(`This ${payload.action.replace('_', ' ')} needs approval (${e.reason}), but no one other than you can approve it; ask an admin.`);
  }
  const step = await tx.requestApprovalStep.findFirst({ where: { requestId: request.id, status: 'pending' }, select: { id: true } });
  return { kind: 'approval', requestId: request.id, requestNumber: request.number, approvalId: step?.id ?? null, reason: e.reason };
}

function describeBudget(b: BudgetLine): string {
  return `${b.after} of ${b.budget} ${b.currency} a month after this resize (+${b.request}); choose a smaller size, or ask the project's owner to raise the budget`;
}

/** The open (pending approval) action requests of a VM, oldest first. */
export async function pendingActionRequests(db: Tx, vmId: string) {
  const rows = await db.request.findMany({
    where: { vmId, kind: 'vm_action', status: 'pending_approval' },
    orderBy: { createdAt: 'asc' },
    include: { approvalSteps: { where: { status: 'pending' }, select: { id: true }, take: 1 } },
    take: 20,
  });
  return rows.map((r) => ({ id: r.id, number: r.number, payload: r.payload as VmActionPayload, approvalId: r.approvalSteps[0]?.id ?? null }));
}

/** Days from `now` until `to`, rounded up (a lease that runs 13.2 days counts as 14). */
export const daysFrom = (now: Date, to: Date) => Math.ceil((to.getTime() - now.getTime()) / DAY_MS);
