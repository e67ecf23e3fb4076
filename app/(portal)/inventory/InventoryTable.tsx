'use client';

// The one inventory table for every provider. @tanstack/react-table is the headless model (columns,
// headers, cells); sorting and paging happen on the server, so a sortable header is a link that
// changes `sort` in the URL. Below `md` the same rows render as cards.
import { createColumnHelper, tableFeatures, useTable } from '@tanstack/react-table';
import Link from 'next/link';
import { formatDate, formatShape, PROVIDER_NAMES } from '@/components/portal/format';
import { VmStateBadge } from '@/components/portal/StatusBadges';
import { Badge } from '@/components/ui/Badge';
import { DRIFT_LABELS } from '@/lib/inventory/drift';
import { SORT_KEYS, type ListVmsQuery, type SortKey, type VmListItem } from '@/lib/inventory/schemas';
import { inventoryHref } from '@/lib/inventory/url-state';

const features = tableFeatures({});
const helper = createColumnHelper<typeof features, VmListItem>();

const SOURCE_LABEL = { billing: 'billed', price_book: 'list' } as const;
const SOURCE_TITLE = {
  billing: 'Forecast for this month from billing data (month to date ÷ days elapsed × days in the month)',
  price_book: 'Estimate from the price book (list price × 730 h, markup/discount rules applied)',
} as const;

/** The monthly figure and where it comes from (billing forecast or price-book estimate). */
function money(vm: Pick<VmListItem, 'monthlyCost' | 'monthlyCostSource'>) {
  const cost = vm.monthlyCost;
  if (!cost) return <span className="text-slate-500">—</span>;
  const source = vm.monthlyCostSource ?? 'price_book';
  return (
    <span className="whitespace-nowrap" title={SOURCE_TITLE[source]}>
      {new Intl.NumberFormat('en-US', { style: 'currency', currency: cost.currency }).format(Number(cost.amount))}{' '}
      <span className="text-xs text-slate-500">
        {SOURCE_LABEL[source]}
        <span className="sr-only"> ({SOURCE_TITLE[source]})</span>
      </span>
    </span>
  );
}

function Ownership({ vm }: { vm: VmListItem }) {
  return (
    <span className="inline-flex flex-wrap gap-1">
      {!vm.managed && <Badge tone="warning">Unmanaged</Badge>}
      {vm.drift && (
        <span title={vm.driftReasons.map((r) => DRIFT_LABELS[r]).join('; ')}>
          <Badge tone="danger">Drift</Badge>
        </span>
      )}
    </span>
  );
}

const columns = helper.columns([
  helper.accessor('name', {
    id: 'name',
    header: 'Name',
    cell: (info) => {
      const vm = info.row.original;
      return (
        <span className="block">
          <Link href={`/inventory/${vm.id}`} className="whitespace-nowrap font-medium text-link underline-offset-2 hover:underline">
            {vm.name}
          </Link>
          <span className="mt-0.5 block">
            <Ownership vm={vm} />
          </span>
        </span>
      );
    },
  }),
  helper.accessor('providerKind', { id: 'provider', header: 'Provider', cell: (info) => PROVIDER_NAMES[info.getValue()] }),
  helper.accessor('accountName', { id: 'account', header: 'Account' }),
  helper.accessor('regionCode', { id: 'region', header: 'Region', cell: (info) => `${info.getValue()}${info.row.original.zone ? ` / ${info.row.original.zone}` : ''}` }),
  helper.accessor('size', { id: 'size', header: 'Size' }),
  helper.accessor('vcpus', { id: 'vcpus', header: 'vCPU', cell: (info) => info.getValue() ?? '—' }),
  helper.accessor('memoryMiB', { id: 'memory', header: 'RAM', cell: (info) => formatShape(null, info.getValue()).replace(/^— · /, '') }),
  helper.accessor('state', { id: 'state', header: 'State', cell: (info) => <VmStateBadge state={info.getValue()} /> }),
  helper.accessor((vm) => vm.owner?.name ?? null, { id: 'owner', header: 'Owner', cell: (info) => info.getValue() ?? <span className="text-slate-500">Unassigned</span> }),
  helper.accessor((vm) => vm.project?.name ?? null, { id: 'project', header: 'Project', cell: (info) => info.getValue() ?? <span className="text-slate-500">Unassigned</span> }),
  helper.accessor('leaseExpiresAt', { id: 'lease', header: 'Lease ends', cell: (info) => (info.getValue() ? formatDate(info.getValue()) : 'No lease') }),
  helper.accessor((vm) => vm.privateIp ?? vm.publicIp, { id: 'ip', header: 'IP', cell: (info) => <span className="font-mono text-xs">{info.getValue() ?? '—'}</span> }),
  helper.accessor('monthlyCost', { id: 'cost', header: 'Per month', cell: (info) => money(info.row.original) }),
]);

const RIGHT = new Set(['vcpus', 'memory', 'cost']);
const isSortKey = (id: string): id is SortKey => (SORT_KEYS as readonly string[]).includes(id);

export function InventoryTable({ vms, query }: { vms: VmListItem[]; query: ListVmsQuery }) {
  const table = useTable({ features, columns, data: vms, getRowId: (vm) => vm.id });
  const current = query.sort.startsWith('-') ? query.sort.slice(1) : query.sort;
  const desc = query.sort.startsWith('-');

  return (
    <>
      <div className="hidden md:block">
        <p className="mb-1 flex flex-wrap justify-between gap-x-4 text-xs text-slate-600">
          <span>Per month: “billed” = this month’s forecast from billing data; “list” = price-book estimate.</span>
          <span className="xl:hidden" aria-hidden="true">
            Scroll sideways for more columns →
          </span>
        </p>
        <div role="region" className="relative overflow-x-auto rounded-xl border border-slate-200 bg-surface shadow-sm" tabIndex={0} aria-label="Virtual machines (scrolls sideways)">
          <table className="min-w-full divide-y divide-slate-200 text-sm">
            <caption className="sr-only">Virtual machines, sorted by {current} {desc ? 'descending' : 'ascending'}</caption>
            <thead>
              {table.getHeaderGroups().map((group) => (
                <tr key={group.id}>
                  {group.headers.map((header) => {
                    const id = header.column.id;
                    const active = id === current;
                    const label = <table.FlexRender header={header} />;
                    return (
                      <th
                        key={header.id}
                        scope="col"
                        aria-sort={active ? (desc ? 'descending' : 'ascending') : undefined}
                        className={`whitespace-nowrap bg-slate-50 px-3 py-2.5 text-xs font-semibold uppercase tracking-wide text-slate-600 ${RIGHT.has(id) ? 'text-right' : 'text-left'}`}
                      >
                        {isSortKey(id) ? (
                          <Link href={inventoryHref(query, { sort: active && !desc ? `-${id}` : id, cursor: undefined })} className="inline-flex items-center gap-1 hover:text-slate-900">
                            {label}
                            <span aria-hidden="true">{active ? (desc ? '▼' : '▲') : '↕'}</span>
                            <span className="sr-only">{active ? `, sorted ${desc ? 'descending' : 'ascending'}; sort ${desc ? 'ascending' : 'descending'}` : ', sort'}</span>
                          </Link>
                        ) : (
                          label
                        )}
                      </th>
                    );
                  })}
                </tr>
              ))}
            </thead>
            <tbody className="divide-y divide-slate-100">
              {table.getRowModel().rows.map((row) => (
                <tr key={row.id} className="hover:bg-slate-50" data-testid="vm-row">
                  {row.getAllCells().map((cell) => (
                    <td key={cell.id} className={`whitespace-nowrap px-3 py-2 align-top ${RIGHT.has(cell.column.id) ? 'text-right tabular-nums' : ''}`}>
                      <table.FlexRender cell={cell} />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>

      <ul className="space-y-3 md:hidden" aria-label="Virtual machines">
        {table.getRowModel().rows.map((row) => {
          const vm = row.original;
          return (
            <li key={row.id} className="rounded-xl border border-slate-200 bg-surface p-4 shadow-sm" data-testid="vm-card">
              <div className="flex items-start justify-between gap-2">
                <Link href={`/inventory/${vm.id}`} className="min-w-0 break-normal font-medium text-link underline">
                  {vm.name}
                </Link>
                <VmStateBadge state={vm.state} />
              </div>
              <div className="mt-1">
                <Ownership vm={vm} />
              </div>
              <dl className="mt-2 grid grid-cols-[max-content_1fr] gap-x-3 gap-y-1 text-xs">
                <dt className="text-slate-500">Where</dt>
                <dd>
                  {PROVIDER_NAMES[vm.providerKind]} · {vm.regionCode}
                </dd>
                <dt className="text-slate-500">Size</dt>
                <dd>
                  {vm.size} · {formatShape(vm.vcpus, vm.memoryMiB)}
                </dd>
                <dt className="text-slate-500">Project</dt>
                <dd>{vm.project?.name ?? 'Unassigned'}</dd>
                <dt className="text-slate-500">Per month</dt>
                <dd>{money(vm)}</dd>
              </dl>
            </li>
          );
        })}
      </ul>
    </>
  );
}
