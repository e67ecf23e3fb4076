import type { ReactNode } from 'react';
import { AppShell } from '@/components/shell/AppShell';
import { navigationFor } from '@/lib/auth/permissions';
import { requirePrincipal } from '../_lib/session';

export const dynamic = 'force-dynamic';

export default async function PortalLayout({ children }: { children: ReactNode }) {
  const principal = await requirePrincipal();
  return (
    <AppShell
      user={{ name: principal.name, email: principal.email, roles: principal.roles }}
      navigation={navigationFor(principal).map(({ href, label }) => ({ href, label }))}
    >
      {children}
    </AppShell>
  );
}
