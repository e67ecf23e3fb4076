import Link from 'next/link';
import { Fragment } from 'react';

/** "Admin / Projects / Web shop": links for the ancestors, plain text for the current page. */
export function Breadcrumb({ trail, current }: { trail: { href: string; label: string }[]; current: string }) {
  return (
    <nav aria-label="Breadcrumb" className="mb-2 text-sm text-slate-500">
      {trail.map((step) => (
        <Fragment key={step.href}>
          <Link href={step.href} className="hover:underline">
            {step.label}
          </Link>{' '}
          /{' '}
        </Fragment>
      ))}
      <span aria-current="page">{current}</span>
    </nav>
  );
}
