import type { Metadata } from 'next';
import Link from 'next/link';
import { PROVIDER_NAMES } from '@/components/portal/format';
import { EmptyState } from '@/components/ui/EmptyState';
import { PageHeader } from '@/components/ui/PageHeader';
import { VmState } from '@/generated/prisma/enums';
import { isAdmin } from '@/lib/auth/permissions';
import { db } from '@/lib/db/client';
import { ValidationError } from '@/lib/errors';
import { listVms, ownsAProject } from '@/lib/inventory/list';
import type { InventoryTiles } from '@/lib/inventory/schemas';
import { inventoryTiles, regionOptions } from '@/lib/inventory/tiles';
import { filterEntries, FIRST_PAGE, inventoryHref, parseListState, type SearchParams } from '@/lib/inventory/url-state';
import type { ProviderKind } from '@/providers/types';
import { requirePrincipal } from '../../_lib/session';
import { FilterBar } from './FilterBar';
import { InventoryTable } from './InventoryTable';

export const metadata: Metadata = { title: 'Inventory' };

const tileClass = 'block rounded-xl border border-slate-200 bg-surface p-4 shadow-sm hover:border-brand-500 focus-visible:border-brand-500';

function Tiles({ tiles }: { tiles: InventoryTiles }) {
  const providers = [...new Set(tiles.byProviderState.map((g) => g.providerKind))];
  const weekEnd = tiles.weekEnd.slice(0, 10);
  return (
    <section aria-label="Inventory at a glance" className="mb-6 grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
      <div className="rounded-xl border border-slate-200 bg-surface p-4 shadow-sm sm:col-span-2 lg:col-span-1">
        <h2 className="text-xs font-semibold uppercase tracking-wide text-slate-600">VMs by provider and state</h2>
        <ul className="mt-2 space-y-1.5 text-sm">
          {providers.map((kind) => (
            <li key={kind}>
              <Link href={inventoryHref({ provider: kind })} className="font-medium text-link underline-offset-2 hover:underline">
                {PROVIDER_NAMES[kind]}
              </Link>{' '}
              <span className="text-slate-600">
                {tiles.byProviderState
                  .filter((g) => g.providerKind === kind)
                  .map((g, i) => (
                    <span key={g.state}>
                      {i > 0 && ' · '}
                      <Link href={inventoryHref({ provider: kind, state: g.state })} className="whitespace-nowrap underline-offset-2 hover:underline">
                        {g.count} {g.state}
                      </Link>
                    </span>
                  ))}
              </span>
            </li>
          ))}
          {providers.length === 0 && <li className="text-slate-600">No VMs yet.</li>}
        </ul>
      </div>
      <Link href={inventoryHref({ managed: false })} className={tileClass} data-testid="tile-unmanaged">
        <span className="block text-xs font-semibold uppercase tracking-wide text-slate-600">Unmanaged</span>
        <span className="mt-1 block text-2xl font-semibold">{tiles.unmanaged}</span>
        <span className="block text-xs text-slate-600">made outside Skyport; claim them into a project</span>
      </Link>
      <Link href={inventoryHref({ drift: true })} className={tileClass} data-testid="tile-drift">
        <span className="block text-xs font-semibold uppercase tracking-wide text-slate-600">Drift</span>
        <span className="mt-1 block text-2xl font-semibold">{tiles.drift}</span>
        <span className="block text-xs text-slate-600">tags removed, size or state changed outside Skyport</span>
      </Link>
      <Link href={inventoryHref({ leaseBefore: weekEnd, sort: 'lease' })} className={tileClass} data-testid="tile-leases">
        <span className="block text-xs font-semibold uppercase tracking-wide text-slate-600">Leases ending this week</span>
        <span className="mt-1 block text-2xl font-semibold">{tiles.leasesExpiringThisWeek}</span>
        <span className="block text-xs text-slate-600">by {weekEnd} (incl. already expired)</span>
      </Link>
    </section>
  );
}

export default async function InventoryPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const principal = await requirePrincipal('inventory:read');
  const { query, trail } = parseListState(await searchParams);
  const admin = isAdmin(principal);
  const database = db();
  const [page, tiles, regions, projects, accounts, owners] = await Promise.all([
    // A stale or foreign cursor (another sort) starts again from the first page rather than failing.
    listVms(database, principal, query).catch((error: unknown) => {
      if (error instanceof ValidationError && query.cursor) return listVms(database, principal, { ...query, cursor: undefined });
      throw error;
    }),
    inventoryTiles(database, principal),
    regionOptions(database, principal),
    database.project.findMany({ where: admin ? {} : { id: { in: Object.keys(principal.projects) } }, orderBy: { name: 'asc' }, select: { id: true, name: true } }),
    admin ? database.providerAccount.findMany({ orderBy: { name: 'asc' }, select: { id: true, name: true } }) : Promise.resolve([]),
    // Owners of VMs the principal can see, for the owner filter.
    database.user.findMany({
      where: { ownedVms: { some: { deletedAt: null, ...(admin ? {} : { projectId: { in: Object.keys(principal.projects) } }) } } },
      orderBy: { name: 'asc' },
      select: { id: true, name: true },
      take: 500,
    }),
  ]);
  const filters = filterEntries(query);
  const filtered = filters.length > 0;
  const exportHref = `/api/v1/vms/export?${new URLSearchParams([...filters, ...(query.sort !== 'name' ? [['sort', query.sort] as [string, string]] : [])]).toString()}`;
  const providers = [...new Set(regions.map((r) => r.providerKind))] as ProviderKind[];
  const pageNumber = trail.length + 1;
  const firstRow = trail.length * query.limit + 1;
  const previous = trail.at(-1);

  return (
    <>
      <PageHeader title="Inventory" description={
          admin
            ? 'Every virtual machine across all provider accounts.'
            : ownsAProject(principal)
              ? 'Virtual machines in your projects, and unmanaged VMs (made outside Skyport) you can claim into a project you own.'
              : 'Virtual machines in your projects.'
        } />
      {tiles.total === 0 && !filtered ? (
        admin ? (
          <EmptyState title="No virtual machines yet" action={{ href: '/admin/provider-accounts', label: 'Open provider accounts' }}>
            Go to Admin → Provider accounts and run Sync on an account to discover its existing VMs, or approve a request to create new ones.
          </EmptyState>
        ) : (
          <EmptyState title="No virtual machines yet" action={{ href: '/catalog', label: 'Open the Catalog' }}>
            None of your projects has VMs yet. Request one from the Catalog; it shows up here once it is provisioned.
          </EmptyState>
        )
      ) : (
        <>
          <Tiles tiles={tiles} />
          <FilterBar
            key={filters.map((f) => f.join('=')).join('&')}
            query={query}
            providers={providers}
            regions={regions}
            states={Object.values(VmState)}
            projects={projects}
            accounts={accounts}
            owners={owners}
            filtered={filtered}
          />
          <div className="mb-2 flex flex-wrap items-center justify-between gap-2">
            <p className="text-sm text-slate-600" role="status" data-testid="inventory-count">
              {page.total === 0
                ? 'No VMs match these filters'
                : `${firstRow}–${firstRow + page.vms.length - 1} of ${page.total} VM${page.total === 1 ? '' : 's'}${filtered ? ' matching the filters' : ''}`}
            </p>
            <a href={exportHref} className="rounded-md border border-slate-300 bg-surface px-3 py-1.5 text-sm font-medium text-slate-800 hover:bg-slate-50" download>
              Export CSV{filtered ? ' (this filter)' : ''}
            </a>
          </div>
          {page.vms.length === 0 ? (
            <EmptyState title="No VMs match these filters" action={{ href: '/inventory', label: 'Clear the filters' }}>
              Try another provider, region, state or project, or a shorter search.
            </EmptyState>
          ) : (
            <InventoryTable vms={page.vms} query={query} />
          )}
          <nav aria-label="Pages" className="mt-4 flex flex-wrap items-center gap-3 text-sm">
            {trail.length > 0 && (
              <>
                <Link href={inventoryHref(query, { cursor: undefined, trail: undefined })} className="rounded-md border border-slate-300 bg-surface px-3 py-1.5 hover:bg-slate-50">
                  First page
                </Link>
                <Link
                  href={inventoryHref(query, { cursor: previous === FIRST_PAGE ? undefined : previous }, trail.slice(0, -1))}
                  className="rounded-md border border-slate-300 bg-surface px-3 py-1.5 hover:bg-slate-50"
                  rel="prev"
                >
                  ← Previous
                </Link>
              </>
            )}
            <span className="text-slate-600">Page {pageNumber}</span>
            {page.nextCursor && (
              <Link href={inventoryHref(query, { cursor: page.nextCursor }, [...trail, query.cursor ?? FIRST_PAGE])} className="rounded-md border border-slate-300 bg-surface px-3 py-1.5 hover:bg-slate-50" rel="next">
                Next →
              </Link>
            )}
          </nav>
        </>
      )}
    </>
  );
}
