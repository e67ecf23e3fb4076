'use server';

import { randomUUID } from 'node:crypto';
import { revalidatePath } from 'next/cache';
import { createApiToken, createApiTokenSchema, revokeApiToken } from '@/lib/auth/api-tokens';
import { actorOf, auditContext } from '@/lib/audit/record';
import { db } from '@/lib/db/client';
import { fieldIssuesFromZod, NotFoundError } from '@/lib/errors';
import { requirePrincipal } from '../../_lib/session';

export type CreateTokenState =
  | { ok: true; token: string; name: string; expiresAt: string | null }
  | { ok: false; errors: Record<string, string>; message?: string }
  | null;

export async function createTokenAction(_previous: CreateTokenState, form: FormData): Promise<CreateTokenState> {
  const principal = await requirePrincipal('token:manage-own');
  const expiry = String(form.get('expiresInDays') ?? '90');
  const parsed = createApiTokenSchema.safeParse({
    name: String(form.get('name') ?? ''),
    scopes: form.getAll('scopes').map(String),
    expiresInDays: expiry === 'never' ? null : Number(expiry),
  });
  if (!parsed.success) {
    const errors: Record<string, string> = {};
    for (const issue of fieldIssuesFromZod(parsed.error)) errors[issue.field.split('/')[0]!] ??= issue.message;
    return { ok: false, errors, message: 'Fix the highlighted fields.' };
  }
  const created = await createApiToken(db(), principal.userId, parsed.data, auditContext(actorOf(principal), randomUUID()));
  revalidatePath('/profile');
  return { ok: true, token: created.token, name: created.record.name, expiresAt: created.record.expiresAt };
}

export async function revokeTokenAction(tokenId: string): Promise<void> {
  const principal = await requirePrincipal('token:manage-own');
  try {
    await revokeApiToken(db(), principal.userId, tokenId, auditContext(actorOf(principal), randomUUID()));
  } catch (error) {
    // Already gone (or not yours): nothing to revoke; the refreshed list shows the truth.
    if (!(error instanceof NotFoundError)) throw error;
  }
  revalidatePath('/profile');
}
