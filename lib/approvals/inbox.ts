// The approver inbox: pending levels the caller can decide (never their own requests; all-of
// levels drop out once the caller approved), each with the full context of its request.
import type { Prisma } from '@/generated/prisma/client';
import type { Principal } from '../auth/principal';
import type { Db } from '../db/client';
import { actionPayloadOf, requestContextInclude } from './context';
import { listApprovalsQuerySchema, type ApprovalItem, type ListApprovalsQuery } from './schemas';

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : null);
const obj = (v: unknown): Record<string, unknown> | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);

/**
 * Quota and budget lines from the evaluation stored at submit (requests area). Read defensively:
 * the stored JSON is the submit-time snapshot, so its shape may be older than this code.
 */
function impactOf(evaluation: unknown): Pick<ApprovalItem, 'quota' | 'budget'> {
  const e = obj(evaluation);
  const quotaSrc = obj(e?.quota);
  const lines = Array.isArray(quotaSrc?.lines) ? quotaSrc.lines : Array.isArray(obj(e?.facts)?.quotaExceeded) ? (obj(e?.facts)!.quotaExceeded as unknown[]) : [];
  const quota = lines.flatMap((l) => {
    const line = obj(l);
    const limit = num(line?.limit);
    const after = num(line?.after);
    if (!line || limit === null || after === null) return [];
    return [{ name: String(line.name ?? ''), limit, after, exceeded: typeof line.exceeded === 'boolean' ? line.exceeded : after > limit }];
  });
  const b = obj(e?.budget);
  const budget = b
    ? {
        budget: b.budget === null || b.budget === undefined ? null : String(b.budget),
        after: b.after === null || b.after === undefined ? null : String(b.after),
        exceeded: b.exceeded === true,
      }
    : null;
  return { quota, budget };
}

export async function listApprovals(db: Db, principal: Principal, query: ListApprovalsQuery = {}): Promise<{ approvals: ApprovalItem[]; total: number }> {
  const q = listApprovalsQuerySchema.parse(query);
  const requestWhere: Prisma.RequestWhereInput = {
    status: 'pending_approval',
    requesterId: { not: principal.userId },
    ...(q.projectId ? { projectId: q.projectId } : {}),
    ...(q.providerKind ? { AND: [{ OR: [{ items: { some: { providerAccount: { kind: q.providerKind } } } }, { vm: { providerKind: q.providerKind } }] }] } : {}),
    ...(q.minCost !== undefined || q.maxCost !== undefined
      ? { estimatedMonthlyCost: { ...(q.minCost !== undefined ? { gte: q.minCost } : {}), ...(q.maxCost !== undefined ? { lte: q.maxCost } : {}) } }
      : {}),
  };
  if (q.q) {
    const number = /^(?:req-?)?(\d{1,9})$/i.exec(q.q)?.[1];
    requestWhere.OR = [
      ...(number ? [{ number: Number(number) }] : []),
      { requester: { name: { contains: q.q, mode: 'insensitive' } } },
      { requester: { email: { contains: q.q, mode: 'insensitive' } } },
      { project: { name: { contains: q.q, mode: 'insensitive' } } },
      { vm: { name: { contains: q.q, mode: 'insensitive' } } },
    ];
  }
  const where: Prisma.RequestApprovalStepWhereInput = {
    status: 'pending',
    approverIds: { has: principal.userId },
    decisions: { none: { deciderId: principal.userId } },
    request: requestWhere,
  };
  const orderBy: Prisma.RequestApprovalStepOrderByWithRelationInput[] =
    q.sort === 'newest'
      ? [{ request: { submittedAt: 'desc' } }, { id: 'desc' }]
      : q.sort === 'cost_desc'
        ? [{ request: { estimatedMonthlyCost: 'desc' } }, { id: 'asc' }]
        : q.sort === 'cost_asc'
          ? [{ request: { estimatedMonthlyCost: 'asc' } }, { id: 'asc' }]
          : [{ request: { submittedAt: 'asc' } }, { id: 'asc' }];
  const [total, steps] = await Promise.all([
    db.requestApprovalStep.count({ where }),
    db.requestApprovalStep.findMany({
      where,
      orderBy,
      take: q.limit,
      include: {
        decisions: { where: { outcome: 'approve' }, select: { id: true } },
        request: {
          include: {
            ...requestContextInclude,
            vm: { select: { id: true, name: true, providerKind: true, regionCode: true } },
            approvalSteps: {
              orderBy: { order: 'asc' },
              select: { order: true, name: true, decisions: { orderBy: { createdAt: 'asc' }, include: { decider: { select: { name: true } } } } },
            },
          },
        },
      },
    }),
  ]);
  const approvals = steps.map((s): ApprovalItem => {
    const r = s.request;
    const action = actionPayloadOf(r);
    const p = action?.payload;
    return {
      id: s.id,
      requestId: r.id,
      requestNumber: r.number,
      kind: r.kind,
      vmAction:
        p && r.vm
          ? {
              vmId: r.vm.id,
              vmName: r.vm.name,
              providerKind: r.vm.providerKind,
              region: r.vm.regionCode,
              action: p.action,
              summary: action.summary,
              fromSize: p.fromSize ?? null,
              toSize: p.size ?? null,
              fromVcpus: p.fromVcpus ?? null,
              toVcpus: p.toVcpus ?? null,
              fromMemoryMiB: p.fromMemoryMiB ?? null,
              toMemoryMiB: p.toMemoryMiB ?? null,
              oldMonthly: p.oldMonthly ?? null,
              newMonthly: p.newMonthly ?? null,
              costDelta: p.costDelta ?? null,
              leaseFrom: p.leaseFrom ?? null,
              leaseTo: p.leaseTo ?? null,
              days: p.days ?? null,
            }
          : null,
      level: s.order,
      levelName: s.name,
      levelCount: r.approvalSteps.length,
      mode: s.mode === 'all' ? 'all' : 'any',
      approvers: s.approversLabel,
      approvalsNeeded: s.mode === 'all' ? Math.max(1, s.approverIds.length - s.decisions.length) : 1,
      dueAt: s.dueAt?.toISOString() ?? null,
      timeoutAction: s.timeoutAction,
      submittedAt: r.submittedAt?.toISOString() ?? null,
      requester: r.requester,
      project: r.project,
      justification: r.justification,
      items: r.items.map((i) => ({
        templateName: i.templateVersion.template.name,
        templateVersion: i.templateVersion.version,
        size: i.templateSize ?? i.size,
        instanceType: i.size,
        vcpus: i.vcpus,
        memoryMiB: i.memoryMiB,
        diskGiB: i.diskGiB,
        providerKind: i.providerAccount.kind,
        providerAccountName: i.providerAccount.name,
        region: i.regionCode,
        count: i.quantity,
        estimatedMonthlyCost: i.estimatedMonthlyCost.toFixed(2),
      })),
      estimatedMonthlyCost: r.estimatedMonthlyCost.toFixed(2),
      currency: r.currency,
      policy: { id: r.policyId, name: r.policyName, reason: r.policyReason ?? '', code: r.policyCode },
      ...impactOf(r.evaluation),
      earlierDecisions: r.approvalSteps.flatMap((step) =>
        step.decisions.map((d) => ({ level: step.order, levelName: step.name, decider: d.decider.name, outcome: d.outcome, comment: d.comment, at: d.createdAt.toISOString() })),
      ),
    };
  });
  return { approvals, total };
}
