import type { ReactNode } from 'react';

/** ids and aria attributes that tie a control to its label, hint and error message. */
export function fieldProps(id: string, { error, hint }: { error?: string; hint?: ReactNode } = {}) {
  const describedBy = [error ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(' ');
  return { id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy || undefined } as const;
}

export const inputClass =
  'mt-1 block w-full rounded-md border border-slate-300 bg-surface px-3 py-1.5 text-sm shadow-sm focus:border-brand-500 aria-[invalid=true]:border-red-500 aria-[invalid=true]:bg-red-50/40';

interface Props {
  id: string;
  label: ReactNode;
  error?: string;
  hint?: ReactNode;
  required?: boolean;
  className?: string;
  /** The control; give it `{...fieldProps(id, { error, hint })}`. */
  children: ReactNode;
}

/** A labelled form field with an optional hint and a field-level error message. */
export function Field({ id, label, error, hint, required, className, children }: Props) {
  return (
    <div className={className}>
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
        {required ? (
          <span className="text-red-700" aria-hidden>
            {' '}*
          </span>
        ) : null}
      </label>
      {children}
      {hint ? (
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-500">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} className="mt-1 text-xs font-medium text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}
