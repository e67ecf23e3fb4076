'use client';

import { useActionState } from 'react';
import { FormMessage } from '@/components/ui/FormMessage';
import { SubmitButton } from '@/components/ui/SubmitButton';
import type { FormState } from '@/lib/validation/form-state';

type Action = (previous: FormState, form: FormData) => Promise<FormState>;
const selectClass = 'mt-1 block w-full rounded-md border border-slate-300 bg-surface px-2.5 py-1.5 text-sm';

/** A labelled required <select> with an empty first choice and its field error. */
function RequiredSelect({ id, name, label, placeholder, options, error }: { id: string; name: string; label: string; placeholder: string; options: { value: string; label: string }[]; error?: string }) {
  return (
    <div>
      <label htmlFor={id} className="text-sm font-medium">
        {label}
      </label>
      <select id={id} name={name} required className={selectClass} aria-invalid={Boolean(error)} aria-describedby={error ? `${id}-error` : undefined}>
        <option value="">{placeholder}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {error && <p id={`${id}-error`} className="mt-1 text-xs text-red-700">{error}</p>}
    </div>
  );
}

export function ClaimForm({ vmId, action, projects, users }: { vmId: string; action: Action; projects: { id: string; name: string }[]; users: { id: string; label: string }[] }) {
  const [state, formAction] = useActionState(action, null);
  const errors = state && !state.ok ? state.errors : {};
  return (
    <form action={formAction} className="space-y-3" aria-label="Claim this VM">
      <input type="hidden" name="vmId" value={vmId} />
      <RequiredSelect id="claim-project" name="projectId" label="Project" placeholder="Choose a project" options={projects.map((p) => ({ value: p.id, label: p.name }))} error={errors.projectId} />
      <RequiredSelect id="claim-owner" name="ownerId" label="Owner" placeholder="Choose an owner" options={users.map((u) => ({ value: u.id, label: u.label }))} error={errors.ownerId} />
      <SubmitButton pendingLabel="Writing tags to the provider…">Claim VM</SubmitButton>
      <FormMessage state={state} />
    </form>
  );
}

export function ReapplyTagsForm({ vmId, action }: { vmId: string; action: Action }) {
  const [state, formAction] = useActionState(action, null);
  return (
    <form action={formAction} className="space-y-2">
      <input type="hidden" name="vmId" value={vmId} />
      <SubmitButton variant="secondary" pendingLabel="Writing tags…">
        Re-apply Skyport tags
      </SubmitButton>
      <FormMessage state={state} />
    </form>
  );
}
