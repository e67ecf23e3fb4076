import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Skyport', template: '%s · Skyport' },
  description: 'Self-service cloud broker: request VMs on VMware, AWS, Azure and GCP with governance and cost control.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen">{children}</body>
    </html>
  );
}
