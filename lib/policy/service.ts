// Admin CRUD for approval policies, validated with lib/policy/schemas.ts (one home) plus checks
// against the database: approver users and projects must exist, names are unique.
import type { Prisma } from '@/generated/prisma/client';
import { recordAudit, type AuditContext } from '../audit/record';
import type { Db } from '../db/client';
import { NotFoundError, ValidationError, fieldIssuesFromZod, type FieldIssue } from '../errors';
import { describeConditions } from './describe';
import { policyInputSchema, policyPatchSchema, type PolicyData, type PolicyInput, type PolicyPatch, type PolicyView } from './schemas';
import { fromDbAction, policyColumns, rowToDefinition, toDbAction } from './store';

type PolicyRow = Prisma.ApprovalPolicyGetPayload<object>;

async function nameMap(db: Db): Promise<Record<string, string>> {
  const [projects, templates] = await Promise.all([
    db.project.findMany({ select: { id: true, name: true } }),
    db.catalogTemplate.findMany({ select: { id: true, name: true } }),
  ]);
  return Object.fromEntries([...projects, ...templates].map((x) => [x.id, x.name]));
}

function toView(row: PolicyRow, names: Record<string, string>): PolicyView {
  const def = rowToDefinition(row);
  return {
    ...policyColumns(row),
    conditions: def?.conditions ?? {},
    levels: def?.levels ?? [],
    summary: def ? describeConditions(def.conditions, names, def.scope) : 'Stored conditions are invalid: this policy never matches until it is saved again',
    updatedAt: row.updatedAt.toISOString(),
  };
}

export async function listPolicies(db: Db): Promise<PolicyView[]> {
  const [rows, names] = await Promise.all([db.approvalPolicy.findMany({ orderBy: [{ priority: 'asc' }, { name: 'asc' }] }), nameMap(db)]);
  return rows.map((r) => toView(r, names));
}

export async function getPolicy(db: Db, id: string): Promise<PolicyView> {
  const row = await db.approvalPolicy.findUnique({ where: { id } });
  if (!row) throw new NotFoundError(`Policy ${id}`);
  return toView(row, await nameMap(db));
}

/** Approver users and condition projects must exist; user approvers get their readable label. */
async function checkReferences(db: Db | Prisma.TransactionClient, data: PolicyData): Promise<PolicyData> {
  const issues: FieldIssue[] = [];
  const userIds = [...new Set(data.levels.flatMap((l) => l.approvers.flatMap((a) => (a.type === 'user' ? [a.userId] : []))))];
  const users = userIds.length ? await db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, name: true, email: true } }) : [];
  const byId = new Map(users.map((u) => [u.id, u]));
  const levels = data.levels.map((level, li) => ({
    ...level,
    approvers: level.approvers.map((a, ai) => {
      if (a.type !== 'user') return a;
      const user = byId.get(a.userId);
      if (!user) {
        issues.push({ field: `levels/${li}/approvers/${ai}/userId`, message: 'No such user' });
        return a;
      }
      return { ...a, label: `${user.name} <${user.email}>` };
    }),
  }));
  const projectIds = data.conditions.projectIds ?? [];
  if (projectIds.length) {
    const found = new Set((await db.project.findMany({ where: { id: { in: projectIds } }, select: { id: true } })).map((p) => p.id));
    projectIds.forEach((id, i) => {
      if (!found.has(id)) issues.push({ field: `conditions/projectIds/${i}`, message: 'No such project' });
    });
  }
  if (issues.length) throw new ValidationError(issues);
  return { ...data, levels };
}

function parse(input: unknown): PolicyData {
  const parsed = policyInputSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(fieldIssuesFromZod(parsed.error));
  return parsed.data;
}

function rowData(d: PolicyData) {
  return {
    name: d.name,
    description: d.description,
    priority: d.priority,
    enabled: d.enabled,
    conditions: d.conditions as Prisma.InputJsonValue,
    action: toDbAction(d.action),
    levels: (d.action === 'require_approval' ? d.levels : []) as unknown as Prisma.InputJsonValue,
    rejectReason: d.action === 'reject' ? d.rejectReason : '',
    quotaMode: d.quotaMode,
    budgetMode: d.budgetMode,
    scope: d.scope,
  };
}

async function assertNameFree(db: Db | Prisma.TransactionClient, name: string, exceptId?: string) {
  const clash = await db.approvalPolicy.findFirst({ where: { name: { equals: name, mode: 'insensitive' }, ...(exceptId ? { id: { not: exceptId } } : {}) }, select: { id: true } });
  if (clash) throw new ValidationError([{ field: 'name', message: 'Another policy has this name' }]);
}

export async function createPolicy(db: Db, input: PolicyInput, audit: AuditContext): Promise<PolicyView> {
  const data = await checkReferences(db, parse(input));
  const row = await db.$transaction(async (tx) => {
    await assertNameFree(tx, data.name);
    const created = await tx.approvalPolicy.create({ data: rowData(data) });
    await recordAudit(tx, audit, { action: 'policy.create', targetType: 'approval_policy', targetId: created.id, after: data });
    return created;
  });
  return toView(row, await nameMap(db));
}

export async function updatePolicy(db: Db, id: string, patch: PolicyPatch, audit: AuditContext): Promise<PolicyView> {
  const p = policyPatchSchema.safeParse(patch);
  if (!p.success) throw new ValidationError(fieldIssuesFromZod(p.error));
  const row = await db.$transaction(async (tx) => {
    const current = await tx.approvalPolicy.findUnique({ where: { id } });
    if (!current) throw new NotFoundError(`Policy ${id}`);
    const before = rowToDefinition(current);
    const merged = parse({
      name: current.name,
      description: current.description,
      priority: current.priority,
      enabled: current.enabled,
      conditions: before?.conditions ?? {},
      action: fromDbAction(current.action),
      levels: before?.levels ?? [],
      rejectReason: current.rejectReason,
      quotaMode: current.quotaMode,
      budgetMode: current.budgetMode,
      scope: current.scope,
      ...Object.fromEntries(Object.entries(p.data).filter(([, v]) => v !== undefined)),
    });
    const data = await checkReferences(tx, merged);
    await assertNameFree(tx, data.name, id);
    const updated = await tx.approvalPolicy.update({ where: { id }, data: rowData(data) });
    await recordAudit(tx, audit, { action: 'policy.update', targetType: 'approval_policy', targetId: id, before: before ?? { name: current.name }, after: data });
    return updated;
  });
  return toView(row, await nameMap(db));
}

/** Requests decided by the policy keep its name and reason (stored on the request); only the link goes. */
export async function deletePolicy(db: Db, id: string, audit: AuditContext): Promise<void> {
  await db.$transaction(async (tx) => {
    const current = await tx.approvalPolicy.findUnique({ where: { id } });
    if (!current) throw new NotFoundError(`Policy ${id}`);
    await tx.request.updateMany({ where: { policyId: id }, data: { policyId: null } });
    await tx.approvalPolicy.delete({ where: { id } });
    await recordAudit(tx, audit, { action: 'policy.delete', targetType: 'approval_policy', targetId: id, before: rowToDefinition(current) ?? { name: current.name } });
  });
}

