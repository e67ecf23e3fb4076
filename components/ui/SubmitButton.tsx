'use client';

import type { ReactNode } from 'react';
import { useFormStatus } from 'react-dom';

const VARIANTS = {
  primary: 'bg-brand-600 text-white hover:bg-brand-700 disabled:bg-brand-500/60',
  secondary: 'border border-slate-300 bg-surface text-slate-800 hover:bg-slate-50 disabled:text-slate-400',
  danger: 'border border-red-300 bg-surface text-red-700 hover:bg-red-50 disabled:text-red-300',
} as const;

/** A submit button that shows progress and blocks double submits while its form's action runs. */
export function SubmitButton({
  children,
  pendingLabel,
  variant = 'primary',
  className = '',
  ...rest
}: {
  children: ReactNode;
  pendingLabel?: string;
  variant?: keyof typeof VARIANTS;
  className?: string;
  name?: string;
  value?: string;
  'aria-label'?: string;
}) {
  const { pending } = useFormStatus();
  return (
    <button
      type="submit"
      disabled={pending}
      aria-disabled={pending}
      className={`inline-flex items-center justify-center whitespace-nowrap rounded-md px-3 py-1.5 text-sm font-medium shadow-sm disabled:cursor-wait ${VARIANTS[variant]} ${className}`}
      {...rest}
    >
      {pending ? (pendingLabel ?? 'Saving…') : children}
    </button>
  );
}
