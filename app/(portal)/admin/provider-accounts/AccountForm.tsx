'use client';

import { useActionState } from 'react';
import type { FormField, ProviderFormSpec } from '@/lib/provider-accounts/form-fields';
import type { FormState } from '@/lib/validation/form-state';

interface Props {
  spec: ProviderFormSpec;
  action: (previous: FormState, form: FormData) => Promise<FormState>;
  mode: 'create' | 'edit';
  /** Current values on edit: name, description, enabled and settings as form strings. */
  initial?: { name: string; description: string; enabled: boolean; settings: Record<string, string> };
  /** Secret fields that have a stored value (edit). */
  storedSecrets?: string[];
}

const inputClass = 'mt-1 w-full rounded-md border border-slate-300 px-3 py-1.5 text-sm aria-[invalid=true]:border-red-500';

function ErrorText({ id, message }: { id: string; message?: string }) {
  return message ? (
    <p id={id} className="mt-1 text-xs text-red-700">
      {message}
    </p>
  ) : null;
}

function Field({ field, error, value, stored, mode }: { field: FormField; error?: string; value?: string; stored: boolean; mode: Props['mode'] }) {
  const id = `field-${field.control.replace('.', '-')}`;
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const hint =
    field.secret && mode === 'edit'
      ? stored
        ? 'Stored. Leave blank to keep the current value.'
        : 'Not set.'
      : field.input === 'list'
        ? 'Comma-separated.'
        : field.input === 'json'
          ? 'JSON object.'
          : field.description;
  const describedBy = [error ? errorId : null, hint ? hintId : null].filter(Boolean).join(' ') || undefined;
  const required = field.required && !(field.secret && mode === 'edit' && stored);
  const common = {
    id,
    name: field.control,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': describedBy,
    required,
  } as const;

  if (field.input === 'checkbox') {
    return (
      <div className="flex items-start gap-2 sm:col-span-2">
        <input type="checkbox" {...common} required={false} defaultChecked={value !== undefined ? value === 'true' : field.defaultChecked} className="mt-1" />
        <div>
          <label htmlFor={id} className="text-sm font-medium text-slate-800">
            {field.label}
          </label>
          {hint && <p id={hintId} className="text-xs text-slate-500">{hint}</p>}
          <ErrorText id={errorId} message={error} />
        </div>
      </div>
    );
  }

  const label = (
    <label htmlFor={id} className="block text-sm font-medium text-slate-800">
      {field.label}
      {required && <span className="text-red-700" aria-hidden> *</span>}
      {!field.required && <span className="font-normal text-slate-500"> (optional)</span>}
    </label>
  );
  let control;
  if (field.input === 'textarea' || field.input === 'json') {
    control = <textarea {...common} rows={field.input === 'json' ? 3 : 5} defaultValue={value} placeholder={field.placeholder} className={`${inputClass} font-mono text-xs`} />;
  } else if (field.input === 'select') {
    control = (
      <select {...common} defaultValue={value ?? ''} className={`${inputClass} bg-surface`}>
        {!field.required && <option value="">(default)</option>}
        {field.options?.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    );
  } else if (field.input === 'password') {
    // Secrets are never pre-filled: the browser must not get them back.
    control = <input {...common} type="password" autoComplete="new-password" spellCheck={false} className={`${inputClass} font-mono`} />;
  } else {
    control = (
      <input
        {...common}
        type={field.input === 'number' ? 'number' : field.input === 'url' ? 'url' : 'text'}
        defaultValue={value}
        placeholder={field.placeholder}
        spellCheck={false}
        className={inputClass}
      />
    );
  }
  return (
    <div className={field.input === 'textarea' || field.input === 'json' ? 'sm:col-span-2' : undefined}>
      {label}
      {control}
      {hint && <p id={hintId} className="mt-1 text-xs text-slate-500">{hint}</p>}
      <ErrorText id={errorId} message={error} />
    </div>
  );
}

export function AccountForm({ spec, action, mode, initial, storedSecrets = [] }: Props) {
  const [state, formAction, pending] = useActionState<FormState, FormData>(action, null);
  const errors = state && !state.ok ? state.errors : {};
  return (
    <form action={formAction} className="space-y-6" noValidate={false}>
      <input type="hidden" name="kind" value={spec.kind} />
      <div aria-live="polite">
        {state && (
          <p role={state.ok ? 'status' : 'alert'} className={`rounded-md px-3 py-2 text-sm ${state.ok ? 'bg-emerald-50 text-emerald-800' : 'bg-red-50 text-red-800'}`}>
            {state.message}
          </p>
        )}
      </div>
      <fieldset className="grid gap-4 sm:grid-cols-2">
        <legend className="mb-2 text-sm font-semibold text-slate-900">Account</legend>
        <div>
          <label htmlFor="account-name" className="block text-sm font-medium text-slate-800">
            Name<span className="text-red-700" aria-hidden> *</span>
          </label>
          <input
            id="account-name"
            name="name"
            required
            maxLength={100}
            defaultValue={initial?.name}
            aria-invalid={errors.name ? true : undefined}
            aria-describedby={errors.name ? 'account-name-error' : undefined}
            className={inputClass}
          />
          <ErrorText id="account-name-error" message={errors.name} />
        </div>
        <div>
          <label htmlFor="account-description" className="block text-sm font-medium text-slate-800">
            Description <span className="font-normal text-slate-500">(optional)</span>
          </label>
          <input id="account-description" name="description" maxLength={500} defaultValue={initial?.description} className={inputClass} />
        </div>
        <div className="flex items-center gap-2 sm:col-span-2">
          <input id="account-enabled" name="enabled" type="checkbox" defaultChecked={initial?.enabled ?? true} />
          <label htmlFor="account-enabled" className="text-sm text-slate-800">
            Enabled (offered for new requests)
          </label>
        </div>
      </fieldset>
      <fieldset className="grid gap-4 sm:grid-cols-2">
        <legend className="mb-2 text-sm font-semibold text-slate-900">{spec.label} connection settings</legend>
        {spec.settings.map((field) => (
          <Field key={field.control} field={field} error={errors[field.control]} value={initial?.settings[field.name]} stored={false} mode={mode} />
        ))}
      </fieldset>
      <fieldset className="grid gap-4 sm:grid-cols-2">
        <legend className="mb-2 text-sm font-semibold text-slate-900">Credentials</legend>
        <p className="text-xs text-slate-600 sm:col-span-2">Stored encrypted and never shown again, not even to administrators.</p>
        {spec.secrets.map((field) => (
          <Field key={field.control} field={field} error={errors[field.control]} stored={storedSecrets.includes(field.name)} mode={mode} />
        ))}
      </fieldset>
      <button type="submit" disabled={pending} className="rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white hover:bg-brand-700 disabled:opacity-60">
        {pending ? 'Saving…' : mode === 'create' ? 'Add account' : 'Save changes'}
      </button>
    </form>
  );
}
