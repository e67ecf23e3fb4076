// Stored ApprovalPolicy rows ↔ PolicyDefinition. The DB enum says `deny` where the API says `reject`.
import type { Prisma } from '@/generated/prisma/client';
import type { PolicyAction } from '@/generated/prisma/enums';
import type { Db } from '../db/client';
import { policyConditionsSchema, policyLevelSchema, type PolicyActionName, type PolicyDefinition } from './schemas';

type Tx = Prisma.TransactionClient | Db;
type PolicyRow = Prisma.ApprovalPolicyGetPayload<object>;

export const toDbAction = (a: PolicyActionName): PolicyAction => (a === 'reject' ? 'deny' : a);
export const fromDbAction = (a: PolicyAction): PolicyActionName => (a === 'deny' ? 'reject' : a);

/**
 * A row whose JSON no longer parses (hand-edited, older shape) yields null so it never matches
 * everything by accident; the admin list shows it as invalid.
 */
export function rowToDefinition(row: PolicyRow): PolicyDefinition | null {
  const conditions = policyConditionsSchema.safeParse(row.conditions ?? {});
  const levels = policyLevelSchema.array().safeParse(row.levels ?? []);
  if (!conditions.success || !levels.success) return null;
  return { ...policyColumns(row), conditions: conditions.data, levels: levels.data };
}

/** The fields a definition and the admin view both take straight from the row (all but the JSON ones). */
export function policyColumns(row: PolicyRow) {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    priority: row.priority,
    enabled: row.enabled,
    action: fromDbAction(row.action),
    rejectReason: row.rejectReason,
    quotaMode: row.quotaMode,
    budgetMode: row.budgetMode,
    scope: row.scope,
  };
}

export async function loadPolicyDefinitions(db: Tx, options: { enabledOnly?: boolean } = {}): Promise<PolicyDefinition[]> {
  const rows = await db.approvalPolicy.findMany({
    where: options.enabledOnly ? { enabled: true } : {},
    orderBy: [{ priority: 'asc' }, { name: 'asc' }],
  });
  return rows.map(rowToDefinition).filter((p): p is PolicyDefinition => p !== null);
}
