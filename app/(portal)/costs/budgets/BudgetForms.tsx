'use client';

import { useActionState, useId } from 'react';
import { Field, fieldProps, inputClass } from '@/components/ui/Field';
import { FormMessage } from '@/components/ui/FormMessage';
import { SubmitButton } from '@/components/ui/SubmitButton';
import type { FormState } from '@/lib/validation/form-state';

type Action = (previous: FormState, form: FormData) => Promise<FormState>;

export function CreateBudgetForm({ action, projects, providers }: { action: Action; projects: { id: string; name: string }[]; providers: { kind: string; label: string }[] }) {
  const [state, formAction] = useActionState(action, null);
  const id = useId();
  const e = state && !state.ok ? state.errors : {};
  const v = state && !state.ok ? (state.values ?? {}) : {};
  return (
    <form action={formAction} noValidate className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3" aria-label="New budget">
      <Field id={`${id}-name`} label="Name" required error={e.name}>
        <input name="name" required defaultValue={v.name} className={inputClass} {...fieldProps(`${id}-name`, { error: e.name })} />
      </Field>
      <Field id={`${id}-project`} label="Project" required error={e.projectId}>
        <select name="projectId" required defaultValue={v.projectId ?? ''} className={inputClass} {...fieldProps(`${id}-project`, { error: e.projectId })}>
          <option value="" disabled>Choose a project…</option>
          {projects.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
        </select>
      </Field>
      <Field id={`${id}-provider`} label="Provider" error={e.providerKind} hint="Empty = all providers.">
        <select name="providerKind" defaultValue={v.providerKind ?? ''} className={inputClass} {...fieldProps(`${id}-provider`, { error: e.providerKind, hint: true })}>
          <option value="">All providers</option>
          {providers.map((p) => <option key={p.kind} value={p.kind}>{p.label}</option>)}
        </select>
      </Field>
      <Field id={`${id}-amount`} label="Monthly amount" required error={e.amount}>
        <input name="amount" required inputMode="decimal" defaultValue={v.amount} className={inputClass} {...fieldProps(`${id}-amount`, { error: e.amount })} />
      </Field>
      <Field id={`${id}-currency`} label="Currency" required error={e.currency}>
        <input name="currency" required maxLength={3} defaultValue={v.currency ?? 'USD'} className={inputClass} {...fieldProps(`${id}-currency`, { error: e.currency })} />
      </Field>
      <fieldset className="text-sm">
        <legend className="font-medium text-slate-800">Alert at (% of actual and of forecast)</legend>
        <div className="mt-2 flex gap-4">
          {[50, 80, 100].map((t) => (
            <label key={t} className="flex items-center gap-1">
              <input type="checkbox" name="alertThresholds" value={t} defaultChecked /> {t}%
            </label>
          ))}
        </div>
        {e.alertThresholds && <p className="mt-1 text-xs font-medium text-red-700">{e.alertThresholds}</p>}
      </fieldset>
      <div className="flex items-center gap-3 sm:col-span-2 lg:col-span-3">
        <SubmitButton pendingLabel="Creating…">Create budget</SubmitButton>
        <FormMessage state={state} />
      </div>
    </form>
  );
}

export function BudgetAmountForm({ action, amount, label }: { action: Action; amount: string; label: string }) {
  const [state, formAction] = useActionState(action, null);
  const id = useId();
  const error = state && !state.ok ? state.errors.amount : undefined;
  return (
    <form action={formAction} noValidate className="flex flex-wrap items-center gap-2" aria-label={`Amount of ${label}`}>
      <label htmlFor={`${id}-amount`} className="sr-only">Monthly amount of {label}</label>
      <input id={`${id}-amount`} name="amount" defaultValue={amount} inputMode="decimal" className="w-28 rounded-md border border-slate-300 bg-surface px-2 py-1 text-sm" aria-invalid={error ? true : undefined} />
      <SubmitButton variant="secondary" pendingLabel="Saving…">Save</SubmitButton>
      <FormMessage state={state} />
    </form>
  );
}
