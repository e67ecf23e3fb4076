import { handle } from '@/lib/api/handler';
import { createBudget, listBudgets } from '@/lib/api/operations/budgets';
import * as budgets from '@/lib/billing/budgets';
import { costScopeFor } from '@/lib/billing/scope';

export const dynamic = 'force-dynamic';

export const GET = handle(listBudgets, async ({ db, principal, query }) => ({
  items: await budgets.listBudgets(db, costScopeFor(principal), { projectId: query.projectId }),
}));

export const POST = handle(createBudget, async ({ db, body, audit }) => budgets.createBudget(db, body, audit));
