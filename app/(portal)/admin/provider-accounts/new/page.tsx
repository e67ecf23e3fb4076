import '@/providers/all';
import type { Metadata } from 'next';
import Link from 'next/link';
import { Breadcrumb } from '@/components/ui/Breadcrumb';
import { PageHeader } from '@/components/ui/PageHeader';
import { providerFormSpec } from '@/lib/provider-accounts/form-fields';
import { providerModules } from '@/providers/registry';
import { requirePrincipal } from '../../../../_lib/session';
import { createAccountAction } from '../actions';
import { AccountForm } from '../AccountForm';

export const metadata: Metadata = { title: 'Add provider account' };

export default async function NewProviderAccountPage({ searchParams }: { searchParams: Promise<{ kind?: string }> }) {
  await requirePrincipal('admin:provider-accounts');
  const { kind } = await searchParams;
  const modules = [...providerModules()].sort((a, b) => a.label.localeCompare(b.label));
  const selected = modules.find((m) => m.kind === kind) ?? modules[0];

  return (
    <>
      <Breadcrumb trail={[{ href: '/admin', label: 'Admin' }, { href: '/admin/provider-accounts', label: 'Provider accounts' }]} current="Add account" />
      <PageHeader title="Add provider account" description="Connect a cloud or vCenter. After saving, test the connection to discover its regions." />
      <p className="mb-4 text-sm">
        <Link href="/admin/provider-accounts" className="text-link underline">
          ← All provider accounts
        </Link>
      </p>
      {!selected ? (
        <p className="text-sm text-slate-600">No provider adapters are registered in this installation.</p>
      ) : (
        <div className="space-y-6">
          <nav aria-label="Provider kind">
            <ul className="flex flex-wrap gap-2">
              {modules.map((m) => (
                <li key={m.kind}>
                  <Link
                    href={`/admin/provider-accounts/new?kind=${m.kind}`}
                    aria-current={m.kind === selected.kind ? 'page' : undefined}
                    className={`block rounded-full border px-4 py-1.5 text-sm ${m.kind === selected.kind ? 'border-brand-600 bg-brand-600 text-white' : 'border-slate-300 bg-surface hover:bg-slate-50'}`}
                  >
                    {m.label}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
          <section aria-label={`${selected.label} account`} className="rounded-xl border border-slate-200 bg-surface p-5 shadow-sm">
            <AccountForm key={selected.kind} spec={providerFormSpec(selected)} action={createAccountAction} mode="create" />
          </section>
        </div>
      )}
    </>
  );
}
