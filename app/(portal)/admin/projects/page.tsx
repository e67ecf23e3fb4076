import { Breadcrumb } from '@/components/ui/Breadcrumb';
import type { Metadata } from 'next';
import Link from 'next/link';
import { Badge } from '@/components/ui/Badge';
import { EmptyState } from '@/components/ui/EmptyState';
import { inputClass } from '@/components/ui/Field';
import { PageHeader } from '@/components/ui/PageHeader';
import { db } from '@/lib/db/client';
import type { ProjectView } from '@/lib/projects/schemas';
import { listProjects } from '@/lib/projects/service';
import { listUserOptions } from '@/lib/users/service';
import { requirePrincipal } from '../../../_lib/session';
import { createProjectAction } from './actions';
import { CreateProjectForm } from './ProjectForms';

export const metadata: Metadata = { title: 'Projects · Admin' };

function quotaText(quota: ProjectView['quota']): string {
  const o = quota.overall;
  const parts = o
    ? [
        o.maxInstances !== null ? `${o.maxInstances} VMs` : null,
        o.maxVcpus !== null ? `${o.maxVcpus} vCPU` : null,
        o.maxMemoryMiB !== null ? `${Math.round((o.maxMemoryMiB / 1024) * 10) / 10} GiB RAM` : null,
        o.maxDiskGiB !== null ? `${o.maxDiskGiB} GiB disk` : null,
      ].filter(Boolean)
    : [];
  const overall = parts.length ? parts.join(' · ') : 'No overall limit';
  return quota.providerKinds.length ? `${overall} (+ ${quota.providerKinds.join(', ')})` : overall;
}

export default async function AdminProjectsPage({ searchParams }: { searchParams: Promise<{ q?: string; archived?: string }> }) {
  const principal = await requirePrincipal('admin:projects');
  const { q = '', archived } = await searchParams;
  const includeArchived = archived === '1';
  const [projects, users] = await Promise.all([
    listProjects(db(), principal, { q: q.slice(0, 100) || undefined, includeArchived: includeArchived ? 'true' : 'false' }),
    listUserOptions(db(), principal),
  ]);
  const filtered = q !== '' || includeArchived;

  return (
    <>
      <Breadcrumb trail={[{ href: '/admin', label: 'Admin' }]} current="Projects" />
      <PageHeader title="Projects" description="Projects group people, requests, quotas and spend. Each has an owner and a cost centre." />
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-[1fr_22rem]">
        <section aria-labelledby="project-list-heading" className="min-w-0">
          <h2 id="project-list-heading" className="sr-only">
            Project list
          </h2>
          <form role="search" className="mb-4 flex flex-wrap items-end gap-3" action="/admin/projects">
            <div className="min-w-56 flex-1">
              <label htmlFor="project-search" className="block text-sm font-medium text-slate-800">
                Search
              </label>
              <input id="project-search" name="q" type="search" defaultValue={q} placeholder="Key, name or cost centre" className={inputClass} />
            </div>
            <label className="flex items-center gap-2 pb-2 text-sm text-slate-700">
              <input type="checkbox" name="archived" value="1" defaultChecked={includeArchived} /> Include archived
            </label>
            <button type="submit" className="rounded-md border border-slate-300 bg-surface px-3 py-1.5 text-sm font-medium shadow-sm hover:bg-slate-50">
              Filter
            </button>
          </form>
          {projects.length === 0 ? (
            filtered ? (
              <EmptyState title="No matching projects" action={{ href: '/admin/projects', label: 'Clear filters' }}>
                Nothing matches “{q}”. Try another key, name or cost centre.
              </EmptyState>
            ) : (
              <EmptyState title="No projects yet">Create the first project with the form on this page: give it a key, a cost centre and an owner.</EmptyState>
            )
          ) : (
            <div className="overflow-x-auto rounded-xl border border-slate-200 bg-surface shadow-sm">
              <table className="min-w-full divide-y divide-slate-200 text-sm">
                <caption className="sr-only">{projects.length} projects</caption>
                <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
                  <tr>
                    <th scope="col" className="px-4 py-2">Project</th>
                    <th scope="col" className="px-4 py-2">Owner</th>
                    <th scope="col" className="px-4 py-2">Cost centre</th>
                    <th scope="col" className="px-4 py-2 text-right">Members</th>
                    <th scope="col" className="px-4 py-2">Quota</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {projects.map((p) => (
                    <tr key={p.id} className="hover:bg-slate-50">
                      <td className="px-4 py-3">
                        <Link href={`/admin/projects/${p.id}`} className="font-medium text-link hover:underline">
                          {p.name}
                        </Link>
                        <div className="flex items-center gap-2 text-xs text-slate-500">
                          <code>{p.key}</code>
                          {p.archivedAt && <Badge tone="warning">Archived</Badge>}
                        </div>
                      </td>
                      <td className="px-4 py-3">
                        <div>{p.owner.name}</div>
                        <div className="text-xs text-slate-500">{p.owner.email}</div>
                      </td>
                      <td className="px-4 py-3">{p.costCentre}</td>
                      <td className="px-4 py-3 text-right tabular-nums">{p.memberCount}</td>
                      <td className="px-4 py-3 text-xs text-slate-600">{quotaText(p.quota)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
        <section aria-labelledby="new-project-heading" className="h-fit rounded-xl border border-slate-200 bg-surface p-5 shadow-sm">
          <h2 id="new-project-heading" className="mb-3 font-semibold">
            New project
          </h2>
          <CreateProjectForm action={createProjectAction} users={users} />
        </section>
      </div>
    </>
  );
}
