import { handle } from '@/lib/api/handler';
import { updateBudget } from '@/lib/api/operations/budgets';
import * as budgets from '@/lib/billing/budgets';

export const dynamic = 'force-dynamic';

export const PATCH = handle(updateBudget, async ({ db, params, body, audit }) => budgets.updateBudget(db, params.budgetId, body, audit));
