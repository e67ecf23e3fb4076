'use server';

import { revalidatePath } from 'next/cache';
import { authAction } from '@/lib/actions/safe-action';
import { createBudget, updateBudget } from '@/lib/billing/budgets';
import { budgetAmountFormSchema, budgetFormSchema } from '@/lib/billing/schemas';
import type { FormState } from '@/lib/validation/form-state';

const createBudgetForm = authAction({ capability: 'budget:manage', schema: budgetFormSchema }, async ({ input, db, audit }) => {
  const created = await createBudget(db, input, audit);
  revalidatePath('/costs/budgets');
  return `Budget "${created.name}" created.`;
});
export async function createBudgetAction(previous: FormState, form: FormData): Promise<FormState> {
  return createBudgetForm(previous, form);
}

export async function updateBudgetAmountAction(budgetId: string, previous: FormState, form: FormData): Promise<FormState> {
  return authAction({ capability: 'budget:manage', schema: budgetAmountFormSchema }, async ({ input, db, audit }) => {
    await updateBudget(db, budgetId, { amount: input.amount }, audit);
    revalidatePath('/costs/budgets');
    return 'Amount saved.';
  })(previous, form);
}
