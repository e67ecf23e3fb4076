import type { Metadata } from 'next';
import { formatMoney } from '@/components/portal/format';
import { EmptyState } from '@/components/ui/EmptyState';
import { PageHeader } from '@/components/ui/PageHeader';
import { Table, Td, Th } from '@/components/ui/Table';
import { costSummary, type CostTotal } from '@/lib/billing/cost-summary';
import { db } from '@/lib/db/client';
import { requirePrincipal } from '../../_lib/session';

export const metadata: Metadata = { title: 'Costs' };

function TotalsTable({ title, column, rows }: { title: string; column: string; rows: CostTotal[] }) {
  const id = `costs-${column.toLowerCase()}`;
  return (
    <section aria-labelledby={id}>
      <h2 id={id} className="mb-2 text-base font-semibold">{title}</h2>
      <Table caption={title}>
        <thead>
          <tr>
            <Th>{column}</Th>
            <Th align="right">Effective cost</Th>
            <Th align="right">Billed cost</Th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((r) => (
            <tr key={`${r.key}-${r.currency}`}>
              <Td>{r.label}</Td>
              <Td align="right">{formatMoney(r.effectiveCost, r.currency)}</Td>
              <Td align="right">{formatMoney(r.billedCost, r.currency)}</Td>
            </tr>
          ))}
        </tbody>
      </Table>
    </section>
  );
}

export default async function CostsPage() {
  await requirePrincipal('cost:read');
  const summary = await costSummary(db());
  return (
    <>
      <PageHeader title="Costs" description="Actual spend from imported billing data (FOCUS), by provider, project and month." />
      {summary.recordCount === 0 ? (
        <EmptyState title="No cost data yet">
          Costs appear here once billing data is imported: each cloud’s FOCUS cost export (and the vSphere chargeback) is loaded into
          Skyport by the billing import, which comes in a later release. Until then, request estimates use the price book under
          Admin → Price book.
        </EmptyState>
      ) : (
        <div className="space-y-8">
          <dl className="grid gap-4 sm:grid-cols-3">
            {summary.totals.map((t) => (
              <div key={t.currency} className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
                <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">Total effective cost ({t.currency})</dt>
                <dd className="mt-1 text-2xl font-semibold">{formatMoney(t.effectiveCost, t.currency)}</dd>
                <dd className="text-xs text-slate-500">Billed {formatMoney(t.billedCost, t.currency)} · {summary.recordCount} cost rows</dd>
              </div>
            ))}
          </dl>
          <div className="grid gap-8 lg:grid-cols-2">
            <TotalsTable title="By provider" column="Provider" rows={summary.byProvider} />
            <TotalsTable title="By project" column="Project" rows={summary.byProject} />
          </div>
          <TotalsTable title="By month" column="Month" rows={summary.byMonth} />
        </div>
      )}
    </>
  );
}
