// Read-only request views: a user's own requests, and the requests waiting on the user's approval.
import type { Prisma } from '@/generated/prisma/client';
import type { ProviderKind, RequestStatus } from '@/generated/prisma/enums';
import type { Principal } from '../auth/principal';
import type { Db } from '../db/client';

export interface RequestSummary {
  id: string;
  number: number;
  status: RequestStatus;
  projectId: string;
  projectName: string;
  requesterName: string;
  requesterEmail: string;
  justification: string;
  estimatedMonthlyCost: number;
  currency: string;
  items: { name: string; templateName: string; providerKind: ProviderKind; regionCode: string; size: string; quantity: number }[];
  createdAt: string;
  submittedAt: string | null;
}

const summaryInclude = {
  project: { select: { name: true } },
  requester: { select: { name: true, email: true } },
  items: {
    orderBy: { createdAt: 'asc' },
    include: {
      providerAccount: { select: { kind: true } },
      templateVersion: { select: { template: { select: { name: true } } } },
    },
  },
} satisfies Prisma.RequestInclude;

type RequestWithSummary = Prisma.RequestGetPayload<{ include: typeof summaryInclude }>;

function toSummary(r: RequestWithSummary): RequestSummary {
  return {
    id: r.id,
    number: r.number,
    status: r.status,
    projectId: r.projectId,
    projectName: r.project.name,
    requesterName: r.requester.name,
    requesterEmail: r.requester.email,
    justification: r.justification,
    estimatedMonthlyCost: Number(r.estimatedMonthlyCost),
    currency: r.currency,
    items: r.items.map((i) => ({
      name: i.name,
      templateName: i.templateVersion.template.name,
      providerKind: i.providerAccount.kind,
      regionCode: i.regionCode,
      size: i.size,
      quantity: i.quantity,
    })),
    createdAt: r.createdAt.toISOString(),
    submittedAt: r.submittedAt?.toISOString() ?? null,
  };
}

/** The principal's own requests, newest first. */
export async function listMyRequests(db: Db, principal: Principal, options: { take?: number } = {}): Promise<RequestSummary[]> {
  const rows = await db.request.findMany({
    where: { requesterId: principal.userId },
    orderBy: { createdAt: 'desc' },
    take: options.take ?? 200,
    include: summaryInclude,
  });
  return rows.map(toSummary);
}

export interface PendingApproval extends RequestSummary {
  stepId: string;
  stepName: string;
  stepOrder: number;
  stepCount: number;
}

/**
 * Where a pending approval step is the principal's to decide: named user, a role the principal
 * holds, the owner of the request's project, or an approver (or owner) of that project.
 */
export function approvalStepFilter(principal: Principal): Prisma.RequestApprovalStepWhereInput[] {
  const projectIds = (roles: readonly string[]) =>
    Object.entries(principal.projects)
      .filter(([, role]) => roles.includes(role))
      .map(([id]) => id);
  return [
    { approverType: 'user', approverUserId: principal.userId },
    { approverType: 'role', approverRole: { in: principal.roles } },
    { approverType: 'project_owner', request: { projectId: { in: projectIds(['owner']) } } },
    { approverType: 'project_approver', request: { projectId: { in: projectIds(['approver', 'owner']) } } },
  ];
}

/**
 * Requests waiting on one of the principal's pending approval steps, oldest first. A requester never
 * approves their own request (separation of duties), so those are left out.
 */
export async function listPendingApprovals(db: Db, principal: Principal): Promise<PendingApproval[]> {
  const steps = await db.requestApprovalStep.findMany({
    where: {
      status: 'pending',
      request: { status: 'pending_approval', requesterId: { not: principal.userId } },
      OR: approvalStepFilter(principal),
    },
    include: {
      request: { include: { ...summaryInclude, _count: { select: { approvalSteps: true } } } },
    },
    orderBy: { request: { submittedAt: 'asc' } },
  });
  return steps.map((s) => ({
    ...toSummary(s.request),
    stepId: s.id,
    stepName: s.name,
    stepOrder: s.order,
    stepCount: s.request._count.approvalSteps,
  }));
}
