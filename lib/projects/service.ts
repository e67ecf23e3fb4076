// Projects: who may see them, who owns them, who is a member, and how much they may consume.
// Framework-free; every write records an audit row in the same transaction.
import type { Prisma } from '@/generated/prisma/client';
import { recordAudit, type AuditContext } from '../audit/record';
import { assertCan, assertProjectAccess, can, isAdmin } from '../auth/permissions';
import type { Principal } from '../auth/principal';
import type { Db } from '../db/client';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors';
import { invalidField, isUniqueViolation, parseInput } from '../validation/input';
import {
  addMemberSchema,
  createProjectSchema,
  listProjectsQuerySchema,
  QUOTA_LIMITS,
  setQuotaSchema,
  updateMemberSchema,
  updateProjectSchema,
  type AddMemberInput,
  type BudgetView,
  type CreateProjectInput,
  type ListProjectsQuery,
  type MemberView,
  type ProjectDetail,
  type ProjectQuotas,
  type ProjectView,
  type QuotaUsage,
  type QuotaView,
  type SetQuotaInput,
  type UpdateMemberInput,
  type UpdateProjectInput,
} from './schemas';

type Tx = Prisma.TransactionClient;

const PROJECT_INCLUDE = {
  owner: { select: { id: true, name: true, email: true } },
  quotas: true,
  _count: { select: { memberships: true } },
} as const satisfies Prisma.ProjectInclude;

type ProjectRow = Prisma.ProjectGetPayload<{ include: typeof PROJECT_INCLUDE }>;
type QuotaRow = ProjectRow['quotas'][number];

function toQuotaView(q: QuotaRow): QuotaView {
  return {
    id: q.id,
    providerKind: q.providerKind,
    maxInstances: q.maxInstances,
    maxVcpus: q.maxVcpus,
    maxMemoryMiB: q.maxMemoryMiB,
    maxDiskGiB: q.maxDiskGiB,
    updatedAt: q.updatedAt.toISOString(),
  };
}

function sortQuotas(quotas: QuotaRow[]): QuotaRow[] {
  return [...quotas].sort((a, b) => (a.providerKind ?? '').localeCompare(b.providerKind ?? ''));
}

export function toProjectView(project: ProjectRow, principal: Principal): ProjectView {
  const overall = project.quotas.find((q) => q.providerKind === null);
  return {
    id: project.id,
    key: project.key,
    name: project.name,
    description: project.description,
    costCentre: project.costCentre,
    maxLeaseDays: project.maxLeaseDays,
    owner: project.owner,
    memberCount: project._count.memberships,
    myRole: principal.projects[project.id] ?? null,
    quota: {
      overall: overall
        ? { maxInstances: overall.maxInstances, maxVcpus: overall.maxVcpus, maxMemoryMiB: overall.maxMemoryMiB, maxDiskGiB: overall.maxDiskGiB }
        : null,
      providerKinds: sortQuotas(project.quotas).flatMap((q) => (q.providerKind ? [q.providerKind] : [])),
    },
    archivedAt: project.archivedAt?.toISOString() ?? null,
    createdAt: project.createdAt.toISOString(),
    updatedAt: project.updatedAt.toISOString(),
  };
}

/** What the audit log keeps of a project. */
function auditView(p: { key: string; name: string; description: string; costCentre: string; ownerId: string; archivedAt: Date | null; maxLeaseDays: number | null }) {
  return { key: p.key, name: p.name, description: p.description, costCentre: p.costCentre, ownerId: p.ownerId, archivedAt: p.archivedAt, maxLeaseDays: p.maxLeaseDays };
}

// ───────────── access ─────────────

/** Admins (with a write-capable session or token) and the project's owners manage its members. */
export function canManageMembers(principal: Principal, projectId: string): boolean {
  if (can(principal, 'admin:projects')) return true;
  // A project owner acts through the member-facing capability, so read-only API tokens cannot write.
  return principal.projects[projectId] === 'owner' && can(principal, 'request:create');
}

export function assertCanManageMembers(principal: Principal, projectId: string): void {
  assertProjectAccess(principal, projectId);
  if (!canManageMembers(principal, projectId)) {
    throw new ForbiddenError('Only an administrator or an owner of this project can manage its members.');
  }
}

async function findProject(db: Db | Tx, projectId: string) {
  const project = await db.project.findUnique({ where: { id: projectId }, include: PROJECT_INCLUDE });
  if (!project) throw new NotFoundError('Project');
  return project;
}

async function activeUser(db: Db | Tx, userId: string, field: string) {
  const user = await db.user.findUnique({ where: { id: userId }, select: { id: true, status: true, email: true } });
  if (!user) throw invalidField(field, 'No user with this id exists.');
  if (user.status !== 'active') throw invalidField(field, `${user.email} is disabled; choose an active user.`);
  return user;
}

// ───────────── projects ─────────────

export async function listProjects(db: Db, principal: Principal, query: ListProjectsQuery = {}): Promise<ProjectView[]> {
  const { q, includeArchived } = parseInput(listProjectsQuerySchema, query, 'query');
  const where: Prisma.ProjectWhereInput = {
    ...(isAdmin(principal) ? {} : { id: { in: Object.keys(principal.projects) } }),
    ...(includeArchived ? {} : { archivedAt: null }),
    ...(q
      ? {
          OR: [
            { key: { contains: q, mode: 'insensitive' } },
            { name: { contains: q, mode: 'insensitive' } },
            { costCentre: { contains: q, mode: 'insensitive' } },
          ],
        }
      : {}),
  };
  const projects = await db.project.findMany({ where, include: PROJECT_INCLUDE, orderBy: [{ archivedAt: { sort: 'desc', nulls: 'first' } }, { name: 'asc' }] });
  return projects.map((p) => toProjectView(p, principal));
}

async function usageOf(db: Db | Tx, projectId: string): Promise<QuotaUsage> {
  const live = { projectId, deletedAt: null, state: { notIn: ['deleted', 'deleting'] } } satisfies Prisma.VmWhereInput;
  const agg = await db.vm.aggregate({ where: live, _count: { _all: true }, _sum: { vcpus: true, memoryMiB: true, diskGiB: true } });
  return {
    instances: agg._count._all,
    vcpus: agg._sum.vcpus ?? 0,
    memoryMiB: agg._sum.memoryMiB ?? 0,
    diskGiB: agg._sum.diskGiB ?? 0,
  };
}

export async function getProject(db: Db, principal: Principal, projectId: string): Promise<ProjectDetail> {
  assertProjectAccess(principal, projectId);
  const project = await findProject(db, projectId);
  return { ...toProjectView(project, principal), quotas: sortQuotas(project.quotas).map(toQuotaView), usage: await usageOf(db, projectId) };
}

async function ensureOwnerMembership(tx: Tx, projectId: string, ownerId: string, audit: AuditContext) {
  const existing = await tx.projectMembership.findUnique({ where: { projectId_userId: { projectId, userId: ownerId } } });
  if (existing?.role === 'owner') return;
  await tx.projectMembership.upsert({
    where: { projectId_userId: { projectId, userId: ownerId } },
    create: { projectId, userId: ownerId, role: 'owner' },
    update: { role: 'owner' },
  });
  await recordAudit(tx, audit, {
    action: existing ? 'project.member.update' : 'project.member.add',
    targetType: 'project',
    targetId: projectId,
    before: existing ? { userId: ownerId, role: existing.role } : undefined,
    after: { userId: ownerId, role: 'owner', reason: 'project owner' },
  });
}

export async function createProject(db: Db, principal: Principal, input: CreateProjectInput, audit: AuditContext): Promise<ProjectDetail> {
  assertCan(principal, 'admin:projects');
  const data = parseInput(createProjectSchema, input);
  if (await db.project.findUnique({ where: { key: data.key }, select: { id: true } })) {
    throw new ConflictError(`A project with the key "${data.key}" already exists; keys are unique.`);
  }
  await activeUser(db, data.ownerId, 'ownerId');
  let id: string;
  try {
    id = await db.$transaction(async (tx) => {
      const project = await tx.project.create({ data });
      await recordAudit(tx, audit, { action: 'project.create', targetType: 'project', targetId: project.id, after: auditView(project) });
      await ensureOwnerMembership(tx, project.id, data.ownerId, audit);
      return project.id;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(`A project with the key "${data.key}" already exists; keys are unique.`);
    throw error;
  }
  const viewer = data.ownerId === principal.userId ? { ...principal, projects: { ...principal.projects, [id]: 'owner' as const } } : principal;
  return getProject(db, viewer, id);
}

export async function updateProject(db: Db, principal: Principal, projectId: string, input: UpdateProjectInput, audit: AuditContext): Promise<ProjectDetail> {
  assertCan(principal, 'admin:projects');
  const data = parseInput(updateProjectSchema, input);
  const current = await findProject(db, projectId);
  if (data.ownerId && data.ownerId !== current.ownerId) await activeUser(db, data.ownerId, 'ownerId');
  const { archived, ...fields } = data;
  const archivedAt = archived === undefined ? current.archivedAt : archived ? (current.archivedAt ?? new Date()) : null;
  const changed =
    archivedAt !== current.archivedAt ||
    (Object.keys(fields) as (keyof typeof fields)[]).some((k) => fields[k] !== undefined && fields[k] !== current[k]);
  if (!changed) return getProject(db, principal, projectId);
  await db.$transaction(async (tx) => {
    const updated = await tx.project.update({ where: { id: projectId }, data: { ...fields, archivedAt } });
    const action =
      archived === true && !current.archivedAt ? 'project.archive' : archived === false && current.archivedAt ? 'project.restore' : 'project.update';
    await recordAudit(tx, audit, { action, targetType: 'project', targetId: projectId, before: auditView(current), after: auditView(updated) });
    if (updated.ownerId !== current.ownerId) await ensureOwnerMembership(tx, projectId, updated.ownerId, audit);
  });
  return getProject(db, principal, projectId);
}

export function archiveProject(db: Db, principal: Principal, projectId: string, audit: AuditContext): Promise<ProjectDetail> {
  return updateProject(db, principal, projectId, { archived: true }, audit);
}

export function restoreProject(db: Db, principal: Principal, projectId: string, audit: AuditContext): Promise<ProjectDetail> {
  return updateProject(db, principal, projectId, { archived: false }, audit);
}

// ───────────── members ─────────────

const MEMBER_INCLUDE = { user: { select: { id: true, name: true, email: true, status: true } } } as const;
type MemberRow = Prisma.ProjectMembershipGetPayload<{ include: typeof MEMBER_INCLUDE }>;

const ROLE_ORDER = { owner: 0, approver: 1, member: 2 } as const;

function toMemberView(m: MemberRow, ownerId: string): MemberView {
  return {
    userId: m.userId,
    name: m.user.name,
    email: m.user.email,
    role: m.role,
    isProjectOwner: m.userId === ownerId,
    userStatus: m.user.status,
    addedAt: m.createdAt.toISOString(),
  };
}

export async function listProjectMembers(db: Db, principal: Principal, projectId: string): Promise<MemberView[]> {
  assertProjectAccess(principal, projectId);
  const project = await db.project.findUnique({ where: { id: projectId }, select: { ownerId: true } });
  if (!project) throw new NotFoundError('Project');
  const members = await db.projectMembership.findMany({ where: { projectId }, include: MEMBER_INCLUDE });
  return members
    .sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role] || a.user.name.localeCompare(b.user.name))
    .map((m) => toMemberView(m, project.ownerId));
}

async function getMember(db: Db | Tx, projectId: string, userId: string, ownerId: string): Promise<MemberView> {
  const m = await db.projectMembership.findUnique({ where: { projectId_userId: { projectId, userId } }, include: MEMBER_INCLUDE });
  if (!m) throw new NotFoundError('Project member');
  return toMemberView(m, ownerId);
}

export async function addProjectMember(db: Db, principal: Principal, projectId: string, input: AddMemberInput, audit: AuditContext): Promise<MemberView> {
  assertCanManageMembers(principal, projectId);
  const data = parseInput(addMemberSchema, input);
  const project = await db.project.findUnique({ where: { id: projectId }, select: { ownerId: true } });
  if (!project) throw new NotFoundError('Project');
  const user = data.userId
    ? await db.user.findUnique({ where: { id: data.userId } })
    : await db.user.findUnique({ where: { email: data.email! } });
  const field = data.userId ? 'userId' : 'email';
  if (!user) throw invalidField(field, data.userId ? 'No user with this id exists.' : `No user with the e-mail ${data.email} exists; create the user first.`);
  if (user.status !== 'active') throw invalidField(field, `${user.email} is disabled; enable the account before adding it.`);
  const existing = await db.projectMembership.findUnique({ where: { projectId_userId: { projectId, userId: user.id } } });
  if (existing) throw new ConflictError(`${user.email} is already a member of this project (as ${existing.role}).`);
  try {
    await db.$transaction(async (tx) => {
      await tx.projectMembership.create({ data: { projectId, userId: user.id, role: data.role } });
      await recordAudit(tx, audit, { action: 'project.member.add', targetType: 'project', targetId: projectId, after: { userId: user.id, email: user.email, role: data.role } });
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(`${user.email} is already a member of this project.`);
    throw error;
  }
  return getMember(db, projectId, user.id, project.ownerId);
}

export async function updateProjectMember(
  db: Db,
  principal: Principal,
  projectId: string,
  userId: string,
  input: UpdateMemberInput,
  audit: AuditContext,
): Promise<MemberView> {
  assertCanManageMembers(principal, projectId);
  const data = parseInput(updateMemberSchema, input);
  const project = await db.project.findUnique({ where: { id: projectId }, select: { ownerId: true } });
  if (!project) throw new NotFoundError('Project');
  const existing = await db.projectMembership.findUnique({ where: { projectId_userId: { projectId, userId } } });
  if (!existing) throw new NotFoundError('Project member');
  if (userId === project.ownerId && data.role !== 'owner') {
    throw invalidField('role', "The project's owner keeps the owner role; transfer ownership to someone else first.");
  }
  if (existing.role !== data.role) {
    await db.$transaction(async (tx) => {
      await tx.projectMembership.update({ where: { id: existing.id }, data: { role: data.role } });
      await recordAudit(tx, audit, {
        action: 'project.member.update',
        targetType: 'project',
        targetId: projectId,
        before: { userId, role: existing.role },
        after: { userId, role: data.role },
      });
    });
  }
  return getMember(db, projectId, userId, project.ownerId);
}

export async function removeProjectMember(db: Db, principal: Principal, projectId: string, userId: string, audit: AuditContext): Promise<void> {
  assertCanManageMembers(principal, projectId);
  const project = await db.project.findUnique({ where: { id: projectId }, select: { ownerId: true } });
  if (!project) throw new NotFoundError('Project member');
  const existing = await db.projectMembership.findUnique({ where: { projectId_userId: { projectId, userId } } });
  if (!existing) throw new NotFoundError('Project member');
  if (userId === project.ownerId) {
    throw new ValidationError(
      [{ field: 'userId', message: "The project's owner cannot be removed; transfer ownership to someone else first." }],
      "The project's owner cannot be removed; transfer ownership to someone else first.",
    );
  }
  await db.$transaction(async (tx) => {
    await tx.projectMembership.delete({ where: { id: existing.id } });
    await recordAudit(tx, audit, { action: 'project.member.remove', targetType: 'project', targetId: projectId, before: { userId, role: existing.role } });
  });
}

// ───────────── quotas ─────────────

export async function getProjectQuotas(db: Db, principal: Principal, projectId: string): Promise<ProjectQuotas> {
  assertProjectAccess(principal, projectId);
  const project = await db.project.findUnique({ where: { id: projectId }, include: { quotas: true } });
  if (!project) throw new NotFoundError('Project');
  return { projectId, quotas: sortQuotas(project.quotas).map(toQuotaView), usage: await usageOf(db, projectId) };
}

/**
 * Set the all-providers quota (providerKind null) or one provider's quota. Empty limits are
 * unlimited; a quota whose limits are all empty is removed.
 */
export async function setProjectQuota(db: Db, principal: Principal, projectId: string, input: SetQuotaInput, audit: AuditContext): Promise<ProjectQuotas> {
  assertCan(principal, 'admin:projects');
  const data = parseInput(setQuotaSchema, input);
  if (!(await db.project.findUnique({ where: { id: projectId }, select: { id: true } }))) throw new NotFoundError('Project');
  const limits = Object.fromEntries(QUOTA_LIMITS.map((k) => [k, data[k]])) as Record<(typeof QUOTA_LIMITS)[number], number | null>;
  const empty = QUOTA_LIMITS.every((k) => limits[k] === null);
  await db.$transaction(async (tx) => {
    // Prisma cannot address @@unique([projectId, providerKind]) when providerKind is NULL.
    const existing = await tx.quota.findFirst({ where: { projectId, providerKind: data.providerKind } });
    const before = existing ? { providerKind: existing.providerKind, ...Object.fromEntries(QUOTA_LIMITS.map((k) => [k, existing[k]])) } : undefined;
    const after = { providerKind: data.providerKind, ...limits };
    if (empty) {
      if (!existing) return;
      await tx.quota.delete({ where: { id: existing.id } });
      await recordAudit(tx, audit, { action: 'project.quota.remove', targetType: 'project', targetId: projectId, before });
      return;
    }
    if (existing) {
      if (QUOTA_LIMITS.every((k) => existing[k] === limits[k])) return;
      await tx.quota.update({ where: { id: existing.id }, data: limits });
    } else {
      await tx.quota.create({ data: { projectId, providerKind: data.providerKind, ...limits } });
    }
    await recordAudit(tx, audit, { action: 'project.quota.set', targetType: 'project', targetId: projectId, before, after });
  });
  return getProjectQuotas(db, principal, projectId);
}

// ───────────── budgets ─────────────

export async function listProjectBudgets(db: Db, principal: Principal, projectId: string): Promise<BudgetView[]> {
  assertProjectAccess(principal, projectId);
  const budgets = await db.budget.findMany({ where: { projectId }, orderBy: [{ startsOn: 'desc' }, { name: 'asc' }] });
  return budgets.map((b) => ({
    id: b.id,
    name: b.name,
    providerKind: b.providerKind,
    amount: b.amount.toFixed(2),
    currency: b.currency,
    period: b.period,
    alertThresholds: b.alertThresholds,
    startsOn: b.startsOn.toISOString().slice(0, 10),
  }));
}
