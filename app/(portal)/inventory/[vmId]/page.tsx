import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import type { ReactNode } from 'react';
import { formatDate, formatShape, PROVIDER_NAMES } from '@/components/portal/format';
import { VmStateBadge } from '@/components/portal/StatusBadges';
import { Badge } from '@/components/ui/Badge';
import { PageHeader } from '@/components/ui/PageHeader';
import { Table, Td, Th } from '@/components/ui/Table';
import { VmActionsPanel } from '@/components/vms/VmActionsPanel';
import { isAdmin } from '@/lib/auth/permissions';
import { db } from '@/lib/db/client';
import { NotFoundError } from '@/lib/errors';
import { DRIFT_LABELS } from '@/lib/inventory/drift';
import { getVm, isReadOnlyFor, vmHistory } from '@/lib/inventory/vm';
import { requirePrincipal } from '../../../_lib/session';
import { claimVmAction, reapplyTagsAction } from './actions';
import { ClaimForm, ReapplyTagsForm } from './VmForms';

export const metadata: Metadata = { title: 'Virtual machine' };

const card = 'rounded-xl border border-slate-200 bg-surface p-5 shadow-sm';

function Property({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <dt className="text-slate-500">{label}</dt>
      <dd className="min-w-0 break-words">{children}</dd>
    </>
  );
}

const when = (iso: string | null) => (iso ? new Date(iso).toISOString().replace('T', ' ').slice(0, 16) + ' UTC' : '—');

export default async function VmPage({ params, searchParams }: { params: Promise<{ vmId: string }>; searchParams: Promise<{ done?: string }> }) {
  const principal = await requirePrincipal('inventory:read');
  const { vmId } = await params;
  const { done } = await searchParams;
  const database = db();
  let vm;
  let history;
  try {
    [vm, history] = await Promise.all([getVm(database, principal, vmId), vmHistory(database, principal, vmId)]);
  } catch (error) {
    if (error instanceof NotFoundError) notFound();
    throw error;
  }
  const admin = isAdmin(principal);
  // An unmanaged VM is read-only to a project owner until claimed (no day-2 actions).
  const readOnly = isReadOnlyFor(principal, vm);
  const currency = (amount: string, code: string) => new Intl.NumberFormat('en-US', { style: 'currency', currency: code }).format(Number(amount));
  const ownedProjects = Object.entries(principal.projects).filter(([, role]) => role === 'owner').map(([id]) => id);
  const canClaim = !vm.managed && !vm.deletedAt && (admin || ownedProjects.length > 0);
  const canReapply = vm.managed && vm.drift && vm.projectId !== null && (admin || principal.projects[vm.projectId] === 'owner');
  const [claimProjects, claimUsers] = canClaim
    ? await Promise.all([
        database.project.findMany({ where: { archivedAt: null, ...(admin ? {} : { id: { in: ownedProjects } }) }, orderBy: { name: 'asc' }, select: { id: true, name: true } }),
        database.user.findMany({
          where: { status: 'active', ...(admin ? {} : { memberships: { some: { projectId: { in: ownedProjects } } } }) },
          orderBy: { name: 'asc' },
          select: { id: true, name: true, email: true },
          take: 500,
        }),
      ])
    : [[], []];
  const tags = Object.entries(vm.tags).sort(([a], [b]) => a.localeCompare(b));

  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/inventory" className="text-link underline">
          ← Inventory
        </Link>
      </p>
      <PageHeader title={vm.name} description={`${PROVIDER_NAMES[vm.providerKind]} · ${vm.accountName} · ${vm.regionCode}${vm.zone ? ` / ${vm.zone}` : ''}`} />
      {done === 'claimed' && vm.managed && (
        <p role="status" className="mb-4 rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
          Claimed into {vm.project?.name ?? 'the project'}. Skyport’s tags were written to the provider.
        </p>
      )}
      {done === 'tags' && (
        <p role="status" className="mb-4 rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
          Skyport’s tags were written to the provider again.
        </p>
      )}
      <div className="mb-4 flex flex-wrap items-center gap-2">
        <VmStateBadge state={vm.state} />
        {vm.managed ? <Badge tone="success">Managed by Skyport</Badge> : <Badge tone="warning">Unmanaged</Badge>}
        {vm.drift && <Badge tone="danger">Drift</Badge>}
        {vm.pendingAction && <Badge tone="info">{`${vm.pendingAction.kind.replace(/_/g, ' ')}: ${vm.pendingAction.status}`}</Badge>}
      </div>

      <div className="grid grid-cols-1 gap-6 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <div className="space-y-6">
          <section aria-labelledby="props-heading" className={card}>
            <h2 id="props-heading" className="mb-3 text-base font-semibold">
              Properties
            </h2>
            <dl className="grid grid-cols-[max-content_minmax(0,1fr)] gap-x-4 gap-y-1.5 text-sm">
              <Property label="Size">
                {vm.size} · {formatShape(vm.vcpus, vm.memoryMiB)}
                {vm.expectedSize && vm.expectedSize !== vm.size && <span className="block text-xs text-red-700">Skyport expects {vm.expectedSize}</span>}
              </Property>
              <Property label="Monthly cost">
                {vm.monthlyCost
                  ? `${currency(vm.monthlyCost.amount, vm.monthlyCost.currency)} (${vm.monthlyCostSource === 'billing' ? 'billing forecast for this month' : 'price-book estimate'})`
                  : 'No price in the price book'}
              </Property>
              <Property label="Cost to date">
                {vm.costToDate ? (
                  <>
                    {currency(vm.costToDate.monthToDate, vm.costToDate.currency)} this month (billed, effective cost)
                    <span className="block">
                      {currency(vm.costToDate.forecastMonthEnd, vm.costToDate.currency)} forecast for the month
                      <span className="block text-xs text-slate-500">Forecast: {vm.costToDate.method} — the cost explorer’s method.</span>
                    </span>
                  </>
                ) : (
                  <>
                    No billing data linked to this VM yet
                    {vm.monthlyCost && <span className="block text-xs text-slate-500">Price-book estimate for a full month: {currency(vm.monthlyCost.amount, vm.monthlyCost.currency)}</span>}
                  </>
                )}
              </Property>
              <Property label="Provider state">{vm.providerState || '—'}</Property>
              <Property label="Provider id">
                <span className="font-mono text-xs">{vm.providerId}</span>
              </Property>
              <Property label="Image">{vm.imageId ?? '—'}</Property>
              <Property label="IP addresses">{[vm.privateIp, vm.publicIp].filter(Boolean).join(' · ') || '—'}</Property>
              <Property label="Created at provider">{when(vm.providerCreatedAt)}</Property>
              <Property label="First / last seen">
                {when(vm.firstSeenAt)} / {when(vm.lastSeenAt)}
              </Property>
              {vm.deletedAt && <Property label="Gone since">{when(vm.deletedAt)}</Property>}
            </dl>
          </section>

          <section aria-labelledby="tags-heading" className={card}>
            <h2 id="tags-heading" className="mb-3 text-base font-semibold">
              Tags
            </h2>
            {tags.length === 0 ? (
              <p className="text-sm text-slate-600">No tags on this VM.</p>
            ) : (
              <dl className="grid grid-cols-[max-content_minmax(0,1fr)] gap-x-4 gap-y-1 text-sm">
                {tags.map(([key, value]) => (
                  <Property key={key} label={key}>
                    <span className="font-mono text-xs">{value}</span>
                  </Property>
                ))}
              </dl>
            )}
          </section>

          <section aria-labelledby="jobs-heading">
            <h2 id="jobs-heading" className="mb-2 text-base font-semibold">
              Jobs
            </h2>
            {history.jobs.length === 0 ? (
              <p className="text-sm text-slate-600">Skyport has run no jobs on this VM.</p>
            ) : (
              <Table caption="Jobs on this VM">
                <thead>
                  <tr>
                    <Th>Job</Th>
                    <Th>Status</Th>
                    <Th align="right">Attempts</Th>
                    <Th>Queued</Th>
                    <Th>Finished</Th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {history.jobs.map((job) => (
                    <tr key={job.id}>
                      <Td className="whitespace-nowrap">{job.kind.replace(/_/g, ' ')}</Td>
                      <Td>{job.status}</Td>
                      <Td align="right">
                        {job.attempts}/{job.maxAttempts}
                      </Td>
                      <Td className="whitespace-nowrap">{when(job.createdAt.toISOString())}</Td>
                      <Td className="whitespace-nowrap">{when(job.finishedAt?.toISOString() ?? null)}</Td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            )}
          </section>

          <section aria-labelledby="audit-heading">
            <h2 id="audit-heading" className="mb-2 text-base font-semibold">
              History
            </h2>
            {history.audit.length === 0 ? (
              <p className="text-sm text-slate-600">No recorded changes yet.</p>
            ) : (
              <Table caption="Audit history of this VM">
                <thead>
                  <tr>
                    <Th>When</Th>
                    <Th>What</Th>
                    <Th>Who</Th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {history.audit.map((event) => (
                    <tr key={String(event.id)}>
                      <Td className="whitespace-nowrap">{when(event.at.toISOString())}</Td>
                      <Td>{event.action}</Td>
                      <Td className="break-words">{event.actorLabel}</Td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            )}
          </section>
        </div>

        <div className="space-y-6">
          {/* Day-2 actions (the engine's self-contained panel, contract 8). */}
          {!vm.deletedAt && !readOnly && <VmActionsPanel vmId={vm.id} />}
          {readOnly && (
            <p className="rounded-xl border border-amber-300 bg-amber-50 p-4 text-sm text-amber-900" data-testid="unmanaged-read-only">
              This VM was made outside Skyport and belongs to no project: you can see it because you own a project. Claim it into one of your projects to manage it.
            </p>
          )}

          <section aria-labelledby="owner-heading" className={card}>
            <h2 id="owner-heading" className="mb-3 text-base font-semibold">
              Ownership and lease
            </h2>
            <dl className="grid grid-cols-[max-content_minmax(0,1fr)] gap-x-4 gap-y-1.5 text-sm">
              <Property label="Project">{vm.project ? `${vm.project.name} (${vm.project.key})` : 'Unassigned'}</Property>
              <Property label="Owner">{vm.owner ? `${vm.owner.name} <${vm.owner.email}>` : 'Unassigned'}</Property>
              <Property label="Request">
                {vm.requestId ? (
                  <Link href={`/requests/${vm.requestId}`} className="text-link underline">
                    {vm.requestId}
                  </Link>
                ) : vm.claimedAt ? (
                  `Claimed ${when(vm.claimedAt)}`
                ) : (
                  '—'
                )}
              </Property>
              <Property label="Lease ends">{vm.leaseExpiresAt ? formatDate(vm.leaseExpiresAt) : 'No lease'}</Property>
            </dl>
          </section>

          {vm.drift && (
            <section aria-labelledby="drift-heading" className="rounded-xl border border-red-300 bg-red-50 p-5 text-red-900">
              <h2 id="drift-heading" className="mb-2 text-base font-semibold">
                Drift
              </h2>
              <ul className="mb-3 list-disc pl-5 text-sm">
                {vm.driftReasons.map((reason) => (
                  <li key={reason}>{DRIFT_LABELS[reason]}</li>
                ))}
              </ul>
              {canReapply ? (
                <ReapplyTagsForm vmId={vm.id} action={reapplyTagsAction} />
              ) : (
                <p className="text-sm">An admin or the project’s owner can re-apply Skyport’s tags.</p>
              )}
            </section>
          )}

          {canClaim && (
            <section aria-labelledby="claim-heading" className={card}>
              <h2 id="claim-heading" className="mb-1 text-base font-semibold">
                Claim this VM
              </h2>
              <p className="mb-3 text-sm text-slate-600">It was made outside Skyport. Claiming brings it into a project with an owner and writes Skyport’s tags to the provider.</p>
              <ClaimForm vmId={vm.id} action={claimVmAction} projects={claimProjects} users={claimUsers.map((u) => ({ id: u.id, label: `${u.name} (${u.email})` }))} />
            </section>
          )}
        </div>
      </div>
    </>
  );
}
