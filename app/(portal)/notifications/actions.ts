'use server';

import { revalidatePath } from 'next/cache';
import { authAction } from '@/lib/actions/safe-action';
import { markNotificationsRead } from '@/lib/notifications/service';
import type { FormState } from '@/lib/validation/form-state';
import { NO_FIELDS } from '@/lib/validation/input';

export async function markAllReadAction(previous: FormState, form: FormData): Promise<FormState> {
  return authAction({ capability: 'request:read-own', schema: NO_FIELDS }, async ({ db, principal }) => {
    const r = await markNotificationsRead(db, principal, { all: true });
    revalidatePath('/notifications');
    return r.updated === 1 ? '1 notification marked read.' : `${r.updated} notifications marked read.`;
  })(previous, form);
}
