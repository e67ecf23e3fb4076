'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useEffect, useState } from 'react';

/**
 * The main navigation: inline from the md breakpoint, behind a "Menu" disclosure button below it so
 * every entry stays reachable at 390 px instead of wrapping off-screen.
 */
export function NavLinks({ items }: { items: { href: string; label: string }[] }) {
  const pathname = usePathname();
  const [open, setOpen] = useState(false);
  useEffect(() => setOpen(false), [pathname]);
  const current = items.find((item) => pathname === item.href || pathname.startsWith(`${item.href}/`));
  return (
    <>
      <button
        type="button"
        className="flex items-center gap-2 rounded-md border border-white/30 px-3 py-1.5 text-sm md:hidden"
        aria-expanded={open}
        aria-controls="main-nav-list"
        onClick={() => setOpen((v) => !v)}
      >
        <span aria-hidden>☰</span> Menu{current ? <span className="text-brand-100">· {current.label}</span> : null}
      </button>
      <ul id="main-nav-list" className={`${open ? 'mt-2 flex' : 'hidden'} flex-col gap-1 md:mt-0 md:flex md:flex-row`}>
        {items.map((item) => {
          const active = item === current;
          return (
            <li key={item.href}>
              <Link
                href={item.href}
                aria-current={active ? 'page' : undefined}
                className={`block whitespace-nowrap rounded-md px-3 py-1.5 text-sm ${active ? 'bg-white/15 font-medium' : 'text-brand-100 hover:bg-white/10 hover:text-white'}`}
              >
                {item.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </>
  );
}
