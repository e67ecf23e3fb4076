import '@/providers/all';
import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Badge } from '@/components/ui/Badge';
import { Breadcrumb } from '@/components/ui/Breadcrumb';
import { PageHeader } from '@/components/ui/PageHeader';
import { db } from '@/lib/db/client';
import { NotFoundError } from '@/lib/errors';
import { formValueOf, providerFormSpec } from '@/lib/provider-accounts/form-fields';
import { getProviderAccount, type ProviderAccountView } from '@/lib/provider-accounts/service';
import { syncStatuses } from '@/lib/provider-accounts/sync';
import { syncProgress } from '@/lib/provider-accounts/sync-request';
import { loadServerConfig } from '@/lib/config/server-config';
import { providerModule } from '@/providers/registry';
import { requirePrincipal } from '../../../../_lib/session';
import { saveRegionsAction, updateAccountAction } from '../actions';
import { AccountForm } from '../AccountForm';
import { ConnectionPanel } from '../ConnectionPanel';
import { RegionsForm } from '../RegionsForm';
import { formatWhen, STATUS_BADGE } from '../status';
import { SyncStatusTable } from './SyncStatusTable';

export const metadata: Metadata = { title: 'Provider account' };

export default async function ProviderAccountPage({ params, searchParams }: { params: Promise<{ accountId: string }>; searchParams: Promise<{ created?: string }> }) {
  await requirePrincipal('admin:provider-accounts');
  const { accountId } = await params;
  const { created } = await searchParams;
  let account: ProviderAccountView;
  try {
    account = await getProviderAccount(db(), accountId);
  } catch (error) {
    if (error instanceof NotFoundError) notFound();
    throw error;
  }
  const module = providerModule(account.kind);
  const spec = providerFormSpec(module);
  const status = STATUS_BADGE[account.status];
  const settings = Object.fromEntries(spec.settings.map((f) => [f.name, formValueOf(f, account.settings[f.name])]));
  const enabledRegions = account.regions.filter((r) => r.enabled).length;
  const [syncRows, initialSync] = await Promise.all([syncStatuses(db(), account.id), syncProgress(db(), account.id)]);

  return (
    <>
      <Breadcrumb trail={[{ href: '/admin', label: 'Admin' }, { href: '/admin/provider-accounts', label: 'Provider accounts' }]} current={account.name} />
      <PageHeader title={account.name} description={`${module.label} account${account.description ? ` · ${account.description}` : ''}`} />
      <p className="mb-4 text-sm">
        <Link href="/admin/provider-accounts" className="text-link underline">
          ← All provider accounts
        </Link>
      </p>
      {created && (
        <p role="status" className="mb-4 rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
          Account added. Next: test the connection to discover its regions.
        </p>
      )}

      <div className="grid grid-cols-1 gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(0,2fr)]">
        <div className="space-y-6">
          <section aria-labelledby="connection-heading" className="rounded-xl border border-slate-200 bg-surface p-5 shadow-sm">
            <h2 id="connection-heading" className="text-base font-semibold">
              Connection
            </h2>
            <dl className="my-3 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1.5 text-sm">
              <dt className="text-slate-500">Status</dt>
              <dd>
                <Badge tone={status.tone}>{status.label}</Badge>
                {account.statusMessage && <span className="mt-1 block text-xs text-slate-600">{account.statusMessage}</span>}
              </dd>
              <dt className="text-slate-500">Last test</dt>
              <dd>{formatWhen(account.lastTestedAt)}</dd>
              <dt className="text-slate-500">Last sync</dt>
              <dd>{formatWhen(account.lastSyncedAt)}</dd>
              <dt className="text-slate-500">VMs</dt>
              <dd>{account.vmCount}</dd>
            </dl>
            <ConnectionPanel accountId={account.id} canSync={enabledRegions > 0 && account.enabled} initialSync={initialSync} />
          </section>

          <section aria-labelledby="regions-heading" className="rounded-xl border border-slate-200 bg-surface p-5 shadow-sm">
            <h2 id="regions-heading" className="mb-3 text-base font-semibold">
              Regions
            </h2>
            {account.regions.length === 0 ? (
              <p className="text-sm text-slate-600">No regions known yet. Run “Test connection”: a successful test discovers the account’s regions.</p>
            ) : (
              <RegionsForm key={account.regions.map((r) => `${r.code}:${r.enabled}`).join(',')} regions={account.regions} action={saveRegionsAction.bind(null, account.id)} />
            )}
          </section>

          <SyncStatusTable rows={syncRows} intervalMinutes={loadServerConfig(process.env).syncIntervalMinutes} />
        </div>

        <section aria-labelledby="settings-heading" className="rounded-xl border border-slate-200 bg-surface p-5 shadow-sm">
          <h2 id="settings-heading" className="mb-3 text-base font-semibold">
            Settings and credentials
          </h2>
          <AccountForm
            spec={spec}
            mode="edit"
            action={updateAccountAction.bind(null, account.id, account.kind)}
            initial={{ name: account.name, description: account.description, enabled: account.enabled, settings }}
            storedSecrets={account.secretFields}
          />
        </section>
      </div>
    </>
  );
}
