'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';

export function NavLinks({ items }: { items: { href: string; label: string }[] }) {
  const pathname = usePathname();
  return (
    <ul className="flex gap-1">
      {items.map((item) => {
        const active = pathname === item.href || pathname.startsWith(`${item.href}/`);
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
  );
}
