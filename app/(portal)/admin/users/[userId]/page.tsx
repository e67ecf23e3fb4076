import { Breadcrumb } from '@/components/ui/Breadcrumb';
import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Badge } from '@/components/ui/Badge';
import { PageHeader } from '@/components/ui/PageHeader';
import { db } from '@/lib/db/client';
import { NotFoundError } from '@/lib/errors';
import { getUser } from '@/lib/users/service';
import { requirePrincipal } from '../../../../_lib/session';
import { resetPasswordAction, unlockUserAction, updateUserAction } from '../actions';
import { EditUserForm, ResetPasswordForm, UnlockForm } from '../UserForms';

export const metadata: Metadata = { title: 'User · Admin' };

function dateTime(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }) + ' UTC' : 'Never';
}

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section aria-labelledby={id} className="rounded-xl border border-slate-200 bg-surface p-5 shadow-sm">
      <h2 id={id} className="mb-4 font-semibold">
        {title}
      </h2>
      {children}
    </section>
  );
}

export default async function AdminUserPage({ params, searchParams }: { params: Promise<{ userId: string }>; searchParams: Promise<{ created?: string }> }) {
  const principal = await requirePrincipal('admin:users');
  const { userId } = await params;
  const { created } = await searchParams;
  let user;
  try {
    user = await getUser(db(), principal, userId);
  } catch (error) {
    if (error instanceof NotFoundError) notFound();
    throw error;
  }
  const isSelf = user.id === principal.userId;

  return (
    <>
      <Breadcrumb trail={[{ href: '/admin', label: 'Admin' }, { href: '/admin/users', label: 'Users' }]} current={user.name} />
      <PageHeader
        title={user.name}
        description={user.email}
        actions={
          <div className="flex flex-wrap gap-1">
            <Badge tone={user.status === 'active' ? 'success' : 'danger'}>{user.status === 'active' ? 'Active' : 'Disabled'}</Badge>
            {user.locked && <Badge tone="warning">Locked</Badge>}
            {user.sso && <Badge>SSO</Badge>}
            {isSelf && <Badge tone="info">You</Badge>}
          </div>
        }
      />
      {created && (
        <p role="status" className="mb-4 rounded-md border border-emerald-200 bg-emerald-50 px-4 py-2 text-sm text-emerald-800">
          User created. They can sign in with their e-mail and the initial password; add them to projects under Admin → Projects.
        </p>
      )}
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
        <Section id="profile-heading" title="Roles and status">
          <EditUserForm action={updateUserAction.bind(null, user.id)} user={{ name: user.name, roles: user.roles, status: user.status }} isSelf={isSelf} />
        </Section>
        <div className="space-y-6">
          <Section id="signin-heading" title="Sign-in">
            <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
              <dt className="text-slate-500">Last sign-in</dt>
              <dd>{dateTime(user.lastLoginAt)}</dd>
              <dt className="text-slate-500">Method</dt>
              <dd>{[user.hasPassword ? 'Local password' : null, user.sso ? 'Single sign-on' : null].filter(Boolean).join(' · ') || 'None yet'}</dd>
              <dt className="text-slate-500">Failed attempts</dt>
              <dd>{user.failedLoginCount}</dd>
              <dt className="text-slate-500">Lockout</dt>
              <dd>{user.locked ? `Locked until ${dateTime(user.lockedUntil)}` : 'Not locked'}</dd>
            </dl>
            {(user.locked || user.failedLoginCount > 0) && (
              <div className="mt-4">
                <UnlockForm action={unlockUserAction.bind(null, user.id)} />
              </div>
            )}
          </Section>
          <Section id="password-heading" title="Reset password">
            <p className="mb-3 text-sm text-slate-600">Sets a new local password and clears any lockout.</p>
            <ResetPasswordForm action={resetPasswordAction.bind(null, user.id)} />
          </Section>
          <Section id="projects-heading" title="Projects">
            {user.memberships.length === 0 ? (
              <p className="text-sm text-slate-600">
                Not a member of any project yet. Add them from a project&apos;s page under{' '}
                <Link href="/admin/projects" className="text-link underline">
                  Admin → Projects
                </Link>
                .
              </p>
            ) : (
              <ul className="divide-y divide-slate-100 text-sm">
                {user.memberships.map((m) => (
                  <li key={m.projectId} className="flex items-center justify-between py-2">
                    <Link href={`/admin/projects/${m.projectId}`} className="font-medium text-link hover:underline">
                      {m.name}
                    </Link>
                    <Badge tone={m.role === 'owner' ? 'info' : m.role === 'approver' ? 'success' : 'neutral'}>{m.role}</Badge>
                  </li>
                ))}
              </ul>
            )}
          </Section>
        </div>
      </div>
    </>
  );
}
