'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { authAction, authCall } from '@/lib/actions/safe-action';
import { ValidationError } from '@/lib/errors';
import { createPolicy, deletePolicy, updatePolicy } from '@/lib/policy/service';
import { simulatePolicies } from '@/lib/policy/simulate';
import type { SimulationResult } from '@/lib/policy/schemas';
import type { FormState } from '@/lib/validation/form-state';
import { NO_FIELDS } from '@/lib/validation/input';

/** The policy editor posts its whole state as JSON in one field; lib/policy validates it. */
const jsonForm = z.object({ policy: z.string().min(2).max(200_000) });

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError([{ field: 'policy', message: 'The form data is not valid JSON.' }]);
  }
}

export async function savePolicyAction(policyId: string | null, previous: FormState, form: FormData): Promise<FormState> {
  return authAction({ capability: 'admin:policies', schema: jsonForm }, async ({ input, db, audit }) => {
    const data = parseJson(input.policy) as Parameters<typeof createPolicy>[1];
    if (policyId) await updatePolicy(db, policyId, data, audit);
    else await createPolicy(db, data, audit);
    revalidatePath('/admin/policies');
    redirect('/admin/policies?saved=1');
  })(previous, form);
}

export async function setPolicyEnabledAction(policyId: string, enabled: boolean, previous: FormState, form: FormData): Promise<FormState> {
  return authAction({ capability: 'admin:policies', schema: NO_FIELDS }, async ({ db, audit }) => {
    const p = await updatePolicy(db, policyId, { enabled }, audit);
    revalidatePath('/admin/policies');
    return `“${p.name}” is ${enabled ? 'enabled' : 'disabled'}.`;
  })(previous, form);
}

export async function deletePolicyAction(policyId: string, previous: FormState, form: FormData): Promise<FormState> {
  return authAction({ capability: 'admin:policies', schema: NO_FIELDS }, async ({ db, audit }) => {
    await deletePolicy(db, policyId, audit);
    revalidatePath('/admin/policies');
    return 'Policy deleted.';
  })(previous, form);
}

export type SimulationOutcome = { ok: true; result: SimulationResult } | { ok: false; message: string; errors: Record<string, string> };

/** Runs a simulation for the panel; validation problems come back as messages, not exceptions. */
export const runSimulation = authCall({ capability: 'admin:policies' }, async ({ db }, draft: string, last: number): Promise<SimulationOutcome> => {
  try {
    const policies = parseJson(String(draft).slice(0, 400_000));
    if (!Array.isArray(policies)) return { ok: false, message: 'The draft must be a JSON array of policies.', errors: {} };
    const result = await simulatePolicies(db, { policies: policies as never, last: Math.min(Math.max(Math.trunc(Number(last)) || 100, 1), 1000) });
    return { ok: true, result };
  } catch (error) {
    if (error instanceof ValidationError) {
      return { ok: false, message: 'The draft policy set is invalid.', errors: Object.fromEntries(error.issues.map((i) => [i.field, i.message])) };
    }
    throw error;
  }
});
