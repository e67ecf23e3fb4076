import type { Metadata } from 'next';
import Link from 'next/link';
import { formatDate } from '@/components/portal/format';
import { PageHeader } from '@/components/ui/PageHeader';
import { Table, Td, Th } from '@/components/ui/Table';
import { listCostImports } from '@/lib/billing/imports';
import { db } from '@/lib/db/client';
import { requirePrincipal } from '../../../_lib/session';
import { RefreshWhileRunning } from './RefreshWhileRunning';
import { UploadForm } from './UploadForm';

export const metadata: Metadata = { title: 'Cost imports' };

export default async function CostImportsPage() {
  await requirePrincipal('cost:import');
  const imports = await listCostImports(db(), 20);
  return (
    <>
      <PageHeader
        title="Cost imports"
        description="Upload FOCUS 1.0–1.3 cost exports. Scheduled imports also read one watched folder per provider account (SKYPORT_COST_IMPORT_DIR/<account id>/)."
        actions={<Link href="/costs" className="text-sm font-medium text-link underline-offset-2 hover:underline">Back to costs</Link>}
      />
      <section aria-labelledby="upload" className="mb-8 rounded-xl border border-slate-200 bg-surface p-4 shadow-sm">
        <h2 id="upload" className="mb-3 text-base font-semibold">Upload</h2>
        <UploadForm />
      </section>
      <RefreshWhileRunning active={imports.some((i) => i.status === 'queued' || i.status === 'running')} />
      <section aria-labelledby="recent">
        <h2 id="recent" className="mb-2 text-base font-semibold">Recent imports</h2>
        <Table caption="Recent cost imports">
          <thead><tr><Th>File</Th><Th>Source</Th><Th>Status</Th><Th align="right">Rows</Th><Th>Started</Th><Th>Message</Th></tr></thead>
          <tbody className="divide-y divide-slate-100">
            {imports.map((i) => (
              <tr key={i.id}>
                <Td className="break-all">{i.fileName}</Td>
                <Td>{i.source}</Td>
                <Td>{i.status === 'running' && i.phase ? `running (${i.phase})` : i.status}</Td>
                <Td align="right">
                  {(i.status === 'succeeded' ? i.rowCount : i.rowsRead).toLocaleString('en-US')}
                  {i.status === 'running' && i.rowsPerSecond > 0 && <span className="block text-xs text-slate-500">{i.rowsPerSecond.toLocaleString('en-US')} rows/s</span>}
                </Td>
                <Td className="whitespace-nowrap">{formatDate(i.startedAt ?? i.createdAt)}</Td>
                <Td className="text-slate-600">{i.message ?? ''}</Td>
              </tr>
            ))}
            {imports.length === 0 && <tr><Td className="text-slate-600">No imports yet.</Td></tr>}
          </tbody>
        </Table>
      </section>
    </>
  );
}
