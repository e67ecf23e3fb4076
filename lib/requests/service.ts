// Requests: validate, price, check quota/budget/policy, store, route (auto-approve, approval chain
// or reject), cancel, and read. Framework-free; every change is audited and on the timeline in the
// same transaction (see state-machine.ts).
import type { Prisma } from '@/generated/prisma/client';
import type { RequestStatus } from '@/generated/prisma/enums';
import { recordAudit, type AuditContext } from '../audit/record';
import { assertProjectAccess, canAccessProject, isAdmin } from '../auth/permissions';
import type { Principal } from '../auth/principal';
import type { Db } from '../db/client';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors';
import { invalidField, parseInput } from '../validation/input';
import { baseSpend, budgetLine, committedSpend, inFlightMonthly, withInFlight, type BaseSpend, type BudgetLine } from './budget';
import { withProjectQueue } from './project-queue';
import { computePlacements, loadEnabledAccounts, templateAllowsProject, type Placement } from './placements';
import {
  evaluatePolicySet,
  loadPolicyDefinitions,
  getTemplateDefinition,
  itemProgress,
  loadPriceContext,
  onRequestApproved,
  parseParameterValues,
  startApprovalChain,
  type PolicyDefinitions,
  type PolicyEvaluation,
  type PriceContext,
  type RequestFacts,
  type TemplateDefinitionResult,
  type TemplateSize,
} from './ports';
import { checkQuota, describeExceeded, loadProjectUsage, loadQuotaLimits, type QuotaCheck } from './quota';
import {
  createRequestSchema,
  estimateSchema,
  listRequestsQuerySchema,
  type CreateRequestInput,
  type CreateRequestResponse,
  type EstimateResponse,
  type RequestDetail,
  type RequestListResponse,
} from './schemas';
import { transitionItem, transitionRequest } from './state-machine';
import { appendTimeline, readTimeline, type Tx } from './timeline';
import { ACTION_LABELS, auditVerb, describeVmAction } from '../vms/describe-action';
import { smallerMax } from '../vms/lease-max';
import { vmActionPayloadSchema, type GatedAction } from '../vms/schemas';

/** The 409 for a hard quota stop: names every exceeded quota; nothing is saved. */
export class QuotaExceededError extends ConflictError {
  constructor(readonly exceeded: QuotaCheck['exceeded']) {
    super(`Quota exceeded — ${describeExceeded(exceeded)}. Request fewer or smaller VMs, or ask an admin to raise the project's quota.`);
  }
}

interface Prepared {
  projectId: string;
  projectKey: string;
  template: TemplateDefinitionResult;
  size: TemplateSize;
  placement: Placement;
  count: number;
  leaseDays: number | null;
  justification: string;
  parameters: Record<string, string | number | boolean>;
  monthlyCost: string;
  currency: string;
}

function policySummary(e: PolicyEvaluation): string {
  if (e.outcome === 'auto_approve') return 'auto-approved';
  if (e.outcome === 'reject') return `will be rejected: ${e.reason}`;
  const approvers = e.levels.map((l) => l.approvers).filter(Boolean).join(', then ');
  return `needs approval by ${approvers || 'an approver'}`;
}

async function loadProject(db: Tx, principal: Principal, projectId: string, field = 'projectId') {
  assertProjectAccess(principal, projectId);
  const project = await db.project.findUnique({ where: { id: projectId }, select: { id: true, key: true, archivedAt: true, maxLeaseDays: true } });
  if (!project) throw invalidField(field, 'No project with this id exists.');
  if (project.archivedAt) throw invalidField(field, 'This project is archived; new requests are not accepted.');
  return project;
}

async function loadTemplate(db: Tx, templateId: string, version?: number) {
  try {
    return await getTemplateDefinition(db, templateId, version);
  } catch (error) {
    if (error instanceof NotFoundError) throw invalidField('templateId', 'No catalog template with this id exists.');
    throw error;
  }
}

function pickSize(template: TemplateDefinitionResult, size: string): TemplateSize {
  const found = template.definition.sizes.find((s) => s.name === size);
  if (!found) throw invalidField('size', `Choose one of the template's sizes: ${template.definition.sizes.map((s) => s.name).join(', ')}.`);
  return found;
}

/** Validates and prices one request body against the template version it names (or the current one). */
async function prepare(db: Tx, principal: Principal, input: CreateRequestInput, version?: number): Promise<Prepared> {
  const project = await loadProject(db, principal, input.projectId);
  const template = await loadTemplate(db, input.templateId, version);
  if (template.archived) throw invalidField('templateId', 'This template is archived and cannot be requested.');
  const def = template.definition;
  if (!templateAllowsProject(def, project.id)) throw invalidField('projectId', 'This template is not available to this project.');
  const size = pickSize(template, input.size);
  const [accounts, prices] = await Promise.all([loadEnabledAccounts(db), loadPriceContext(db, { projectId: project.id })]);
  const placements = computePlacements(def, size, input.count, accounts, prices);
  const placement = placements.find((p) => p.providerAccountId === input.providerAccountId && p.region === input.region);
  if (!placement) throw invalidField('region', 'This placement (account and region) is not offered for this template.');
  if (placement.monthlyCost === null) throw invalidField('region', 'This placement has no price in the price book; choose another.');
  // The effective maximum is the smaller of the template's and the project's (lib/vms/lease-max.ts).
  const leaseMax = smallerMax(def.maxLeaseDays, project.maxLeaseDays);
  const maxLease = leaseMax.days;
  const defaultLease = def.defaultLeaseDays !== null && maxLease !== null ? Math.min(def.defaultLeaseDays, maxLease) : def.defaultLeaseDays;
  const leaseDays = input.leaseDays === undefined ? defaultLease : input.leaseDays;
  if (maxLease !== null) {
    const whose = leaseMax.source === 'project' ? 'this project' : 'this template';
    if (leaseDays === null) throw invalidField('leaseDays', `${whose === 'this project' ? 'This project' : 'This template'} needs a lease of at most ${maxLease} days.`);
    if (leaseDays > maxLease) throw invalidField('leaseDays', `At most ${maxLease} days for ${whose}.`);
  }
  const { values: parameters, issues } = parseParameterValues(def.parameters, input.parameters ?? {});
  if (issues.length) throw new ValidationError(issues);
  return {
    projectId: project.id,
    projectKey: project.key,
    template,
    size,
    placement,
    count: input.count,
    leaseDays,
    justification: input.justification ?? '',
    parameters,
    monthlyCost: placement.monthlyCost,
    currency: placement.currency,
  };
}

interface Assessment { quota: QuotaCheck; budget: BudgetLine; facts: RequestFacts; evaluation: PolicyEvaluation }

/** What the submit path reads before the project lock: it does not change with concurrent submissions. */
interface PreLock { prices: PriceContext; policies: PolicyDefinitions; base: BaseSpend }

async function preLock(db: Tx, projectId: string): Promise<PreLock> {
  const prices = await loadPriceContext(db, { projectId });
  const [policies, base] = await Promise.all([loadPolicyDefinitions(db, { enabledOnly: true }), baseSpend(db, projectId, prices)]);
  return { prices, policies, base };
}

/** Quota, budget and policy for a prepared request; run under the project lock when submitting. */
async function assess(db: Tx, principal: Principal, p: Prepared, pre: PreLock, excludeRequestId?: string): Promise<Assessment> {
  const [limits, usage, inFlight] = await Promise.all([
    loadQuotaLimits(db, p.projectId),
    loadProjectUsage(db, p.projectId, { excludeRequestId }),
    inFlightMonthly(db, p.projectId, excludeRequestId),
  ]);
  const spend = withInFlight(pre.base, inFlight);
  const quota = checkQuota(limits, usage, {
    providerKind: p.placement.providerKind,
    count: p.count,
    vcpusPerVm: p.size.vcpus,
    memoryMiBPerVm: p.size.memoryMiB,
    diskGiBPerVm: p.size.diskGiB,
  });
  const budget = budgetLine({ ...spend, request: p.monthlyCost });
  const facts: RequestFacts = {
    projectId: p.projectId,
    templateId: p.template.templateId,
    templateSlug: p.template.definition.slug,
    providerKind: p.placement.providerKind,
    providerAccountId: p.placement.providerAccountId,
    regionCode: p.placement.region,
    count: p.count,
    vcpusPerVm: p.size.vcpus,
    memoryMiBPerVm: p.size.memoryMiB,
    diskGiBPerVm: p.size.diskGiB,
    estimatedMonthlyCost: Number(p.monthlyCost),
    parameters: p.parameters,
    requesterId: principal.userId,
    quotaExceeded: quota.exceeded,
    budgetExceeded: budget.exceeded,
  };
  return { quota, budget, facts, evaluation: evaluatePolicySet(pre.policies, facts) };
}

/** A hard quota stop (no policy softened it) is a 409 and nothing is stored. */
function assertWithinQuota(a: Assessment, p: Prepared): void {
  if (a.evaluation.outcome === 'reject' && a.evaluation.code === 'quota_exceeded') {
    throw new QuotaExceededError(a.quota.exceeded.length ? a.quota.exceeded : [{ name: 'quota', limit: 0, after: p.count }]);
  }
}

function itemName(p: Prepared): string {
  return `${p.projectKey}-${p.template.definition.slug}`.toLowerCase().replace(/[^a-z0-9-]+/g, '-').slice(0, 50);
}

function policyView(r: { policyId: string | null; policyName: string | null; policyReason: string | null; policyCode: string | null }) {
  return { id: r.policyId, name: r.policyName, reason: r.policyReason ?? '', code: r.policyCode };
}

async function lockProject(tx: Tx, projectId: string) {
  // Serializes submissions per project: the quota check and the insert happen under this lock,
  // so concurrent submissions never together exceed the quota.
  await tx.$queryRaw`SELECT id FROM "Project" WHERE id = ${projectId} FOR UPDATE`;
}

/**
 * Routes a draft (already stored, in `tx`, project locked) by the evaluation: reject, auto-approve
 * (+ engine hand-off) or approval chain (+ hand-off when every level was skipped).
 */
async function route(tx: Tx, principal: Principal, requestId: string, p: Prepared, a: Assessment, audit: AuditContext) {
  const e = a.evaluation;
  await tx.request.update({
    where: { id: requestId },
    data: {
      estimatedMonthlyCost: p.monthlyCost,
      currency: p.currency,
      policyId: e.policy?.id ?? null,
      policyName: e.policy?.name ?? null,
      policyReason: e.reason,
      policyCode: e.code,
      evaluation: JSON.parse(JSON.stringify({ outcome: e.outcome, levels: e.levels, quota: a.quota, budget: a.budget, facts: a.facts })) as Prisma.InputJsonValue,
    },
  });
  const what = `${p.count} × ${p.template.definition.name} (${p.size.name}) on ${p.placement.providerLabel} ${p.placement.region}, ${p.monthlyCost} ${p.currency}/month`;
  const policyLabel = e.policy ? `policy “${e.policy.name}”` : 'the default rule';
  if (e.outcome !== 'require_approval') {
    await appendTimeline(tx, { requestId, type: 'submitted', message: `Submitted: ${what}.`, actorLabel: audit.actor.label });
  }
  if (e.outcome === 'reject') {
    await transitionRequest(tx, requestId, 'rejected', { audit, type: 'rejected', message: `Rejected by ${policyLabel}: ${e.reason}`, data: { code: e.code } });
    return;
  }
  if (e.outcome === 'auto_approve') {
    await transitionRequest(tx, requestId, 'approved', { audit, type: 'auto_approved', message: `Auto-approved by ${policyLabel}: ${e.reason}` });
    await onRequestApproved(tx, requestId, audit);
    return;
  }
  // The chain (governance) writes approval_requested when it activates a level.
  await transitionRequest(tx, requestId, 'pending_approval', {
    audit,
    type: 'submitted',
    message: `Submitted: ${what}. Needs approval (${policyLabel}: ${e.reason}) by ${e.levels.map((l) => `${l.name}: ${l.approvers}`).join(' → ') || 'an approver'}.`,
  });
  const chain = await startApprovalChain(tx, { requestId, projectId: p.projectId, requesterId: principal.userId, evaluation: e }, audit);
  if (chain === 'approved') {
    await transitionRequest(tx, requestId, 'approved', { audit, type: 'auto_approved', message: 'Approved: every approval level was skipped (no approver other than the requester).' });
    await onRequestApproved(tx, requestId, audit);
  }
}

const TX_OPTIONS = { timeout: 30_000, maxWait: 30_000 } as const;

export async function createRequest(db: Db, principal: Principal, raw: unknown, audit: AuditContext): Promise<CreateRequestResponse> {
  const input = parseInput(createRequestSchema, raw);
  const submit = input.submit ?? true;
  const prepared = await prepare(db, principal, input);
  if (!submit) {
    const draft = await db.$transaction((tx) => insertDraft(tx, principal, prepared, audit), TX_OPTIONS);
    return createdView(db, draft.id);
  }
  const pre = await preLock(db, prepared.projectId);
  // Over the quota already at this moment → refused without queueing for the lock (concurrent
  // submissions only add usage), so refusals stay cheap when a project is saturated.
  assertWithinQuota(await assess(db, principal, prepared, pre), prepared);
  const id = await withProjectQueue(prepared.projectId, () =>
    db.$transaction(async (tx) => {
      await lockProject(tx, prepared.projectId);
      const assessment = await assess(tx, principal, prepared, pre);
      assertWithinQuota(assessment, prepared);
      const request = await insertDraft(tx, principal, prepared, audit);
      await route(tx, principal, request.id, prepared, assessment, audit);
      return request.id;
    }, TX_OPTIONS),
  );
  return createdView(db, id);
}

async function insertDraft(tx: Tx, principal: Principal, p: Prepared, audit: AuditContext) {
  const request = await tx.request.create({
    data: {
      requesterId: principal.userId,
      projectId: p.projectId,
      status: 'draft',
      justification: p.justification,
      estimatedMonthlyCost: p.monthlyCost,
      currency: p.currency,
      items: {
        create: [{
          templateVersionId: p.template.versionId,
          providerAccountId: p.placement.providerAccountId,
          regionCode: p.placement.region,
          size: p.placement.instanceType,
          templateSize: p.size.name,
          image: p.placement.image,
          name: itemName(p),
          quantity: p.count,
          vcpus: p.size.vcpus,
          memoryMiB: p.size.memoryMiB,
          diskGiB: p.size.diskGiB,
          leaseDays: p.leaseDays,
          estimatedMonthlyCost: p.monthlyCost,
          parameters: p.parameters,
        }],
      },
    },
  });
  await appendTimeline(tx, { requestId: request.id, type: 'created', message: `Request REQ-${request.number} created.`, actorLabel: audit.actor.label });
  await recordAudit(tx, audit, {
    action: 'request.create',
    targetType: 'request',
    targetId: request.id,
    after: { number: request.number, projectId: p.projectId, templateVersionId: p.template.versionId, count: p.count, placement: `${p.placement.providerKind}:${p.placement.region}`, monthlyCost: p.monthlyCost },
  });
  return request;
}

async function createdView(db: Tx, id: string): Promise<CreateRequestResponse> {
  const r = await db.request.findUniqueOrThrow({ where: { id }, include: { items: { orderBy: { createdAt: 'asc' } } } });
  return {
    id: r.id,
    number: r.number,
    status: r.status,
    estimatedMonthlyCost: r.estimatedMonthlyCost.toFixed(2),
    currency: r.currency,
    policy: policyView(r),
    items: r.items.map((i) => ({ id: i.id, status: i.status, name: i.name, count: i.quantity, estimatedMonthlyCost: i.estimatedMonthlyCost.toFixed(2) })),
  };
}

function assertOwnRequest(principal: Principal, r: { requesterId: string }) {
  if (r.requesterId !== principal.userId && !isAdmin(principal)) throw new ForbiddenError('Only the requester (or an admin) can change this request.');
}

/** Submits a saved draft: re-validated and re-priced against the template version it was saved with. */
export async function submitDraft(db: Db, principal: Principal, requestId: string, audit: AuditContext): Promise<CreateRequestResponse> {
  const draft = await db.request.findUnique({ where: { id: requestId }, include: { items: { include: { templateVersion: true } } } });
  if (!draft || !canSee(principal, draft)) throw new NotFoundError('Request');
  assertOwnRequest(principal, draft);
  if (draft.status !== 'draft') throw new ConflictError(`Request REQ-${draft.number} is ${draft.status.replace(/_/g, ' ')}; only drafts can be submitted.`);
  const item = draft.items[0];
  if (!item) throw new ConflictError('This draft has no items.');
  const input: CreateRequestInput = {
    projectId: draft.projectId,
    templateId: item.templateVersion.templateId,
    size: item.templateSize ?? item.size,
    providerAccountId: item.providerAccountId,
    region: item.regionCode,
    count: item.quantity,
    leaseDays: item.leaseDays,
    justification: draft.justification,
    parameters: (item.parameters ?? {}) as Record<string, string | number | boolean>,
  };
  const prepared = await prepare(db, principal, input, item.templateVersion.version);
  const pre = await preLock(db, prepared.projectId);
  await withProjectQueue(prepared.projectId, () =>
    db.$transaction(async (tx) => {
      await lockProject(tx, prepared.projectId);
      const a = await assess(tx, principal, prepared, pre, requestId);
      assertWithinQuota(a, prepared);
      await tx.requestItem.update({ where: { id: item.id }, data: { estimatedMonthlyCost: prepared.monthlyCost, image: prepared.placement.image, size: prepared.placement.instanceType } });
      await route(tx, principal, requestId, prepared, a, audit);
    }, TX_OPTIONS),
  );
  return createdView(db, requestId);
}

const CANCELLABLE: readonly RequestStatus[] = ['draft', 'pending_approval', 'approved'];

export async function cancelRequest(db: Db, principal: Principal, requestId: string, audit: AuditContext, reason?: string): Promise<RequestDetail> {
  const existing = await db.request.findUnique({ where: { id: requestId }, select: { requesterId: true, projectId: true, status: true, number: true, kind: true, vmId: true, payload: true } });
  if (!existing || !canSee(principal, existing)) throw new NotFoundError('Request');
  assertOwnRequest(principal, existing);
  await db.$transaction(async (tx) => {
    // transitionRequest re-reads the status under a row lock, so a concurrent approval loses cleanly.
    await transitionRequest(tx, requestId, 'cancelled', {
      audit,
      type: 'cancelled',
      message: `Cancelled by ${audit.actor.label}${reason ? `: ${reason}` : '.'}`,
      data: reason ? { reason } : undefined,
    });
    const items = await tx.requestItem.findMany({ where: { requestId, status: 'pending' }, select: { id: true } });
    for (const i of items) await transitionItem(tx, i.id, 'cancelled', { audit, type: 'cancelled', message: 'Item cancelled with the request.' });
    // Open approval levels end with the request, so no inbox or timeout job acts on them later.
    await tx.requestApprovalStep.updateMany({
      where: { requestId, status: { in: ['waiting', 'pending'] } },
      data: { status: 'skipped', decidedAt: new Date() },
    });
    const action = vmActionView(existing);
    if (action && existing.vmId) {
      // A cancelled day-2 action shows on the VM's history (nothing ran at the provider).
      await recordAudit(tx, audit, { action: `vm.${auditVerb(action.action as GatedAction)}.cancelled`, targetType: 'vm', targetId: existing.vmId, after: { requestId, number: existing.number, reason: reason ?? null } });
    }
  }, TX_OPTIONS);
  return getRequest(db, principal, requestId);
}

/** The VM and action of a vm_action request (engine-gate), read defensively from its payload. */
function vmActionView(r: { kind: string; vmId: string | null; payload: Prisma.JsonValue | null }): RequestDetail['vmAction'] {
  if (r.kind !== 'vm_action') return null;
  const parsed = vmActionPayloadSchema.safeParse(r.payload);
  if (!parsed.success) return null;
  const p = parsed.data;
  return {
    vmId: r.vmId,
    vmName: p.vmName,
    action: p.action,
    summary: describeVmAction(p),
    fromSize: p.fromSize ?? null,
    toSize: p.size ?? null,
    oldMonthly: p.oldMonthly ?? null,
    newMonthly: p.newMonthly ?? null,
    costDelta: p.costDelta ?? null,
    leaseTo: p.leaseTo ?? null,
    jobId: p.jobId ?? null,
  };
}

/** Requester, project members and admins see a request; so does anyone named on its approval chain. */
function canSee(principal: Principal, r: { requesterId: string; projectId: string }, approverIds: readonly string[] = []): boolean {
  return r.requesterId === principal.userId || canAccessProject(principal, r.projectId) || approverIds.includes(principal.userId);
}

export async function getRequest(db: Db, principal: Principal, requestId: string): Promise<RequestDetail> {
  const r = await db.request.findUnique({
    where: { id: requestId },
    include: {
      project: { select: { name: true } },
      requester: { select: { id: true, name: true, email: true } },
      items: {
        orderBy: { createdAt: 'asc' },
        include: { providerAccount: { select: { name: true, kind: true } }, templateVersion: { select: { version: true, templateId: true, template: { select: { name: true } } } } },
      },
      approvalSteps: {
        orderBy: { order: 'asc' },
        include: { decisions: { orderBy: { createdAt: 'asc' }, include: { decider: { select: { name: true, email: true } } } }, approverUser: { select: { name: true } } },
      },
    },
  });
  const approverIds = r ? r.approvalSteps.flatMap((s) => [...s.approverIds, ...(s.approverUserId ? [s.approverUserId] : [])]) : [];
  if (!r || !canSee(principal, r, approverIds)) throw new NotFoundError('Request');
  const [progress, timeline] = await Promise.all([itemProgress(db, r.items.map((i) => i.id)), readTimeline(db, r.id)]);
  const own = r.requesterId === principal.userId || isAdmin(principal);
  const action = vmActionView(r);
  return {
    id: r.id,
    number: r.number,
    kind: r.kind,
    vmAction: action,
    status: r.status,
    projectId: r.projectId,
    projectName: r.project.name,
    requester: r.requester,
    justification: r.justification,
    estimatedMonthlyCost: r.estimatedMonthlyCost.toFixed(2),
    currency: r.currency,
    policy: policyView(r),
    evaluation: r.evaluation ?? null,
    createdAt: r.createdAt.toISOString(),
    submittedAt: r.submittedAt?.toISOString() ?? null,
    decidedAt: r.decidedAt?.toISOString() ?? null,
    completedAt: r.completedAt?.toISOString() ?? null,
    items: r.items.map((i) => {
      return {
        id: i.id,
        status: i.status,
        vmIds: progress[i.id]?.vmIds ?? [],
        name: i.name,
        templateId: i.templateVersion.templateId,
        templateName: i.templateVersion.template.name,
        templateVersion: i.templateVersion.version,
        templateVersionId: i.templateVersionId,
        providerAccountId: i.providerAccountId,
        providerAccountName: i.providerAccount.name,
        providerKind: i.providerAccount.kind,
        region: i.regionCode,
        size: i.templateSize ?? i.size,
        instanceType: i.size,
        image: i.image,
        count: i.quantity,
        vcpus: i.vcpus,
        memoryMiB: i.memoryMiB,
        diskGiB: i.diskGiB,
        leaseDays: i.leaseDays,
        parameters: (i.parameters && typeof i.parameters === 'object' && !Array.isArray(i.parameters) ? i.parameters : {}) as Record<string, unknown>,
        estimatedMonthlyCost: i.estimatedMonthlyCost.toFixed(2),
        jobs: progress[i.id]?.jobs ?? [],
      };
    }),
    approvals: r.approvalSteps.map((s) => ({
      id: s.id,
      order: s.order,
      name: s.name,
      mode: s.mode,
      approvers: s.approversLabel || (s.approverUser?.name ?? (s.approverRole ? `role ${s.approverRole}` : s.approverType.replace(/_/g, ' '))),
      status: s.status,
      decidedAt: s.decidedAt?.toISOString() ?? null,
      dueAt: s.dueAt?.toISOString() ?? null,
      decisions: s.decisions.map((d) => ({ decider: `${d.decider.name} <${d.decider.email}>`, outcome: d.outcome, comment: d.comment, at: d.createdAt.toISOString() })),
    })),
    timeline: timeline.map((t) => ({ at: t.at, type: t.type, message: t.message, itemId: t.itemId, actorLabel: t.actorLabel })),
    actions: { cancel: own && CANCELLABLE.includes(r.status), submit: own && r.status === 'draft' },
  };
}

export async function listRequests(db: Db, principal: Principal, raw: unknown): Promise<RequestListResponse> {
  const q = parseInput(listRequestsQuerySchema, raw, 'query');
  const where: Prisma.RequestWhereInput = {
    ...(q.scope === 'mine' ? { requesterId: principal.userId } : isAdmin(principal) ? {} : { projectId: { in: Object.keys(principal.projects) } }),
    ...(q.status ? { status: q.status } : {}),
    ...(q.projectId ? { projectId: q.projectId } : {}),
  };
  if (q.q) {
    const number = Number(q.q.replace(/^req-?/i, ''));
    where.OR = [
      ...(Number.isInteger(number) && number > 0 && number < 2 ** 31 ? [{ number }] : []),
      { justification: { contains: q.q, mode: 'insensitive' } },
      { items: { some: { name: { contains: q.q, mode: 'insensitive' } } } },
    ];
  }
  const orderBy: Prisma.RequestOrderByWithRelationInput[] = [{ [q.sort]: q.order }, { id: q.order }];
  const [total, rows] = await Promise.all([
    db.request.count({ where }),
    db.request.findMany({
      where,
      orderBy,
      skip: (q.page - 1) * q.pageSize,
      take: q.pageSize,
      include: {
        project: { select: { name: true } },
        requester: { select: { name: true } },
        items: { take: 1, orderBy: { createdAt: 'asc' }, include: { providerAccount: { select: { kind: true } }, templateVersion: { select: { template: { select: { name: true } } } } } },
      },
    }),
  ]);
  return {
    total,
    page: q.page,
    pageSize: q.pageSize,
    items: rows.map((r) => {
      const item = r.items[0];
      const action = vmActionView(r);
      return {
        id: r.id,
        number: r.number,
        kind: r.kind,
        status: r.status,
        projectId: r.projectId,
        projectName: r.project.name,
        requesterName: r.requester.name,
        templateName: item?.templateVersion.template.name ?? (action ? `${ACTION_LABELS[action.action as keyof typeof ACTION_LABELS] ?? action.action}: ${action.vmName}` : '—'),
        providerKind: item?.providerAccount.kind ?? null,
        region: item?.regionCode ?? null,
        count: item?.quantity ?? 0,
        estimatedMonthlyCost: r.estimatedMonthlyCost.toFixed(2),
        currency: r.currency,
        policyName: r.policyName,
        createdAt: r.createdAt.toISOString(),
        submittedAt: r.submittedAt?.toISOString() ?? null,
      };
    }),
  };
}

/**
 * The request form's live preview: every placement with its monthly estimate, and for the chosen
 * placement (default: the cheapest) the quota after this request, the budget line and the policy
 * that would apply. Read-only; nothing is locked or stored.
 */
export async function estimatePlacements(db: Db, principal: Principal, raw: unknown): Promise<EstimateResponse> {
  const input = parseInput(estimateSchema, raw);
  // Everything independent is loaded in parallel: this runs on every keystroke of the form.
  const [project, template, accounts, prices, limits, usage, policies] = await Promise.all([
    loadProject(db, principal, input.projectId),
    loadTemplate(db, input.templateId),
    loadEnabledAccounts(db),
    loadPriceContext(db, { projectId: input.projectId }),
    loadQuotaLimits(db, input.projectId),
    loadProjectUsage(db, input.projectId),
    loadPolicyDefinitions(db, { enabledOnly: true }),
  ]);
  if (!templateAllowsProject(template.definition, project.id)) throw invalidField('projectId', 'This template is not available to this project.');
  const size = pickSize(template, input.size);
  const placements = computePlacements(template.definition, size, input.count, accounts, prices);
  const demand = { count: input.count, vcpusPerVm: size.vcpus, memoryMiBPerVm: size.memoryMiB, diskGiBPerVm: size.diskGiB };
  const withQuota = placements.map((p) => ({ ...p, quotaExceeded: checkQuota(limits, usage, { ...demand, providerKind: p.providerKind }).exceeded.length > 0 }));
  const selected =
    withQuota.find((p) => p.providerAccountId === input.providerAccountId && p.region === input.region) ??
    withQuota.find((p) => p.cheapest) ??
    withQuota[0] ??
    null;
  const currency = selected?.currency ?? prices.currency;
  const spend = await committedSpend(db, project.id, prices);
  const request = selected?.monthlyCost ?? '0';
  const budget = budgetLine({ ...spend, request });
  let quota: QuotaCheck = { lines: [], exceeded: [] };
  let policy: EstimateResponse['policy'] = null;
  if (selected) {
    quota = checkQuota(limits, usage, { ...demand, providerKind: selected.providerKind });
    // The preview evaluates with the valid values typed so far; submit reports the field errors.
    const { values: parameters } = parseParameterValues(template.definition.parameters, input.parameters ?? {});
    const evaluation = evaluatePolicySet(policies, {
      projectId: project.id,
      templateId: template.templateId,
      templateSlug: template.definition.slug,
      providerKind: selected.providerKind,
      providerAccountId: selected.providerAccountId,
      regionCode: selected.region,
      count: input.count,
      vcpusPerVm: size.vcpus,
      memoryMiBPerVm: size.memoryMiB,
      diskGiBPerVm: size.diskGiB,
      estimatedMonthlyCost: Number(request),
      parameters,
      requesterId: principal.userId,
      quotaExceeded: quota.exceeded,
      budgetExceeded: budget.exceeded,
    });
    policy = { ...evaluation, summary: policySummary(evaluation) };
  }
  return {
    placements: withQuota.map(({ image: _image, ...p }) => p),
    selected: selected ? { providerAccountId: selected.providerAccountId, region: selected.region } : null,
    quota,
    budget,
    policy,
    currency,
  };
}
