'use server';

import '@/providers/all';
import { randomUUID } from 'node:crypto';
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { actorOf, auditContext } from '@/lib/audit/record';
import type { Principal } from '@/lib/auth/principal';
import { db } from '@/lib/db/client';
import { DomainError, ValidationError } from '@/lib/errors';
import { controlOfIssue, providerFormSpec, valuesFromForm } from '@/lib/provider-accounts/form-fields';
import {
  createProviderAccount,
  testProviderAccount,
  updateProviderAccount,
  type ConnectionTestOutcome,
} from '@/lib/provider-accounts/service';
import { syncProviderAccount, type SyncResult } from '@/lib/provider-accounts/sync';
import { isProviderError, type ProviderError } from '@/providers/errors';
import { providerModule } from '@/providers/registry';
import { PROVIDER_KINDS, type ProviderKind } from '@/providers/types';
import { requirePrincipal } from '../../../_lib/session';

export type AccountFormState = { ok: false; message: string; errors: Record<string, string> } | { ok: true; message: string } | null;

const audit = (principal: Principal) => auditContext(actorOf(principal), randomUUID());
const text = (form: FormData, name: string) => {
  const value = form.get(name);
  return typeof value === 'string' ? value : null;
};

/** Turn a user mistake into field messages for the form; anything else is rethrown (a real 500). */
function failure(error: unknown): AccountFormState {
  if (error instanceof ValidationError) {
    const errors: Record<string, string> = {};
    for (const issue of error.issues) errors[controlOfIssue(issue.field)] ??= issue.message;
    return { ok: false, message: error.message, errors };
  }
  if (error instanceof DomainError) {
    return { ok: false, message: error.message, errors: error.status === 409 ? { name: error.message } : {} };
  }
  throw error;
}

function connectionValues(kind: ProviderKind, form: FormData) {
  const spec = providerFormSpec(providerModule(kind));
  const settings = valuesFromForm(spec.settings, (c) => text(form, c));
  const secrets = valuesFromForm(spec.secrets, (c) => text(form, c));
  const issues = [...settings.issues, ...secrets.issues];
  return { settings: settings.values, secrets: secrets.values, issues };
}

export async function createAccountAction(_previous: AccountFormState, form: FormData): Promise<AccountFormState> {
  const principal = await requirePrincipal('admin:provider-accounts');
  const kind = text(form, 'kind') as ProviderKind;
  if (!PROVIDER_KINDS.includes(kind)) return { ok: false, message: 'Choose a provider kind.', errors: {} };
  let id: string;
  try {
    const values = connectionValues(kind, form);
    if (values.issues.length) throw new ValidationError(values.issues);
    const created = await createProviderAccount(
      db(),
      { kind, name: text(form, 'name') ?? '', description: text(form, 'description') ?? '', settings: values.settings, secrets: values.secrets, enabled: form.get('enabled') !== null },
      audit(principal),
    );
    id = created.id;
  } catch (error) {
    return failure(error);
  }
  revalidatePath('/admin/provider-accounts');
  redirect(`/admin/provider-accounts/${id}?created=1`);
}

export async function updateAccountAction(accountId: string, kind: ProviderKind, _previous: AccountFormState, form: FormData): Promise<AccountFormState> {
  const principal = await requirePrincipal('admin:provider-accounts');
  try {
    const values = connectionValues(kind, form);
    if (values.issues.length) throw new ValidationError(values.issues);
    // Blank secret fields are left out of the patch: the stored value is kept.
    await updateProviderAccount(
      db(),
      accountId,
      {
        name: text(form, 'name') ?? undefined,
        description: text(form, 'description') ?? undefined,
        enabled: form.get('enabled') !== null,
        settings: values.settings,
        ...(Object.keys(values.secrets).length ? { secrets: values.secrets } : {}),
      },
      audit(principal),
    );
  } catch (error) {
    return failure(error);
  }
  revalidatePath('/admin/provider-accounts');
  revalidatePath(`/admin/provider-accounts/${accountId}`);
  return { ok: true, message: 'Saved. Test the connection to confirm the new settings work.' };
}

export async function saveRegionsAction(accountId: string, _previous: AccountFormState, form: FormData): Promise<AccountFormState> {
  const principal = await requirePrincipal('admin:provider-accounts');
  const regions = form.getAll('regions').map(String);
  try {
    await updateProviderAccount(db(), accountId, { enabledRegions: regions }, audit(principal));
  } catch (error) {
    return failure(error);
  }
  revalidatePath(`/admin/provider-accounts/${accountId}`);
  revalidatePath('/admin/provider-accounts');
  return { ok: true, message: regions.length ? `Enabled ${regions.length} region${regions.length === 1 ? '' : 's'}: ${regions.join(', ')}.` : 'No region is enabled now.' };
}

export async function testConnectionAction(accountId: string): Promise<ConnectionTestOutcome> {
  const principal = await requirePrincipal('admin:provider-accounts');
  const outcome = await testProviderAccount(db(), accountId, audit(principal));
  revalidatePath(`/admin/provider-accounts/${accountId}`);
  return outcome;
}

export type SyncActionResult =
  | { ok: true; result: SyncResult }
  | { ok: false; message: string; error?: ReturnType<ProviderError['toJSON']> };

export async function syncNowAction(accountId: string): Promise<SyncActionResult> {
  const principal = await requirePrincipal('admin:provider-accounts');
  try {
    const result = await syncProviderAccount(db(), accountId, audit(principal));
    return { ok: true, result };
  } catch (error) {
    if (isProviderError(error)) return { ok: false, message: error.message, error: error.toJSON() };
    if (error instanceof DomainError) return { ok: false, message: error.message };
    throw error;
  } finally {
    revalidatePath(`/admin/provider-accounts/${accountId}`);
    revalidatePath('/admin/provider-accounts');
  }
}
