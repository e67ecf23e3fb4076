'use server';

import '@/providers/all';
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { authAction, authCall } from '@/lib/actions/safe-action';
import { DomainError, ValidationError } from '@/lib/errors';
import { controlOfIssue, providerFormSpec, valuesFromForm } from '@/lib/provider-accounts/form-fields';
import { accountFormSchema, createAccountFormSchema, regionsFormSchema } from '@/lib/provider-accounts/schemas';
import { createProviderAccount, testProviderAccount, updateProviderAccount } from '@/lib/provider-accounts/service';
import { requestAccountSync, type SyncRequestResult } from '@/lib/provider-accounts/sync-request';
import { providerModule } from '@/providers/registry';
import type { ProviderKind } from '@/providers/types';
import type { FormState } from '@/lib/validation/form-state';

const text = (form: FormData, name: string) => {
  const value = form.get(name);
  return typeof value === 'string' ? value : null;
};

/** Service field paths (body/settings/host) as the form's control names (settings.host). */
async function withControlNames<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ValidationError) {
      throw new ValidationError(error.issues.map((issue) => ({ ...issue, field: controlOfIssue(issue.field) })), error.message);
    }
    throw error;
  }
}

function connectionValues(kind: ProviderKind, form: FormData) {
  const spec = providerFormSpec(providerModule(kind));
  const settings = valuesFromForm(spec.settings, (c) => text(form, c));
  const secrets = valuesFromForm(spec.secrets, (c) => text(form, c));
  const issues = [...settings.issues, ...secrets.issues];
  if (issues.length) throw new ValidationError(issues.map((issue) => ({ ...issue, field: controlOfIssue(issue.field) })));
  return { settings: settings.values, secrets: secrets.values };
}

const createAccountForm = authAction(
  { capability: 'admin:provider-accounts', schema: createAccountFormSchema, conflictField: 'name' },
  async ({ input, db, audit, form }) => {
    const values = connectionValues(input.kind, form);
    const created = await withControlNames(() =>
      createProviderAccount(db, { kind: input.kind, name: input.name, description: input.description, enabled: input.enabled, ...values }, audit),
    );
    revalidatePath('/admin/provider-accounts');
    redirect(`/admin/provider-accounts/${created.id}?created=1`);
  },
);
export async function createAccountAction(previous: FormState, form: FormData): Promise<FormState> {
  return createAccountForm(previous, form);
}

export async function updateAccountAction(accountId: string, kind: ProviderKind, previous: FormState, form: FormData): Promise<FormState> {
  return authAction({ capability: 'admin:provider-accounts', schema: accountFormSchema, conflictField: 'name' }, async ({ input, db, audit, form: posted }) => {
    const values = connectionValues(kind, posted);
    // Blank secret fields are left out of the patch: the stored value is kept.
    await withControlNames(() =>
      updateProviderAccount(
        db,
        accountId,
        {
          name: input.name,
          description: input.description,
          enabled: input.enabled,
          settings: values.settings,
          ...(Object.keys(values.secrets).length ? { secrets: values.secrets } : {}),
        },
        audit,
      ),
    );
    revalidatePath('/admin/provider-accounts');
    revalidatePath(`/admin/provider-accounts/${accountId}`);
    return 'Saved. Test the connection to confirm the new settings work.';
  })(previous, form);
}

export async function saveRegionsAction(accountId: string, previous: FormState, form: FormData): Promise<FormState> {
  return authAction({ capability: 'admin:provider-accounts', schema: regionsFormSchema }, async ({ input, db, audit }) => {
    const { regions } = input;
    await withControlNames(() => updateProviderAccount(db, accountId, { enabledRegions: regions }, audit));
    revalidatePath(`/admin/provider-accounts/${accountId}`);
    revalidatePath('/admin/provider-accounts');
    return regions.length ? `Enabled ${regions.length} region${regions.length === 1 ? '' : 's'}: ${regions.join(', ')}.` : 'No region is enabled now.';
  })(previous, form);
}

export const testConnectionAction = authCall({ capability: 'admin:provider-accounts' }, async ({ db, audit }, accountId: string) => {
  const outcome = await testProviderAccount(db, accountId, audit);
  revalidatePath(`/admin/provider-accounts/${accountId}`);
  return outcome;
});

export type SyncActionResult = { ok: true; queued: SyncRequestResult } | { ok: false; message: string };

/** Queues the sync job and answers at once; the panel then polls its progress (GET …/sync). */
export const syncNowAction = authCall({ capability: 'admin:provider-accounts' }, async ({ db, audit }, accountId: string): Promise<SyncActionResult> => {
  try {
    return { ok: true, queued: await requestAccountSync(db, accountId, audit) };
  } catch (error) {
    if (error instanceof DomainError) return { ok: false, message: error.message };
    throw error;
  }
});
