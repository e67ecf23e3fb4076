import type { Metadata } from 'next';
import { cookies } from 'next/headers';
import type { ReactNode } from 'react';
import { parseTheme, THEME_COOKIE, themeClass } from '@/components/shell/theme';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Skyport', template: '%s · Skyport' },
  description: 'Self-service cloud broker: request VMs on VMware, AWS, Azure and GCP with governance and cost control.',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const theme = parseTheme((await cookies()).get(THEME_COOKIE)?.value);
  return (
    <html lang="en" className={themeClass(theme)}>
      <body className="min-h-screen">{children}</body>
    </html>
  );
}
