'use client';

import { useActionState, useId, useRef } from 'react';
import { Field, fieldProps, inputClass } from '@/components/ui/Field';
import { FormMessage } from '@/components/ui/FormMessage';
import { SubmitButton } from '@/components/ui/SubmitButton';
import { MIN_PASSWORD_LENGTH_HINT, ROLES, type RoleName } from '@/lib/users/schemas';
import type { FormState } from '@/lib/validation/form-state';

type Action = (previous: FormState, form: FormData) => Promise<FormState>;

const ROLE_HINTS: Record<RoleName, string> = {
  requester: 'browse the catalog and request resources',
  approver: 'approve requests routed to them',
  admin: 'manage Skyport: projects, users, providers, policies',
};

const rolesOf = (joined: string): RoleName[] => ROLES.filter((r) => joined.split(',').includes(r));

function RolesFieldset({ id, defaultRoles, error, lockedAdmin }: { id: string; defaultRoles: RoleName[]; error?: string; lockedAdmin?: boolean }) {
  return (
    <fieldset aria-describedby={error ? `${id}-error` : undefined} aria-invalid={error ? true : undefined}>
      <legend className="text-sm font-medium text-slate-800">Roles</legend>
      <div className="mt-1 space-y-1">
        {ROLES.map((role) => (
          <label key={role} className="flex items-start gap-2 text-sm">
            <input type="checkbox" name="roles" value={role} defaultChecked={defaultRoles.includes(role)} className="mt-0.5" />
            <span>
              <span className="font-medium capitalize">{role}</span> <span className="text-slate-500">— {ROLE_HINTS[role]}</span>
              {lockedAdmin && role === 'admin' && <span className="block text-xs text-slate-500">You cannot remove your own admin role.</span>}
            </span>
          </label>
        ))}
      </div>
      {error && (
        <p id={`${id}-error`} className="mt-1 text-xs font-medium text-red-700">
          {error}
        </p>
      )}
    </fieldset>
  );
}

export function CreateUserForm({ action }: { action: Action }) {
  const [state, formAction] = useActionState(action, null);
  const id = useId();
  const e = state && !state.ok ? state.errors : {};
  const v = state && !state.ok ? (state.values ?? {}) : {};
  return (
    <form action={formAction} noValidate className="space-y-4" aria-label="New user">
      <Field id={`${id}-email`} label="E-mail" required error={e.email}>
        <input name="email" type="email" required autoComplete="off" defaultValue={v.email} className={inputClass} {...fieldProps(`${id}-email`, { error: e.email })} />
      </Field>
      <Field id={`${id}-name`} label="Name" required error={e.name}>
        <input name="name" required autoComplete="off" defaultValue={v.name} className={inputClass} {...fieldProps(`${id}-name`, { error: e.name })} />
      </Field>
      <RolesFieldset id={`${id}-roles`} defaultRoles={v.roles !== undefined ? rolesOf(v.roles) : ['requester']} error={e.roles} />
      <Field id={`${id}-pw`} label="Initial password" required error={e.password} hint={`At least ${MIN_PASSWORD_LENGTH_HINT} characters. Share it securely.`}>
        <input
          name="password"
          type="password"
          required
          minLength={MIN_PASSWORD_LENGTH_HINT}
          autoComplete="new-password"
          className={inputClass}
          {...fieldProps(`${id}-pw`, { error: e.password, hint: true })}
        />
      </Field>
      <div className="flex items-center gap-3">
        <SubmitButton pendingLabel="Creating…">Create user</SubmitButton>
        <FormMessage state={state} />
      </div>
    </form>
  );
}

export function EditUserForm({
  action,
  user,
  isSelf,
}: {
  action: Action;
  user: { name: string; roles: RoleName[]; status: 'active' | 'disabled' };
  isSelf: boolean;
}) {
  const [state, formAction] = useActionState(action, null);
  const id = useId();
  const e = state && !state.ok ? state.errors : {};
  const v = state && !state.ok ? (state.values ?? {}) : {};
  return (
    <form action={formAction} noValidate className="space-y-4" aria-label="Edit user">
      <Field id={`${id}-name`} label="Name" required error={e.name}>
        <input name="name" required defaultValue={v.name ?? user.name} className={inputClass} {...fieldProps(`${id}-name`, { error: e.name })} />
      </Field>
      <RolesFieldset id={`${id}-roles`} defaultRoles={v.roles !== undefined ? rolesOf(v.roles) : user.roles} error={e.roles} lockedAdmin={isSelf && user.roles.includes('admin')} />
      <fieldset aria-describedby={e.status ? `${id}-status-error` : undefined} aria-invalid={e.status ? true : undefined}>
        <legend className="text-sm font-medium text-slate-800">Status</legend>
        <div className="mt-1 flex flex-wrap gap-4">
          <label className="flex items-center gap-2 text-sm">
            <input type="radio" name="status" value="active" defaultChecked={(v.status ?? user.status) === 'active'} /> Active
          </label>
          <label className="flex items-center gap-2 text-sm">
            <input type="radio" name="status" value="disabled" defaultChecked={(v.status ?? user.status) === 'disabled'} /> Disabled — cannot sign in or use API tokens
          </label>
        </div>
        {isSelf && <p className="mt-1 text-xs text-slate-500">You cannot disable your own account.</p>}
        {e.status && (
          <p id={`${id}-status-error`} className="mt-1 text-xs font-medium text-red-700">
            {e.status}
          </p>
        )}
      </fieldset>
      <div className="flex items-center gap-3">
        <SubmitButton>Save changes</SubmitButton>
        <FormMessage state={state} />
      </div>
    </form>
  );
}

export function UnlockForm({ action }: { action: Action }) {
  const [state, formAction] = useActionState(action, null);
  return (
    <form action={formAction} className="flex flex-wrap items-center gap-3">
      <SubmitButton variant="secondary" pendingLabel="Unlocking…">
        Unlock account
      </SubmitButton>
      <FormMessage state={state} />
    </form>
  );
}

export function ResetPasswordForm({ action }: { action: Action }) {
  const formRef = useRef<HTMLFormElement>(null);
  const [state, formAction] = useActionState(async (previous: FormState, form: FormData) => {
    const next = await action(previous, form);
    if (next?.ok) formRef.current?.reset();
    return next;
  }, null);
  const id = useId();
  const e = state && !state.ok ? state.errors : {};
  return (
    <form ref={formRef} action={formAction} noValidate className="grid gap-4 sm:grid-cols-2" aria-label="Reset password">
      <Field id={`${id}-pw`} label="New password" required error={e.password} hint={`At least ${MIN_PASSWORD_LENGTH_HINT} characters.`}>
        <input name="password" type="password" required autoComplete="new-password" className={inputClass} {...fieldProps(`${id}-pw`, { error: e.password, hint: true })} />
      </Field>
      <Field id={`${id}-confirm`} label="Repeat the password" required error={e.confirm}>
        <input name="confirm" type="password" required autoComplete="new-password" className={inputClass} {...fieldProps(`${id}-confirm`, { error: e.confirm })} />
      </Field>
      <div className="flex items-center gap-3 sm:col-span-2">
        <SubmitButton variant="secondary">Set password</SubmitButton>
        <FormMessage state={state} />
      </div>
    </form>
  );
}
