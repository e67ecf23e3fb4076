'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { actorOf, auditContext } from '@/lib/audit/record';
import type { Principal } from '@/lib/auth/principal';
import { db } from '@/lib/db/client';
import type { RoleName } from '@/lib/users/schemas';
import { createUser, resetUserPassword, unlockUser, updateUser } from '@/lib/users/service';
import { formFailure, formText, type FormState } from '@/lib/validation/form-state';
import { requirePrincipal } from '../../../_lib/session';

const audit = (principal: Principal) => auditContext(actorOf(principal));
const roles = (form: FormData) => form.getAll('roles').filter((r): r is RoleName => typeof r === 'string');

export async function createUserAction(_previous: FormState, form: FormData): Promise<FormState> {
  const principal = await requirePrincipal('admin:users');
  let id: string;
  try {
    const created = await createUser(
      db(),
      principal,
      { email: formText(form, 'email'), name: formText(form, 'name'), roles: roles(form), password: formText(form, 'password') },
      audit(principal),
    );
    id = created.id;
  } catch (error) {
    return formFailure(error, 'email', form);
  }
  revalidatePath('/admin/users');
  redirect(`/admin/users/${id}?created=1`);
}

export async function updateUserAction(userId: string, _previous: FormState, form: FormData): Promise<FormState> {
  const principal = await requirePrincipal('admin:users');
  try {
    await updateUser(
      db(),
      principal,
      userId,
      { name: formText(form, 'name'), roles: roles(form), status: formText(form, 'status') as 'active' | 'disabled' },
      audit(principal),
    );
  } catch (error) {
    return formFailure(error, undefined, form);
  }
  revalidatePath(`/admin/users/${userId}`);
  revalidatePath('/admin/users');
  return { ok: true, message: 'User saved. Role and status changes apply to their next request.' };
}

export async function unlockUserAction(userId: string, _previous: FormState, _form: FormData): Promise<FormState> {
  const principal = await requirePrincipal('admin:users');
  try {
    await unlockUser(db(), principal, userId, audit(principal));
  } catch (error) {
    return formFailure(error);
  }
  revalidatePath(`/admin/users/${userId}`);
  revalidatePath('/admin/users');
  return { ok: true, message: 'Unlocked. The user can sign in again.' };
}

export async function resetPasswordAction(userId: string, _previous: FormState, form: FormData): Promise<FormState> {
  const principal = await requirePrincipal('admin:users');
  const password = formText(form, 'password');
  if (password !== formText(form, 'confirm')) {
    return { ok: false, message: 'Please correct the highlighted fields.', errors: { confirm: 'The two passwords differ.' } };
  }
  try {
    await resetUserPassword(db(), principal, userId, { password }, audit(principal));
  } catch (error) {
    return formFailure(error);
  }
  revalidatePath(`/admin/users/${userId}`);
  return { ok: true, message: 'Password changed. Tell the user through a secure channel.' };
}
