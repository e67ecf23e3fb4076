'use client';

import { useActionState, useId } from 'react';
import { Field, fieldProps, inputClass } from '@/components/ui/Field';
import { FormMessage } from '@/components/ui/FormMessage';
import { SubmitButton } from '@/components/ui/SubmitButton';
import type { FormState } from '@/lib/validation/form-state';

type Action = (previous: FormState, form: FormData) => Promise<FormState>;

// inputClass is full-width; the inline price input is a fixed narrow box (no conflicting w-* utilities).
const PRICE_INPUT_CLASS =
  'block w-28 rounded-md border border-slate-300 bg-surface px-2 py-1 text-right text-sm tabular-nums shadow-sm focus:border-brand-500 aria-[invalid=true]:border-red-500 aria-[invalid=true]:bg-red-50/40';

/** Inline edit of one rate's unit price (a row of the rates table). */
export function RatePriceForm({ action, unitPrice, label }: { action: Action; unitPrice: string; label: string }) {
  const [state, formAction] = useActionState(action, null);
  const id = useId();
  const error = state && !state.ok ? (state.errors.unitPrice ?? state.message) : undefined;
  return (
    <form action={formAction} className="flex flex-wrap items-start justify-end gap-2">
      <div>
        <label htmlFor={id} className="sr-only">Unit price of {label}</label>
        <input
          name="unitPrice"
          defaultValue={state && !state.ok ? (state.values?.unitPrice ?? unitPrice) : unitPrice}
          inputMode="decimal"
          className={PRICE_INPUT_CLASS}
          {...fieldProps(id, { error })}
        />
        {error && <p id={`${id}-error`} className="mt-1 max-w-48 text-xs text-red-700">{error}</p>}
      </div>
      <SubmitButton variant="secondary" pendingLabel="…" aria-label={`Save price of ${label}`}>Save</SubmitButton>
      {state?.ok && <span role="status" className="sr-only">{state.message}</span>}
    </form>
  );
}

/** A one-button form (delete, enable/disable) with its outcome announced. */
export function ActionButton({ action, label, pendingLabel, variant = 'secondary', ariaLabel }: { action: Action; label: string; pendingLabel: string; variant?: 'secondary' | 'danger'; ariaLabel?: string }) {
  const [state, formAction] = useActionState(action, null);
  return (
    <form action={formAction} className="inline-flex items-center gap-2">
      <SubmitButton variant={variant} pendingLabel={pendingLabel} aria-label={ariaLabel}>{label}</SubmitButton>
      {state && !state.ok && <span role="status" className="text-xs text-red-700">{state.message}</span>}
    </form>
  );
}

/** Provider kinds and labels, passed from the server (the one list in lib/catalog/listing.ts). */
export type ProviderOptions = { kind: string; label: string }[];

export function AddRateForm({ action, providers }: { action: Action; providers: ProviderOptions }) {
  const [state, formAction] = useActionState(action, null);
  const id = useId();
  const e = state && !state.ok ? state.errors : {};
  return (
    <form action={formAction} noValidate className="grid gap-3 sm:grid-cols-6 sm:items-end" aria-label="Add a rate">
      <Field id={`${id}-kind`} label="Provider" error={e.providerKind}>
        <select name="providerKind" className={inputClass} {...fieldProps(`${id}-kind`, { error: e.providerKind })}>
          {providers.map((p) => <option key={p.kind} value={p.kind}>{p.label}</option>)}
        </select>
      </Field>
      <Field id={`${id}-sku`} label="SKU" error={e.sku} className="sm:col-span-2">
        <input name="sku" placeholder="t3.large, vcpu, disk-gib…" className={inputClass} {...fieldProps(`${id}-sku`, { error: e.sku })} />
      </Field>
      <Field id={`${id}-region`} label="Region" error={e.regionCode}>
        <input name="regionCode" defaultValue="*" className={inputClass} {...fieldProps(`${id}-region`, { error: e.regionCode })} />
      </Field>
      <Field id={`${id}-unit`} label="Unit" error={e.unit}>
        <select name="unit" className={inputClass} {...fieldProps(`${id}-unit`, { error: e.unit })}>
          <option value="hour">per hour</option>
          <option value="month">per month</option>
        </select>
      </Field>
      <Field id={`${id}-price`} label="Unit price" error={e.unitPrice}>
        <input name="unitPrice" inputMode="decimal" placeholder="0.0832" className={inputClass} {...fieldProps(`${id}-price`, { error: e.unitPrice })} />
      </Field>
      <div className="flex flex-wrap items-center gap-3 sm:col-span-6">
        <SubmitButton pendingLabel="Saving…">Add rate</SubmitButton>
        <FormMessage state={state} />
      </div>
    </form>
  );
}

/** CSV upload; a rejected file shows every row error (row, column, value, why) and imports nothing. */
export function ImportForm({ action }: { action: Action }) {
  const [state, formAction] = useActionState(action, null);
  const id = useId();
  const rowErrors =
    state && !state.ok
      ? Object.entries(state.errors)
          .filter(([key]) => key.startsWith('file/'))
          .map(([key, message]) => {
            const [, row, column] = key.split('/');
            return { row: row ?? '', column: column ?? '', message };
          })
      : [];
  const fileError = state && !state.ok ? state.errors.file : undefined;
  return (
    <form action={formAction} className="space-y-3" aria-label="Import prices from CSV">
      <Field id={`${id}-file`} label="CSV file" error={fileError} hint="Columns: provider, region (* = all), sku, unit (hour|month), unitPrice. The header is row 1.">
        <input type="file" name="file" accept=".csv,text/csv" className="mt-1 block w-full text-sm" {...fieldProps(`${id}-file`, { error: fileError, hint: true })} />
      </Field>
      <fieldset className="flex flex-wrap gap-4 text-sm">
        <legend className="sr-only">Import mode</legend>
        <label className="flex items-center gap-2"><input type="radio" name="mode" value="merge" defaultChecked /> Add and update rates</label>
        <label className="flex items-center gap-2"><input type="radio" name="mode" value="replace" /> Replace the whole book</label>
      </fieldset>
      <div className="flex flex-wrap items-center gap-3">
        <SubmitButton pendingLabel="Checking and importing…">Import</SubmitButton>
        <FormMessage state={state} />
      </div>
      {rowErrors.length > 0 && (
        <div className="overflow-x-auto rounded-lg border border-red-200">
          <table className="min-w-full text-sm">
            <caption className="bg-red-50 px-3 py-2 text-left font-medium text-red-800">Nothing was imported. Fix these rows and upload again.</caption>
            <thead className="text-left text-xs uppercase text-slate-600">
              <tr><th scope="col" className="px-3 py-1.5">Row</th><th scope="col" className="px-3 py-1.5">Column</th><th scope="col" className="px-3 py-1.5">Problem</th></tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {rowErrors.map((r) => (
                <tr key={`${r.row}-${r.column}`}>
                  <td className="px-3 py-1.5 tabular-nums">{r.row}</td>
                  <td className="px-3 py-1.5"><code>{r.column}</code></td>
                  <td className="px-3 py-1.5">{r.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </form>
  );
}

export function RuleForm({ action, projects, providers }: { action: Action; projects: { id: string; name: string }[]; providers: ProviderOptions }) {
  const [state, formAction] = useActionState(action, null);
  const id = useId();
  const e = state && !state.ok ? state.errors : {};
  return (
    <form action={formAction} noValidate className="grid gap-3 sm:grid-cols-5 sm:items-end" aria-label="Add a price rule">
      <Field id={`${id}-name`} label="Name" error={e.name} className="sm:col-span-2">
        <input name="name" placeholder="Support surcharge" className={inputClass} {...fieldProps(`${id}-name`, { error: e.name })} />
      </Field>
      <Field id={`${id}-adj`} label="Adjustment" error={e.adjustment}>
        <select name="adjustment" className={inputClass} {...fieldProps(`${id}-adj`, { error: e.adjustment })}>
          <option value="markup">Markup</option>
          <option value="discount">Discount</option>
        </select>
      </Field>
      <Field id={`${id}-pct`} label="Percent" error={e.percent}>
        <input name="percent" inputMode="decimal" placeholder="10" className={inputClass} {...fieldProps(`${id}-pct`, { error: e.percent })} />
      </Field>
      <Field id={`${id}-kind`} label="Provider" error={e.providerKind}>
        <select name="providerKind" className={inputClass} {...fieldProps(`${id}-kind`, { error: e.providerKind })}>
          <option value="">Every provider</option>
          {providers.map((p) => <option key={p.kind} value={p.kind}>{p.label}</option>)}
        </select>
      </Field>
      <Field id={`${id}-project`} label="Project" error={e.projectId} className="sm:col-span-2">
        <select name="projectId" className={inputClass} {...fieldProps(`${id}-project`, { error: e.projectId })}>
          <option value="">Every project</option>
          {projects.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
        </select>
      </Field>
      <div className="flex flex-wrap items-center gap-3 sm:col-span-3">
        <SubmitButton pendingLabel="Saving…">Add rule</SubmitButton>
        <FormMessage state={state} />
      </div>
    </form>
  );
}
