import type { Metadata } from 'next';
import { formatDate, formatMoney, PROVIDER_NAMES } from '@/components/portal/format';
import { RequestStatusBadge } from '@/components/portal/StatusBadges';
import { EmptyState } from '@/components/ui/EmptyState';
import { PageHeader } from '@/components/ui/PageHeader';
import { Table, Td, Th } from '@/components/ui/Table';
import { db } from '@/lib/db/client';
import { listMyRequests } from '@/lib/requests/queries';
import { requirePrincipal } from '../../_lib/session';

export const metadata: Metadata = { title: 'My requests' };

export default async function MyRequestsPage() {
  const principal = await requirePrincipal('request:read-own');
  const requests = await listMyRequests(db(), principal);
  return (
    <>
      <PageHeader title="My requests" description="Everything you have asked for, and where it stands." />
      {requests.length === 0 ? (
        <EmptyState title="No requests yet" action={{ href: '/catalog', label: 'Open the Catalog' }}>
          Pick a template in the Catalog, choose a project and a provider, and submit it. Your requests and their approval status
          show up here.
        </EmptyState>
      ) : (
        <Table caption="Your requests, newest first">
          <thead>
            <tr>
              <Th>Request</Th>
              <Th>Project</Th>
              <Th>What</Th>
              <Th>Status</Th>
              <Th align="right">Est. monthly</Th>
              <Th>Created</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {requests.map((r) => (
              <tr key={r.id}>
                <Td className="font-medium whitespace-nowrap">REQ-{r.number}</Td>
                <Td>{r.projectName}</Td>
                <Td>
                  {r.items.length === 0 ? (
                    <span className="text-slate-500">—</span>
                  ) : (
                    <ul className="space-y-0.5">
                      {r.items.map((item, index) => (
                        <li key={index}>
                          <span className="font-medium">{item.quantity > 1 ? `${item.quantity} × ` : ''}{item.templateName}</span>{' '}
                          <span className="text-slate-500">
                            {item.name} · {PROVIDER_NAMES[item.providerKind]} {item.regionCode} · {item.size}
                          </span>
                        </li>
                      ))}
                    </ul>
                  )}
                </Td>
                <Td><RequestStatusBadge status={r.status} /></Td>
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
