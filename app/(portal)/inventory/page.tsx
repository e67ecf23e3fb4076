import type { Metadata } from 'next';
import Link from 'next/link';
import { formatDate, formatMemory, PROVIDER_NAMES } from '@/components/portal/format';
import { VmStateBadge } from '@/components/portal/StatusBadges';
import { EmptyState } from '@/components/ui/EmptyState';
import { PageHeader } from '@/components/ui/PageHeader';
import { Table, Td, Th } from '@/components/ui/Table';
import { can } from '@/lib/auth/permissions';
import { db } from '@/lib/db/client';
import { listInventory, parseInventoryFilter } from '@/lib/inventory/queries';
import { requirePrincipal } from '../../_lib/session';

export const metadata: Metadata = { title: 'Inventory' };

const selectClass = 'mt-1 block w-full rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm focus:border-brand-500';

function FilterSelect(props: { name: string; label: string; all: string; value?: string; options: { value: string; label: string }[] }) {
  return (
    <div>
      <label htmlFor={`f-${props.name}`} className="text-xs font-medium text-slate-600">{props.label}</label>
      <select id={`f-${props.name}`} name={props.name} defaultValue={props.value ?? ''} className={selectClass}>
        <option value="">{props.all}</option>
        {props.options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
      </select>
    </div>
  );
}

export default async function InventoryPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const principal = await requirePrincipal('inventory:read');
  const filter = parseInventoryFilter(await searchParams);
  const { vms, totalVisible, options } = await listInventory(db(), principal, filter);
  const filtered = Object.values(filter).some(Boolean);
  const admin = can(principal, 'admin:provider-accounts');

  return (
    <>
      <PageHeader
        title="Inventory"
        description={admin ? 'Every virtual machine across all provider accounts.' : 'Virtual machines in your projects.'}
      />
      {totalVisible === 0 ? (
        admin ? (
          <EmptyState title="No virtual machines yet" action={{ href: '/admin/provider-accounts', label: 'Open provider accounts' }}>
            Go to Admin → Provider accounts and run Sync on an account to discover its existing VMs, or approve a request to create
            new ones.
          </EmptyState>
        ) : (
          <EmptyState title="No virtual machines yet" action={{ href: '/catalog', label: 'Open the Catalog' }}>
            None of your projects has VMs yet. Request one from the Catalog; it shows up here once it is provisioned.
          </EmptyState>
        )
      ) : (
        <>
          <form method="get" className="mb-4 grid gap-3 rounded-xl border border-slate-200 bg-white p-4 sm:grid-cols-2 lg:grid-cols-5" aria-label="Filter virtual machines">
            <FilterSelect name="provider" label="Provider" all="All providers" value={filter.provider}
              options={options.providers.map((p) => ({ value: p, label: PROVIDER_NAMES[p] }))} />
            <FilterSelect name="region" label="Region" all="All regions" value={filter.region}
              options={options.regions.map((r) => ({ value: r, label: r }))} />
            <FilterSelect name="state" label="State" all="All states" value={filter.state}
              options={options.states.map((st) => ({ value: st, label: st }))} />
            <FilterSelect name="project" label="Project" all="All projects" value={filter.project}
              options={options.projects.map((p) => ({ value: p.id, label: p.name }))} />
            <div className="flex items-end gap-2">
              <button type="submit" className="rounded-md bg-brand-600 px-4 py-1.5 text-sm font-medium text-white hover:bg-brand-700">Apply</button>
              {filtered && <Link href="/inventory" className="rounded-md px-3 py-1.5 text-sm text-slate-600 underline hover:text-slate-900">Clear</Link>}
            </div>
          </form>
          <p className="mb-2 text-sm text-slate-600" role="status">
            {vms.length === totalVisible ? `${vms.length} VM${vms.length === 1 ? '' : 's'}` : `${vms.length} of ${totalVisible} VMs match the filters`}
          </p>
          {vms.length === 0 ? (
            <EmptyState title="No VMs match these filters" action={{ href: '/inventory', label: 'Clear the filters' }}>
              Try another provider, region, state or project.
            </EmptyState>
          ) : (
            <Table caption="Virtual machines">
              <thead>
                <tr>
                  <Th>Name</Th>
                  <Th>Provider</Th>
                  <Th>Account</Th>
                  <Th>Region</Th>
                  <Th>Size</Th>
                  <Th>vCPU / RAM</Th>
                  <Th>State</Th>
                  <Th>Owner</Th>
                  <Th>Project</Th>
                  <Th>Lease</Th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {vms.map((vm) => (
                  <tr key={vm.id}>
                    <Td className="font-medium">
                      {vm.name}
                      {(vm.privateIp || vm.publicIp) && <span className="block text-xs font-normal text-slate-500">{vm.publicIp ?? vm.privateIp}</span>}
                    </Td>
                    <Td className="whitespace-nowrap">{PROVIDER_NAMES[vm.providerKind]}</Td>
                    <Td>{vm.accountName}</Td>
                    <Td className="whitespace-nowrap">{vm.regionCode}{vm.zone ? ` / ${vm.zone}` : ''}</Td>
                    <Td className="whitespace-nowrap">{vm.size}</Td>
                    <Td className="whitespace-nowrap">{vm.vcpus ?? '—'} / {formatMemory(vm.memoryMiB)}</Td>
                    <Td><VmStateBadge state={vm.state} /></Td>
                    <Td>{vm.owner ? vm.owner.name : <span className="text-slate-500">Unassigned</span>}</Td>
                    <Td>{vm.project ? vm.project.name : <span className="text-slate-500">Unassigned</span>}</Td>
                    <Td className="whitespace-nowrap">{vm.leaseExpiresAt ? formatDate(vm.leaseExpiresAt) : 'No lease'}</Td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
        </>
      )}
    </>
  );
}
