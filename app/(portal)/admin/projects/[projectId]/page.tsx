import { Breadcrumb } from '@/components/ui/Breadcrumb';
import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Badge } from '@/components/ui/Badge';
import { EmptyState } from '@/components/ui/EmptyState';
import { PageHeader } from '@/components/ui/PageHeader';
import { db } from '@/lib/db/client';
import { NotFoundError } from '@/lib/errors';
import { QUOTA_PROVIDER_KINDS } from '@/lib/projects/schemas';
import { getProject, listProjectBudgets, listProjectMembers } from '@/lib/projects/service';
import { listUserOptions } from '@/lib/users/service';
import { requirePrincipal } from '../../../../_lib/session';
import { addMemberAction, removeMemberAction, setArchivedAction, setQuotaAction, updateMemberAction, updateProjectAction } from '../actions';
import { AddMemberForm, ArchiveForm, EditProjectForm, MemberRoleForm, QuotaForm, RemoveMemberForm } from '../ProjectForms';

export const metadata: Metadata = { title: 'Project · Admin' };

const ROLE_TONE = { owner: 'info', approver: 'success', member: 'neutral' } as const;

function Section({ id, title, description, children }: { id: string; title: string; description?: string; children: ReactNode }) {
  return (
    <section aria-labelledby={id} className="rounded-xl border border-slate-200 bg-surface p-5 shadow-sm">
      <h2 id={id} className="font-semibold">
        {title}
      </h2>
      {description && <p className="mt-1 text-sm text-slate-600">{description}</p>}
      <div className="mt-4">{children}</div>
    </section>
  );
}

export default async function AdminProjectPage({ params, searchParams }: { params: Promise<{ projectId: string }>; searchParams: Promise<{ created?: string }> }) {
  const principal = await requirePrincipal('admin:projects');
  const { projectId } = await params;
  const { created } = await searchParams;
  let project;
  try {
    project = await getProject(db(), principal, projectId);
  } catch (error) {
    if (error instanceof NotFoundError) notFound();
    throw error;
  }
  const [members, budgets, users] = await Promise.all([
    listProjectMembers(db(), principal, projectId),
    listProjectBudgets(db(), principal, projectId),
    listUserOptions(db(), principal),
  ]);
  const memberIds = new Set(members.map((m) => m.userId));
  const candidates = users.filter((u) => !memberIds.has(u.id));
  const overall = project.quotas.find((q) => q.providerKind === null) ?? null;
  const providerQuotas = project.quotas.filter((q) => q.providerKind !== null);
  const freeKinds = QUOTA_PROVIDER_KINDS.filter((k) => !providerQuotas.some((q) => q.providerKind === k));
  const usage = project.usage;

  return (
    <>
      <Breadcrumb trail={[{ href: '/admin', label: 'Admin' }, { href: '/admin/projects', label: 'Projects' }]} current={project.name} />
      <PageHeader
        title={project.name}
        description={`Key ${project.key} · cost centre ${project.costCentre} · owner ${project.owner.name}`}
        actions={<ArchiveForm action={setArchivedAction.bind(null, projectId, !project.archivedAt)} archived={!!project.archivedAt} />}
      />
      {created && (
        <p role="status" className="mb-4 rounded-md border border-emerald-200 bg-emerald-50 px-4 py-2 text-sm text-emerald-800">
          Project created. {project.owner.name} is its owner; add members and set a quota below.
        </p>
      )}
      {project.archivedAt && (
        <p className="mb-4 rounded-md border border-amber-200 bg-amber-50 px-4 py-2 text-sm text-amber-900">
          Archived on {new Date(project.archivedAt).toLocaleDateString('en-GB')}. Restore it to use it again.
        </p>
      )}
      <div className="space-y-6">
        <Section id="details-heading" title="Details">
          <EditProjectForm
            action={updateProjectAction.bind(null, projectId)}
            users={users}
            project={{ key: project.key, name: project.name, description: project.description, costCentre: project.costCentre, ownerId: project.owner.id, maxLeaseDays: project.maxLeaseDays }}
          />
        </Section>

        <Section id="members-heading" title={`Members (${members.length})`} description="Members request resources in this project; approvers approve them; owners also manage members.">
          <div className="overflow-x-auto">
            <table className="min-w-full divide-y divide-slate-200 text-sm">
              <thead className="text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
                <tr>
                  <th scope="col" className="py-2 pr-4">Member</th>
                  <th scope="col" className="py-2 pr-4">Role</th>
                  <th scope="col" className="py-2 pr-4">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {members.map((m) => (
                  <tr key={m.userId}>
                    <td className="py-2 pr-4">
                      <div className="flex flex-wrap items-center gap-2">
                        <Link href={`/admin/users/${m.userId}`} className="font-medium hover:underline">
                          {m.name}
                        </Link>
                        {m.isProjectOwner && <Badge tone={ROLE_TONE.owner}>Project owner</Badge>}
                        {m.userStatus === 'disabled' && <Badge tone="danger">Disabled</Badge>}
                      </div>
                      <div className="text-xs text-slate-500">{m.email}</div>
                    </td>
                    <td className="py-2 pr-4">
                      <MemberRoleForm action={updateMemberAction.bind(null, projectId, m.userId)} role={m.role} name={m.name} locked={m.isProjectOwner} />
                    </td>
                    <td className="py-2 pr-4 text-right">
                      {m.isProjectOwner ? (
                        <span className="text-xs text-slate-500">Change the owner under Details to remove</span>
                      ) : (
                        <RemoveMemberForm action={removeMemberAction.bind(null, projectId, m.userId)} name={m.name} />
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="mt-4 border-t border-slate-100 pt-4">
            <h3 className="mb-2 text-sm font-semibold">Add a member</h3>
            <AddMemberForm action={addMemberAction.bind(null, projectId)} candidates={candidates} />
          </div>
        </Section>

        <Section id="quota-heading" title="Quotas" description="Limits on what the project's live VMs may use in total. Requests beyond a limit are refused.">
          <p className="mb-4 text-sm text-slate-700">
            In use now: <strong>{usage.instances}</strong> VMs · <strong>{usage.vcpus}</strong> vCPU · <strong>{Math.round((usage.memoryMiB / 1024) * 10) / 10}</strong> GiB RAM ·{' '}
            <strong>{usage.diskGiB}</strong> GiB disk
          </p>
          <div className="space-y-4">
            <QuotaForm action={setQuotaAction.bind(null, projectId)} title="All providers" quota={overall} providerKind="" />
            {providerQuotas.map((q) => (
              <QuotaForm key={q.id} action={setQuotaAction.bind(null, projectId)} title={`Only ${q.providerKind}`} quota={q} providerKind={q.providerKind ?? ''} />
            ))}
            {freeKinds.length > 0 && (
              <QuotaForm action={setQuotaAction.bind(null, projectId)} title="Add a provider-specific quota" quota={null} kindChoices={freeKinds} />
            )}
          </div>
        </Section>

        <Section id="budgets-heading" title="Budgets">
          {budgets.length === 0 ? (
            <EmptyState title="No budgets">This project has no budget yet. Budgets and their alerts are managed under Costs.</EmptyState>
          ) : (
            <div className="overflow-x-auto">
              <table className="min-w-full divide-y divide-slate-200 text-sm">
                <thead className="text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
                  <tr>
                    <th scope="col" className="py-2 pr-4">Budget</th>
                    <th scope="col" className="py-2 pr-4 text-right">Amount</th>
                    <th scope="col" className="py-2 pr-4">Period</th>
                    <th scope="col" className="py-2 pr-4">Alerts at</th>
                    <th scope="col" className="py-2 pr-4">Since</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {budgets.map((b) => (
                    <tr key={b.id}>
                      <td className="py-2 pr-4">
                        {b.name}
                        {b.providerKind && <span className="ml-2 text-xs text-slate-500">({b.providerKind} only)</span>}
                      </td>
                      <td className="py-2 pr-4 text-right tabular-nums">
                        {Number(b.amount).toLocaleString('en-US', { style: 'currency', currency: b.currency })}
                      </td>
                      <td className="py-2 pr-4 capitalize">{b.period}</td>
                      <td className="py-2 pr-4">{b.alertThresholds.map((t) => `${t}%`).join(', ')}</td>
                      <td className="py-2 pr-4">{b.startsOn}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Section>
      </div>
    </>
  );
}
