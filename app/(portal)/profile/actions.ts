'use server';

import { revalidatePath } from 'next/cache';
import { authAction, authCall } from '@/lib/actions/safe-action';
import { createApiToken, revokeApiToken } from '@/lib/auth/api-tokens';
import { createApiTokenFormSchema } from '@/lib/auth/schemas';
import { NotFoundError } from '@/lib/errors';

export const createTokenAction = authAction(
  { capability: 'token:manage-own', schema: createApiTokenFormSchema },
  async ({ input, principal, db, audit }) => {
    const created = await createApiToken(db, principal.userId, input, audit);
    revalidatePath('/profile');
    return {
      ok: true,
      message: `Token “${created.record.name}” created.`,
      data: { token: created.token, name: created.record.name, expiresAt: created.record.expiresAt },
    };
  },
);

export const revokeTokenAction = authCall({ capability: 'token:manage-own' }, async ({ principal, db, audit }, tokenId: string) => {
  try {
    await revokeApiToken(db, principal.userId, tokenId, audit);
  } catch (error) {
    // Already gone (or not yours): nothing to revoke; the refreshed list shows the truth.
    if (!(error instanceof NotFoundError)) throw error;
  }
  revalidatePath('/profile');
});
