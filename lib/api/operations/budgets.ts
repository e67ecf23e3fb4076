// Budgets: monthly per project, optionally per provider, with alert thresholds on actual and
// forecast spend. Admins manage them; project owners can list their projects' budgets.
import { z } from 'zod';
import { budgetViewSchema, createBudgetSchema, updateBudgetSchema } from '@/lib/billing/schemas';
import { capability, defineOperation, type Operation } from '../operation';

const TAG = 'Budgets';

export const listBudgets = defineOperation({
  operationId: 'listBudgets',
  method: 'GET',
  path: '/api/v1/budgets',
  summary: 'Budgets with actual month-to-date, forecast and this month’s alerts (non-admins: projects they own)',
  tag: TAG,
  access: capability('cost:read-own'),
  query: z.object({ projectId: z.string().max(100).optional() }),
  response: z.object({ items: z.array(budgetViewSchema) }),
});

export const createBudget = defineOperation({
  operationId: 'createBudget',
  method: 'POST',
  path: '/api/v1/budgets',
  summary: 'Create a monthly budget for a project (optionally one provider) with alert thresholds (default 50/80/100 %)',
  tag: TAG,
  access: capability('budget:manage'),
  projectScoped: true,
  body: createBudgetSchema,
  exampleBody: { name: 'Web shop monthly', projectId: '<project id>', amount: '5000', currency: 'USD', alertThresholds: [50, 80, 100] },
  response: budgetViewSchema,
  successStatus: 201,
});

export const updateBudget = defineOperation({
  operationId: 'updateBudget',
  method: 'PATCH',
  path: '/api/v1/budgets/{budgetId}',
  summary: 'Change a budget’s name, amount, currency, provider or thresholds',
  tag: TAG,
  access: capability('budget:manage'),
  params: z.object({ budgetId: z.string().min(1).max(100) }),
  body: updateBudgetSchema,
  exampleBody: { amount: '6000' },
  response: budgetViewSchema,
});

export const operations: readonly Operation[] = [listBudgets, createBudget, updateBudget];
