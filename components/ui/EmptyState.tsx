import Link from 'next/link';
import type { ReactNode } from 'react';

interface Props {
  title: string;
  /** Says what to do next. */
  children: ReactNode;
  action?: { href: string; label: string };
}

export function EmptyState({ title, children, action }: Props) {
  return (
    <div className="rounded-xl border border-dashed border-slate-300 bg-surface px-6 py-12 text-center">
      <h2 className="text-base font-semibold text-slate-900">{title}</h2>
      <div className="mx-auto mt-2 max-w-md text-sm text-slate-600">{children}</div>
      {action && (
        <Link href={action.href} className="mt-4 inline-block rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white hover:bg-brand-700">
          {action.label}
        </Link>
      )}
    </div>
  );
}
