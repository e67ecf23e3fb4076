import '@/providers/all';
import type { Metadata } from 'next';
import Link from 'next/link';
import { Badge } from '@/components/ui/Badge';
import { Breadcrumb } from '@/components/ui/Breadcrumb';
import { EmptyState } from '@/components/ui/EmptyState';
import { PageHeader } from '@/components/ui/PageHeader';
import { db } from '@/lib/db/client';
import { listProviderAccounts } from '@/lib/provider-accounts/service';
import { providerModules } from '@/providers/registry';
import { requirePrincipal } from '../../../_lib/session';
import { formatWhen, STATUS_BADGE } from './status';

export const metadata: Metadata = { title: 'Provider accounts' };

export default async function ProviderAccountsPage() {
  await requirePrincipal('admin:provider-accounts');
  const accounts = await listProviderAccounts(db());
  const labels = new Map(providerModules().map((m) => [m.kind, m.label]));
  const kinds = providerModules();

  return (
    <>
      <Breadcrumb trail={[{ href: '/admin', label: 'Admin' }]} current="Provider accounts" />
      <PageHeader
        title="Provider accounts"
        description="The cloud and vSphere connections Skyport provisions through and discovers VMs from."
        actions={
          <Link href="/admin/provider-accounts/new" className="rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white hover:bg-brand-700">
            Add account
          </Link>
        }
      />
      {accounts.length === 0 ? (
        <EmptyState title="No provider accounts yet" action={{ href: '/admin/provider-accounts/new', label: 'Add an account' }}>
          Add an account for {kinds.map((k) => k.label).join(', ') || 'a provider'}, test the connection, enable regions, then sync to discover its VMs.
        </EmptyState>
      ) : (
        <div className="overflow-x-auto rounded-xl border border-slate-200 bg-surface shadow-sm">
          <table className="min-w-full divide-y divide-slate-200 text-sm">
            <caption className="sr-only">Provider accounts</caption>
            <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
              <tr>
                <th scope="col" className="px-4 py-2">Name</th>
                <th scope="col" className="px-4 py-2">Kind</th>
                <th scope="col" className="px-4 py-2">Status</th>
                <th scope="col" className="px-4 py-2">Regions enabled</th>
                <th scope="col" className="px-4 py-2 text-right">VMs</th>
                <th scope="col" className="px-4 py-2">Last test</th>
                <th scope="col" className="px-4 py-2">Last sync</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {accounts.map((account) => {
                const enabled = account.regions.filter((r) => r.enabled);
                const status = STATUS_BADGE[account.status];
                return (
                  <tr key={account.id} className="align-top">
                    <th scope="row" className="px-4 py-2 text-left font-medium">
                      <Link href={`/admin/provider-accounts/${account.id}`} className="text-link hover:underline">
                        {account.name}
                      </Link>
                      <span className="mt-0.5 flex gap-1">
                        {account.sandbox && <Badge tone="info">sandbox</Badge>}
                        {!account.enabled && <Badge tone="warning">disabled</Badge>}
                      </span>
                    </th>
                    <td className="px-4 py-2">{labels.get(account.kind) ?? account.kind}</td>
                    <td className="px-4 py-2">
                      <Badge tone={status.tone}>{status.label}</Badge>
                      {account.status === 'error' && account.statusMessage && (
                        <span className="mt-1 block max-w-xs truncate text-xs text-red-700" title={account.statusMessage}>
                          {account.statusMessage}
                        </span>
                      )}
                    </td>
                    <td className="px-4 py-2">
                      {enabled.length === 0 ? (
                        <span className="text-slate-500">None</span>
                      ) : (
                        <span className="font-mono text-xs">{enabled.map((r) => r.code).join(', ')}</span>
                      )}
                      <span className="block text-xs text-slate-500">
                        {enabled.length} of {account.regions.length}
                      </span>
                    </td>
                    <td className="px-4 py-2 text-right tabular-nums">{account.vmCount}</td>
                    <td className="whitespace-nowrap px-4 py-2 text-xs">{formatWhen(account.lastTestedAt)}</td>
                    <td className="whitespace-nowrap px-4 py-2 text-xs">{formatWhen(account.lastSyncedAt)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
