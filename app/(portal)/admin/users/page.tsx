import { Breadcrumb } from '@/components/ui/Breadcrumb';
import type { Metadata } from 'next';
import Link from 'next/link';
import { Badge } from '@/components/ui/Badge';
import { EmptyState } from '@/components/ui/EmptyState';
import { inputClass } from '@/components/ui/Field';
import { PageHeader } from '@/components/ui/PageHeader';
import { db } from '@/lib/db/client';
import { ROLES, type RoleName } from '@/lib/users/schemas';
import { listUsers } from '@/lib/users/service';
import { requirePrincipal } from '../../../_lib/session';
import { createUserAction } from './actions';
import { CreateUserForm } from './UserForms';

export const metadata: Metadata = { title: 'Users · Admin' };

const PAGE_SIZE = 25;

function dateTime(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }) + ' UTC' : 'Never';
}

export default async function AdminUsersPage({ searchParams }: { searchParams: Promise<{ q?: string; role?: string; page?: string }> }) {
  const principal = await requirePrincipal('admin:users');
  const raw = await searchParams;
  const q = (raw.q ?? '').slice(0, 100);
  const role = ROLES.includes(raw.role as RoleName) ? (raw.role as RoleName) : undefined;
  const page = Math.max(1, Number.parseInt(raw.page ?? '1', 10) || 1);
  const result = await listUsers(db(), principal, { q: q || undefined, role, page, pageSize: PAGE_SIZE });
  const pages = Math.max(1, Math.ceil(result.total / PAGE_SIZE));
  const link = (p: number) => `/admin/users?${new URLSearchParams({ ...(q ? { q } : {}), ...(role ? { role } : {}), page: String(p) })}`;

  return (
    <>
      <Breadcrumb trail={[{ href: '/admin', label: 'Admin' }]} current="Users" />
      <PageHeader title="Users" description="Local accounts and users who signed in through single sign-on, with their roles and sign-in state." />
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-[1fr_22rem]">
        <section aria-labelledby="user-list-heading" className="min-w-0">
          <h2 id="user-list-heading" className="sr-only">
            User list
          </h2>
          <form role="search" action="/admin/users" className="mb-4 flex flex-wrap items-end gap-3">
            <div className="min-w-56 flex-1">
              <label htmlFor="user-search" className="block text-sm font-medium text-slate-800">
                Search
              </label>
              <input id="user-search" name="q" type="search" defaultValue={q} placeholder="E-mail or name" className={inputClass} />
            </div>
            <div>
              <label htmlFor="user-role" className="block text-sm font-medium text-slate-800">
                Role
              </label>
              <select id="user-role" name="role" defaultValue={role ?? ''} className={inputClass}>
                <option value="">Any role</option>
                {ROLES.map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </select>
            </div>
            <button type="submit" className="rounded-md border border-slate-300 bg-surface px-3 py-1.5 text-sm font-medium shadow-sm hover:bg-slate-50">
              Search
            </button>
          </form>
          <p className="mb-2 text-sm text-slate-600" aria-live="polite">
            {result.total === 1 ? '1 user' : `${result.total} users`}
            {q ? ` matching “${q}”` : ''}
          </p>
          {result.items.length === 0 ? (
            q || role ? (
              <EmptyState title="No matching users" action={{ href: '/admin/users', label: 'Clear search' }}>
                Nobody matches. Search by part of an e-mail address or name, or create the user with the form on this page.
              </EmptyState>
            ) : (
              <EmptyState title="No users on this page" action={{ href: '/admin/users', label: 'Back to the first page' }}>
                There are fewer users than this page number.
              </EmptyState>
            )
          ) : (
            <div className="overflow-x-auto rounded-xl border border-slate-200 bg-surface shadow-sm">
              <table className="min-w-full divide-y divide-slate-200 text-sm">
                <caption className="sr-only">Users, page {page} of {pages}</caption>
                <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
                  <tr>
                    <th scope="col" className="px-4 py-2">User</th>
                    <th scope="col" className="px-4 py-2">Roles</th>
                    <th scope="col" className="px-4 py-2">Status</th>
                    <th scope="col" className="px-4 py-2">Last sign-in</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {result.items.map((u) => (
                    <tr key={u.id} className="hover:bg-slate-50">
                      <td className="px-4 py-3">
                        <Link href={`/admin/users/${u.id}`} className="font-medium text-link hover:underline">
                          {u.name}
                        </Link>
                        {u.id === principal.userId && <span className="ml-2 text-xs text-slate-500">(you)</span>}
                        <div className="text-xs text-slate-500">{u.email}</div>
                      </td>
                      <td className="px-4 py-3">
                        <div className="flex flex-wrap gap-1">
                          {u.roles.map((r) => (
                            <Badge key={r} tone={r === 'admin' ? 'info' : 'neutral'}>
                              {r}
                            </Badge>
                          ))}
                        </div>
                      </td>
                      <td className="px-4 py-3">
                        <div className="flex flex-wrap gap-1">
                          <Badge tone={u.status === 'active' ? 'success' : 'danger'}>{u.status === 'active' ? 'Active' : 'Disabled'}</Badge>
                          {u.locked && <Badge tone="warning">Locked</Badge>}
                          {u.sso && <Badge>SSO</Badge>}
                        </div>
                      </td>
                      <td className="px-4 py-3 text-xs text-slate-600">{dateTime(u.lastLoginAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {pages > 1 && (
            <nav aria-label="Pagination" className="mt-4 flex items-center justify-between text-sm">
              {page > 1 ? (
                <Link href={link(page - 1)} className="rounded-md border border-slate-300 bg-surface px-3 py-1.5 hover:bg-slate-50">
                  ← Previous
                </Link>
              ) : (
                <span />
              )}
              <span className="text-slate-600">
                Page {page} of {pages}
              </span>
              {page < pages ? (
                <Link href={link(page + 1)} className="rounded-md border border-slate-300 bg-surface px-3 py-1.5 hover:bg-slate-50">
                  Next →
                </Link>
              ) : (
                <span />
              )}
            </nav>
          )}
        </section>
        <section aria-labelledby="new-user-heading" className="h-fit rounded-xl border border-slate-200 bg-surface p-5 shadow-sm">
          <h2 id="new-user-heading" className="mb-3 font-semibold">
            New local user
          </h2>
          <CreateUserForm action={createUserAction} />
        </section>
      </div>
    </>
  );
}
