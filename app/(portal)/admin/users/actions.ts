'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { authAction } from '@/lib/actions/safe-action';
import { createUserSchema, resetPasswordFormSchema, updateUserSchema } from '@/lib/users/schemas';
import { createUser, resetUserPassword, unlockUser, updateUser } from '@/lib/users/service';
import type { FormState } from '@/lib/validation/form-state';
import { NO_FIELDS } from '@/lib/validation/input';

const createUserForm = authAction({ capability: 'admin:users', schema: createUserSchema, conflictField: 'email' }, async ({ input, principal, db, audit }) => {
  const created = await createUser(db, principal, input, audit);
  revalidatePath('/admin/users');
  redirect(`/admin/users/${created.id}?created=1`);
});
export async function createUserAction(previous: FormState, form: FormData): Promise<FormState> {
  return createUserForm(previous, form);
}

export async function updateUserAction(userId: string, previous: FormState, form: FormData): Promise<FormState> {
  return authAction({ capability: 'admin:users', schema: updateUserSchema }, async ({ input, principal, db, audit }) => {
    await updateUser(db, principal, userId, input, audit);
    revalidatePath(`/admin/users/${userId}`);
    revalidatePath('/admin/users');
    return 'User saved. Role and status changes apply to their next request.';
  })(previous, form);
}

export async function unlockUserAction(userId: string, previous: FormState, form: FormData): Promise<FormState> {
  return authAction({ capability: 'admin:users', schema: NO_FIELDS }, async ({ principal, db, audit }) => {
    await unlockUser(db, principal, userId, audit);
    revalidatePath(`/admin/users/${userId}`);
    revalidatePath('/admin/users');
    return 'Unlocked. The user can sign in again.';
  })(previous, form);
}

export async function resetPasswordAction(userId: string, previous: FormState, form: FormData): Promise<FormState> {
  return authAction({ capability: 'admin:users', schema: resetPasswordFormSchema }, async ({ input, principal, db, audit }) => {
    await resetUserPassword(db, principal, userId, { password: input.password }, audit);
    revalidatePath(`/admin/users/${userId}`);
    return 'Password changed. Tell the user through a secure channel.';
  })(previous, form);
}
