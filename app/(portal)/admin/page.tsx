import type { Metadata } from 'next';
import Link from 'next/link';
import { forbidden } from 'next/navigation';
import { PageHeader } from '@/components/ui/PageHeader';
import { ADMIN_NAVIGATION, navigationFor } from '@/lib/auth/permissions';
import { requirePrincipal } from '../../_lib/session';

export const metadata: Metadata = { title: 'Admin' };

const DESCRIPTIONS: Record<string, string> = {
  '/admin/projects': 'Create projects, set owners and cost centres, manage members and quotas.',
  '/admin/users': 'Create local accounts, assign roles, disable accounts and clear lockouts.',
  '/admin/provider-accounts': 'Connect vSphere, AWS, Azure and GCP accounts and choose their regions.',
  '/admin/policies': 'Decide which requests are approved automatically and who approves the rest.',
  '/admin/catalog': 'Templates requesters order: sizes, provider mappings, leases, parameters and versions.',
  '/admin/price-book': 'Maintain the prices used for cost estimates and on-prem chargeback.',
  '/admin/audit': 'Every change, who made it and when.',
};

export default async function AdminPage() {
  const principal = await requirePrincipal();
  const items = navigationFor(principal, ADMIN_NAVIGATION);
  if (items.length === 0) forbidden();
  return (
    <>
      <PageHeader title="Administration" description="Set up who can use Skyport, where it provisions, and the rules it follows." />
      <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
        {items.map((item) => (
          <li key={item.href}>
            <Link
              href={item.href}
              className="group block h-full rounded-xl border border-slate-200 bg-surface p-5 shadow-sm transition hover:border-brand-500 hover:shadow"
            >
              <h2 className="font-semibold text-slate-900 group-hover:text-link">
                {item.label} <span aria-hidden>→</span>
              </h2>
              <p className="mt-1 text-sm text-slate-600">{DESCRIPTIONS[item.href] ?? ''}</p>
            </Link>
          </li>
        ))}
      </ul>
    </>
  );
}
