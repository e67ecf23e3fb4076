import { cookies } from 'next/headers';
import type { ReactNode } from 'react';
import { AppShell } from '@/components/shell/AppShell';
import { parseTheme, THEME_COOKIE } from '@/components/shell/theme';
import { navigationFor } from '@/lib/auth/permissions';
import { requirePrincipal } from '../_lib/session';

export const dynamic = 'force-dynamic';

export default async function PortalLayout({ children }: { children: ReactNode }) {
  const principal = await requirePrincipal();
  return (
    <AppShell
      user={{ name: principal.name, email: principal.email, roles: principal.roles }}
      navigation={navigationFor(principal).map(({ href, label }) => ({ href, label }))}
      theme={parseTheme((await cookies()).get(THEME_COOKIE)?.value)}
    >
      {children}
    </AppShell>
  );
}
