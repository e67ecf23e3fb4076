'use client';

import { useActionState, useId } from 'react';
import { Field, fieldProps, inputClass } from '@/components/ui/Field';
import { FormMessage } from '@/components/ui/FormMessage';
import { SubmitButton } from '@/components/ui/SubmitButton';
import { PROJECT_ROLES, type ProjectRoleName } from '@/lib/projects/schemas';
import type { FormState } from '@/lib/validation/form-state';

type Action = (previous: FormState, form: FormData) => Promise<FormState>;
interface UserOption {
  id: string;
  name: string;
  email: string;
}

const ROLE_HINTS: Record<ProjectRoleName, string> = {
  member: 'can request resources',
  approver: 'can also approve requests',
  owner: 'can also manage members',
};

function OwnerSelect({ id, users, error, defaultValue }: { id: string; users: UserOption[]; error?: string; defaultValue?: string }) {
  return (
    <Field id={id} label="Owner" required error={error} hint="Accountable for the project; becomes a member with the owner role.">
      <select name="ownerId" required defaultValue={defaultValue ?? ''} className={inputClass} {...fieldProps(id, { error, hint: true })}>
        <option value="" disabled>
          Choose a user…
        </option>
        {users.map((u) => (
          <option key={u.id} value={u.id}>
            {u.name} ({u.email})
          </option>
        ))}
      </select>
    </Field>
  );
}

export function CreateProjectForm({ action, users }: { action: Action; users: UserOption[] }) {
  const [state, formAction] = useActionState(action, null);
  const id = useId();
  const e = state && !state.ok ? state.errors : {};
  const v = state && !state.ok ? (state.values ?? {}) : {};
  return (
    <form action={formAction} noValidate className="space-y-4" aria-label="New project">
      <Field id={`${id}-key`} label="Key" required error={e.key} hint='Short, unique and permanent, e.g. "web-shop". Used in tags and URLs.'>
        <input name="key" required autoComplete="off" defaultValue={v.key} pattern="[a-z0-9]+(-[a-z0-9]+)*" className={inputClass} {...fieldProps(`${id}-key`, { error: e.key, hint: true })} />
      </Field>
      <Field id={`${id}-name`} label="Name" required error={e.name}>
        <input name="name" required defaultValue={v.name} className={inputClass} {...fieldProps(`${id}-name`, { error: e.name })} />
      </Field>
      <Field id={`${id}-cc`} label="Cost centre" required error={e.costCentre} hint="Charged for the project's spend, e.g. CC-1001.">
        <input name="costCentre" required defaultValue={v.costCentre} className={inputClass} {...fieldProps(`${id}-cc`, { error: e.costCentre, hint: true })} />
      </Field>
      <OwnerSelect id={`${id}-owner`} users={users} error={e.ownerId} defaultValue={v.ownerId} />
      <Field id={`${id}-desc`} label="Description" error={e.description}>
        <textarea name="description" rows={3} defaultValue={v.description} className={inputClass} {...fieldProps(`${id}-desc`, { error: e.description })} />
      </Field>
      <div className="flex items-center gap-3">
        <SubmitButton pendingLabel="Creating…">Create project</SubmitButton>
        <FormMessage state={state} />
      </div>
    </form>
  );
}

export function EditProjectForm({
  action,
  users,
  project,
}: {
  action: Action;
  users: UserOption[];
  project: { key: string; name: string; description: string; costCentre: string; ownerId: string; maxLeaseDays: number | null };
}) {
  const [state, formAction] = useActionState(action, null);
  const id = useId();
  const e = state && !state.ok ? state.errors : {};
  const v = state && !state.ok ? (state.values ?? {}) : {};
  return (
    <form action={formAction} noValidate className="grid gap-4 sm:grid-cols-2" aria-label="Project details">
      <Field id={`${id}-key`} label="Key" hint="The key is permanent.">
        <input value={project.key} readOnly disabled className={`${inputClass} bg-slate-100 text-slate-600`} {...fieldProps(`${id}-key`, { hint: true })} />
      </Field>
      <Field id={`${id}-name`} label="Name" required error={e.name}>
        <input name="name" required defaultValue={v.name ?? project.name} className={inputClass} {...fieldProps(`${id}-name`, { error: e.name })} />
      </Field>
      <Field id={`${id}-cc`} label="Cost centre" required error={e.costCentre}>
        <input name="costCentre" required defaultValue={v.costCentre ?? project.costCentre} className={inputClass} {...fieldProps(`${id}-cc`, { error: e.costCentre })} />
      </Field>
      <OwnerSelect id={`${id}-owner`} users={users} error={e.ownerId} defaultValue={v.ownerId ?? project.ownerId} />
      <Field id={`${id}-lease`} label="Maximum lease (days)" error={e.maxLeaseDays} hint="Empty = no project limit. The smaller of this and the template's maximum applies; longer extensions need approval.">
        <input
          name="maxLeaseDays"
          type="number"
          min={1}
          max={3650}
          inputMode="numeric"
          defaultValue={v.maxLeaseDays ?? (project.maxLeaseDays === null ? '' : String(project.maxLeaseDays))}
          className={inputClass}
          {...fieldProps(`${id}-lease`, { error: e.maxLeaseDays, hint: true })}
        />
      </Field>
      <Field id={`${id}-desc`} label="Description" error={e.description} className="sm:col-span-2">
        <textarea name="description" rows={3} defaultValue={v.description ?? project.description} className={inputClass} {...fieldProps(`${id}-desc`, { error: e.description })} />
      </Field>
      <div className="flex items-center gap-3 sm:col-span-2">
        <SubmitButton>Save changes</SubmitButton>
        <FormMessage state={state} />
      </div>
    </form>
  );
}

export function ArchiveForm({ action, archived }: { action: Action; archived: boolean }) {
  const [state, formAction] = useActionState(action, null);
  return (
    <form
      action={formAction}
      className="flex items-center gap-3"
      onSubmit={(event) => {
        if (!archived && !window.confirm('Archive this project? Members keep their history, but it disappears from lists.')) event.preventDefault();
      }}
    >
      <SubmitButton variant={archived ? 'secondary' : 'danger'} pendingLabel={archived ? 'Restoring…' : 'Archiving…'}>
        {archived ? 'Restore project' : 'Archive project'}
      </SubmitButton>
      <FormMessage state={state} />
    </form>
  );
}

export function AddMemberForm({ action, candidates }: { action: Action; candidates: UserOption[] }) {
  const [state, formAction] = useActionState(action, null);
  const id = useId();
  const e = state && !state.ok ? state.errors : {};
  const v = state && !state.ok ? (state.values ?? {}) : {};
  if (candidates.length === 0) {
    return <p className="text-sm text-slate-600">Every active user is already a member. Create more users under Admin → Users.</p>;
  }
  return (
    <form action={formAction} noValidate className="flex flex-wrap items-end gap-3" aria-label="Add member">
      <Field id={`${id}-user`} label="User" required error={e.userId ?? e.email} className="min-w-64 flex-1">
        <select name="userId" required defaultValue={v.userId ?? ''} className={inputClass} {...fieldProps(`${id}-user`, { error: e.userId ?? e.email })}>
          <option value="" disabled>
            Choose a user…
          </option>
          {candidates.map((u) => (
            <option key={u.id} value={u.id}>
              {u.name} ({u.email})
            </option>
          ))}
        </select>
      </Field>
      <Field id={`${id}-role`} label="Role" error={e.role}>
        <select name="role" defaultValue={v.role ?? 'member'} className={inputClass} {...fieldProps(`${id}-role`, { error: e.role })}>
          {PROJECT_ROLES.map((r) => (
            <option key={r} value={r}>
              {r} — {ROLE_HINTS[r]}
            </option>
          ))}
        </select>
      </Field>
      <SubmitButton pendingLabel="Adding…">Add member</SubmitButton>
      <div className="w-full">
        <FormMessage state={state} />
      </div>
    </form>
  );
}

export function MemberRoleForm({ action, role, name, locked }: { action: Action; role: ProjectRoleName; name: string; locked: boolean }) {
  const [state, formAction] = useActionState(action, null);
  const id = useId();
  const error = state && !state.ok ? (state.errors.role ?? state.message) : undefined;
  const selected = state && !state.ok ? (state.values?.role ?? role) : role;
  return (
    <form action={formAction} className="flex flex-wrap items-center gap-2">
      <label htmlFor={id} className="sr-only">
        Role of {name}
      </label>
      <select
        id={id}
        name="role"
        defaultValue={selected}
        disabled={locked}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        className="rounded-md border border-slate-300 bg-surface px-2 py-1 text-sm disabled:bg-slate-100"
      >
        {PROJECT_ROLES.map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </select>
      {!locked && (
        <SubmitButton variant="secondary" aria-label={`Save role of ${name}`}>
          Save
        </SubmitButton>
      )}
      {error ? (
        <span id={`${id}-error`} role="alert" className="text-xs text-red-700">
          {error}
        </span>
      ) : state?.ok ? (
        <span role="status" className="text-xs text-emerald-700">
          Saved
        </span>
      ) : null}
    </form>
  );
}

export function RemoveMemberForm({ action, name }: { action: Action; name: string }) {
  const [state, formAction] = useActionState(action, null);
  return (
    <form
      action={formAction}
      onSubmit={(event) => {
        if (!window.confirm(`Remove ${name} from this project?`)) event.preventDefault();
      }}
      className="flex items-center justify-end gap-2"
    >
      <SubmitButton variant="danger" pendingLabel="Removing…" aria-label={`Remove ${name}`}>
        Remove
      </SubmitButton>
      {state && !state.ok ? (
        <span role="alert" className="text-xs text-red-700">
          {state.message}
        </span>
      ) : null}
    </form>
  );
}

interface QuotaValues {
  maxInstances: number | null;
  maxVcpus: number | null;
  maxMemoryMiB: number | null;
  maxDiskGiB: number | null;
}

export function QuotaForm({
  action,
  title,
  quota,
  providerKind,
  kindChoices,
}: {
  action: Action;
  title: string;
  quota: QuotaValues | null;
  /** Fixed provider kind ('' = all providers); omit to let the user choose from kindChoices. */
  providerKind?: string;
  kindChoices?: readonly string[];
}) {
  const [state, formAction] = useActionState(action, null);
  const id = useId();
  const e = state && !state.ok ? state.errors : {};
  const v = state && !state.ok ? (state.values ?? {}) : {};
  const number = (name: keyof QuotaValues | 'maxMemoryGiB', label: string, value: number | null, unit?: string) => (
    <Field id={`${id}-${name}`} label={unit ? `${label} (${unit})` : label} error={e[name]}>
      <input
        type="number"
        name={name}
        min={0}
        step={name === 'maxMemoryGiB' ? 'any' : 1}
        inputMode="numeric"
        defaultValue={v[name] ?? value ?? ''}
        placeholder="Unlimited"
        className={inputClass}
        {...fieldProps(`${id}-${name}`, { error: e[name] })}
      />
    </Field>
  );
  return (
    <form action={formAction} noValidate aria-label={title} className="rounded-lg border border-slate-200 p-4">
      <h3 className="text-sm font-semibold text-slate-900">{title}</h3>
      {providerKind !== undefined ? (
        <input type="hidden" name="providerKind" value={providerKind} />
      ) : (
        <Field id={`${id}-kind`} label="Provider" required error={e.providerKind} className="mt-3 max-w-xs">
          <select name="providerKind" required defaultValue={v.providerKind ?? ''} className={inputClass} {...fieldProps(`${id}-kind`, { error: e.providerKind })}>
            <option value="" disabled>
              Choose a provider…
            </option>
            {(kindChoices ?? []).map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </Field>
      )}
      <div className="mt-3 grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
        {number('maxInstances', 'Max instances', quota?.maxInstances ?? null)}
        {number('maxVcpus', 'Max vCPUs', quota?.maxVcpus ?? null)}
        {number('maxMemoryGiB', 'Max memory', quota?.maxMemoryMiB != null ? quota.maxMemoryMiB / 1024 : null, 'GiB')}
        {number('maxDiskGiB', 'Max disk', quota?.maxDiskGiB ?? null, 'GiB')}
      </div>
      <p className="mt-2 text-xs text-slate-500">Leave a limit empty for no limit. Emptying every limit removes this quota.</p>
      <div className="mt-3 flex items-center gap-3">
        <SubmitButton variant="secondary">Save quota</SubmitButton>
        <FormMessage state={state} />
      </div>
    </form>
  );
}
