'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { authAction } from '@/lib/actions/safe-action';
import { createPriceRule, csvFromForm, deletePriceRule, deleteRate, importPrices, updatePriceRule, updateRate, upsertRate } from '@/lib/catalog/price-book';
import { importPricesQuerySchema, rateInputSchema, updateRateSchema } from '@/lib/catalog/schemas';
import type { FormState } from '@/lib/validation/form-state';
import { NO_FIELDS } from '@/lib/validation/input';

const PATH = '/admin/price-book';
const done = (message: string) => {
  revalidatePath(PATH);
  revalidatePath('/catalog');
  return message;
};

export async function updateRateAction(rateId: string, previous: FormState, form: FormData): Promise<FormState> {
  return authAction({ capability: 'admin:prices', schema: updateRateSchema }, async ({ input, db, audit }) => {
    const saved = await updateRate(db, rateId, input, audit);
    return done(`Saved: ${saved.unitPrice} (${saved.monthly} a month).`);
  })(previous, form);
}

export async function deleteRateAction(rateId: string, previous: FormState, form: FormData): Promise<FormState> {
  return authAction({ capability: 'admin:prices', schema: NO_FIELDS }, async ({ db, audit }) => {
    await deleteRate(db, rateId, audit);
    return done('Rate removed.');
  })(previous, form);
}

export async function addRateAction(priceBookId: string, previous: FormState, form: FormData): Promise<FormState> {
  return authAction({ capability: 'admin:prices', schema: rateInputSchema }, async ({ input, db, audit }) => {
    await upsertRate(db, priceBookId, input, audit);
    return done(`Saved ${input.sku}.`);
  })(previous, form);
}

export async function importPricesAction(priceBookId: string, previous: FormState, form: FormData): Promise<FormState> {
  return authAction({ capability: 'admin:prices', schema: importPricesQuerySchema.omit({ priceBookId: true }) }, async ({ input, db, audit, form: data }) => {
    const file = await csvFromForm(data);
    const result = await importPrices(db, { csv: file.text, fileName: file.name, priceBookId, mode: input.mode }, audit);
    return done(`Imported ${result.imported} rates: ${result.created} new, ${result.updated} changed${result.removed ? `, ${result.removed} removed` : ''}.`);
  })(previous, form);
}

const ruleFormSchema = z.object({
  name: z.string().max(100),
  adjustment: z.enum(['markup', 'discount']),
  percent: z.string().max(30),
  providerKind: z.string().max(20).optional(),
  projectId: z.string().max(64).optional(),
});

export async function createRuleAction(previous: FormState, form: FormData): Promise<FormState> {
  return authAction({ capability: 'admin:prices', schema: ruleFormSchema }, async ({ input, db, audit }) => {
    // Empty selects mean "every provider" / "every project".
    await createPriceRule(db, { ...input, providerKind: input.providerKind || null, projectId: input.projectId || null }, audit);
    return done(`Rule “${input.name}” added.`);
  })(previous, form);
}

export async function setRuleEnabledAction(ruleId: string, enabled: boolean, previous: FormState, form: FormData): Promise<FormState> {
  return authAction({ capability: 'admin:prices', schema: NO_FIELDS }, async ({ db, audit }) => {
    await updatePriceRule(db, ruleId, { enabled }, audit);
    return done(enabled ? 'Rule enabled.' : 'Rule disabled.');
  })(previous, form);
}

export async function deleteRuleAction(ruleId: string, previous: FormState, form: FormData): Promise<FormState> {
  return authAction({ capability: 'admin:prices', schema: NO_FIELDS }, async ({ db, audit }) => {
    await deletePriceRule(db, ruleId, audit);
    return done('Rule removed.');
  })(previous, form);
}
