import type { ReactNode } from 'react';

/**
 * A responsive data table: scrolls sideways on small screens, with a caption for screen readers
 * (visible when `showCaption`). Use <Th> for column headers and <Td> for cells.
 */
export function Table({ caption, showCaption = false, children }: { caption: string; showCaption?: boolean; children: ReactNode }) {
  return (
    <div className="relative overflow-x-auto rounded-xl border border-slate-200 bg-surface shadow-sm">
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <caption className={showCaption ? 'px-4 py-3 text-left font-medium text-slate-700' : 'sr-only'}>{caption}</caption>
        {children}
      </table>
    </div>
  );
}

export function Th({ children, align = 'left' }: { children: ReactNode; align?: 'left' | 'right' }) {
  return (
    <th scope="col" className={`whitespace-nowrap bg-slate-50 px-4 py-2.5 text-xs font-semibold uppercase tracking-wide text-slate-600 ${align === 'right' ? 'text-right' : 'text-left'}`}>
      {children}
    </th>
  );
}

export function Td({ children, align = 'left', className = '' }: { children: ReactNode; align?: 'left' | 'right'; className?: string }) {
  return <td className={`px-4 py-2.5 align-top ${align === 'right' ? 'text-right tabular-nums' : ''} ${className}`}>{children}</td>;
}
