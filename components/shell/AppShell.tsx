import Link from 'next/link';
import type { ReactNode } from 'react';
import { NavLinks } from './NavLinks';
import { NotificationBell } from './NotificationBell';
import { SignOutButton } from './SignOutButton';
import type { Theme } from './theme';
import { ThemeToggle } from './ThemeToggle';

interface Props {
  user: { name: string; email: string; roles: string[] };
  navigation: { href: string; label: string }[];
  theme: Theme;
  children: ReactNode;
}

export function AppShell({ user, navigation, theme, children }: Props) {
  return (
    <div className="flex min-h-screen flex-col">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-surface focus:px-3 focus:py-2">
        Skip to content
      </a>
      <header className="bg-brand-900 text-white">
        <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3">
          <Link href="/catalog" className="flex items-center gap-2 font-semibold">
            <span aria-hidden className="grid h-7 w-7 place-items-center rounded-md bg-brand-500 text-sm">S</span>
            Skyport
          </Link>
          <nav aria-label="Main" className="order-3 w-full overflow-x-auto md:order-none md:w-auto md:flex-1">
            <NavLinks items={navigation} />
          </nav>
          <div className="ml-auto flex items-center gap-3 text-sm">
            <Link href="/profile" className="text-right leading-tight hover:underline">
              <span className="block font-medium">{user.name}</span>
              <span className="block text-xs text-brand-100" data-testid="user-roles">{user.roles.join(' · ')}</span>
            </Link>
            <NotificationBell />
            <ThemeToggle initial={theme} />
            <SignOutButton />
          </div>
        </div>
      </header>
      <main id="main" className="mx-auto w-full max-w-7xl flex-1 px-4 py-6">{children}</main>
      <footer className="border-t border-slate-200 py-4 text-center text-xs text-slate-600">
        Skyport · <a className="underline" href="/api/v1/openapi.json">API (OpenAPI)</a>
      </footer>
    </div>
  );
}
