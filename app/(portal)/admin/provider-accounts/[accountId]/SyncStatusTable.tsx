// Inventory sync status per account and region (written by lib/provider-accounts/sync.ts).
import { Table, Td, Th } from '@/components/ui/Table';
import type { syncStatuses } from '@/lib/provider-accounts/sync';
import { formatWhen } from '../status';

type Row = Awaited<ReturnType<typeof syncStatuses>>[number];

export function SyncStatusTable({ rows, intervalMinutes }: { rows: Row[]; intervalMinutes: number }) {
  return (
    <section aria-labelledby="sync-status-heading">
      <h2 id="sync-status-heading" className="mb-1 text-base font-semibold">
        Inventory sync
      </h2>
      <p className="mb-2 text-xs text-slate-600">Runs every {intervalMinutes} minutes as a background job, and on “Sync now” (the same job, queued at once).</p>
      {rows.length === 0 ? (
        <p className="text-sm text-slate-600">Not synced yet.</p>
      ) : (
        <Table caption="Sync status per region">
          <thead>
            <tr>
              <Th>Region</Th>
              <Th>Last success</Th>
              <Th>Last error</Th>
              <Th align="right">Took</Th>
              <Th align="right">VMs</Th>
              <Th align="right">New / updated / gone</Th>
              <Th align="right">Unmanaged / drift</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {rows.map((row) => (
              <tr key={row.id}>
                <Td className="whitespace-nowrap font-mono">{row.regionCode === '*' ? 'all regions' : row.regionCode}
                  {row.running && <span className="block font-sans text-xs text-slate-600">running… {row.seen.toLocaleString('en-US')} VMs seen</span>}</Td>
                <Td className="whitespace-nowrap">{formatWhen(row.lastSuccessAt?.toISOString() ?? null)}</Td>
                <Td>
                  {row.lastErrorAt && (!row.lastSuccessAt || row.lastErrorAt > row.lastSuccessAt) ? (
                    <span className="text-red-700">
                      {formatWhen(row.lastErrorAt.toISOString())}: <span className="break-words">{row.lastError}</span>
                    </span>
                  ) : (
                    '—'
                  )}
                </Td>
                <Td align="right">{row.durationMs === null ? '—' : `${(row.durationMs / 1000).toFixed(1)} s`}</Td>
                <Td align="right">{row.discovered}</Td>
                <Td align="right">
                  {row.created} / {row.updated} / {row.removed}
                </Td>
                <Td align="right">
                  {row.unmanaged} / {row.drifted}
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </section>
  );
}
