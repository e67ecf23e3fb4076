import type { Metadata } from 'next';
import { formatDate, formatMoney, PROVIDER_NAMES } from '@/components/portal/format';
import { EmptyState } from '@/components/ui/EmptyState';
import { PageHeader } from '@/components/ui/PageHeader';
import { Table, Td, Th } from '@/components/ui/Table';
import { db } from '@/lib/db/client';
import { listPendingApprovals } from '@/lib/requests/queries';
import { requirePrincipal } from '../../_lib/session';

export const metadata: Metadata = { title: 'Approvals' };

export default async function ApprovalsPage() {
  const principal = await requirePrincipal('approval:decide');
  const pending = await listPendingApprovals(db(), principal);
  return (
    <>
      <PageHeader title="Approvals" description="Requests waiting for your decision, oldest first." />
      {pending.length === 0 ? (
        <EmptyState title="Nothing waiting for you">
          When a request reaches an approval step that is yours — as a named approver, through your role, or as owner or approver of
          its project — it appears here.
        </EmptyState>
      ) : (
        <Table caption="Requests waiting for your approval">
          <thead>
            <tr>
              <Th>Request</Th>
              <Th>Requester</Th>
              <Th>Project</Th>
              <Th>What</Th>
              <Th>Your step</Th>
              <Th align="right">Est. monthly</Th>
              <Th>Submitted</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {pending.map((r) => (
              <tr key={r.stepId}>
                <Td className="font-medium whitespace-nowrap">REQ-{r.number}</Td>
                <Td>
                  <span className="block">{r.requesterName}</span>
                  <span className="block text-xs text-slate-500">{r.requesterEmail}</span>
                </Td>
                <Td>{r.projectName}</Td>
                <Td>
                  <ul className="space-y-0.5">
                    {r.items.map((item, index) => (
                      <li key={index}>
                        {item.quantity > 1 ? `${item.quantity} × ` : ''}
                        {item.templateName} <span className="text-slate-500">· {PROVIDER_NAMES[item.providerKind]} {item.regionCode}</span>
                      </li>
                    ))}
                  </ul>
                  {r.justification && <p className="mt-1 text-xs text-slate-500">“{r.justification}”</p>}
                </Td>
                <Td className="whitespace-nowrap">
                  {r.stepName} <span className="text-xs text-slate-500">(step {r.stepOrder} of {r.stepCount})</span>
                </Td>
                <Td align="right">{formatMoney(r.estimatedMonthlyCost, r.currency)}</Td>
                <Td className="whitespace-nowrap">{formatDate(r.submittedAt ?? r.createdAt)}</Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </>
  );
}
