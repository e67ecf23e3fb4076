import type { Metadata } from 'next';
import { Badge } from '@/components/ui/Badge';
import { EmptyState } from '@/components/ui/EmptyState';
import { PageHeader } from '@/components/ui/PageHeader';
import { listApiTokens, type ApiTokenView } from '@/lib/auth/api-tokens';
import { can } from '@/lib/auth/permissions';
import { db } from '@/lib/db/client';
import { requirePrincipal } from '../../_lib/session';
import { revokeTokenAction } from './actions';
import { TokenCreateForm } from './TokenCreateForm';

export const metadata: Metadata = { title: 'Your profile' };

function formatDate(iso: string | null, empty = '—') {
  return iso ? new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }) + ' UTC' : empty;
}

function tokenStatus(token: ApiTokenView, now: number): { label: string; tone: 'success' | 'neutral' | 'danger' } {
  if (token.revokedAt) return { label: 'Revoked', tone: 'danger' };
  if (token.expiresAt && Date.parse(token.expiresAt) <= now) return { label: 'Expired', tone: 'neutral' };
  return { label: 'Active', tone: 'success' };
}

export default async function ProfilePage() {
  const principal = await requirePrincipal();
  const manageTokens = can(principal, 'token:manage-own');
  const [projects, tokens] = await Promise.all([
    db().project.findMany({ where: { id: { in: Object.keys(principal.projects) } }, orderBy: { name: 'asc' }, select: { id: true, key: true, name: true } }),
    manageTokens ? listApiTokens(db(), principal.userId) : Promise.resolve([]),
  ]);
  const now = Date.now();

  return (
    <>
      <PageHeader title="Your profile" description="Who you are in Skyport, and the API tokens that act as you." />

      <section aria-labelledby="identity-heading" className="mb-8 grid gap-4 md:grid-cols-2">
        <div className="rounded-xl border border-slate-200 bg-surface p-5 shadow-sm">
          <h2 id="identity-heading" className="text-base font-semibold">
            Account
          </h2>
          <dl className="mt-3 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-2 text-sm">
            <dt className="text-slate-500">Name</dt>
            <dd>{principal.name}</dd>
            <dt className="text-slate-500">E-mail</dt>
            <dd className="break-all">{principal.email}</dd>
            <dt className="text-slate-500">Roles</dt>
            <dd className="flex flex-wrap gap-1">
              {principal.roles.map((role) => (
                <Badge key={role} tone="info">
                  {role}
                </Badge>
              ))}
            </dd>
          </dl>
        </div>
        <div className="rounded-xl border border-slate-200 bg-surface p-5 shadow-sm">
          <h2 className="text-base font-semibold">Projects</h2>
          {projects.length === 0 ? (
            <p className="mt-3 text-sm text-slate-600">You are not a member of any project yet. Ask a project owner or an administrator to add you.</p>
          ) : (
            <ul className="mt-3 divide-y divide-slate-100 text-sm">
              {projects.map((p) => (
                <li key={p.id} className="flex items-center justify-between gap-2 py-2">
                  <span>
                    {p.name} <span className="font-mono text-xs text-slate-500">{p.key}</span>
                  </span>
                  <Badge>{principal.projects[p.id]}</Badge>
                </li>
              ))}
            </ul>
          )}
        </div>
      </section>

      {manageTokens && (
        <section aria-labelledby="tokens-heading" className="space-y-4">
          <div>
            <h2 id="tokens-heading" className="text-lg font-semibold">
              API tokens
            </h2>
            <p className="text-sm text-slate-600">
              Personal tokens for scripts and CI. A token acts with your roles, limited to its scopes: <em>read</em> for read-only calls,{' '}
              <em>write</em> for everything you may do. See the <a className="underline" href="/api/v1/openapi.json">API description</a>.
            </p>
          </div>
          <div className="rounded-xl border border-slate-200 bg-surface p-5 shadow-sm">
            <h3 className="mb-3 text-sm font-semibold">Create a token</h3>
            <TokenCreateForm />
          </div>
          {tokens.length === 0 ? (
            <EmptyState title="No API tokens yet">Create one above to call the Skyport API from scripts; it is shown only once.</EmptyState>
          ) : (
            <div className="overflow-x-auto rounded-xl border border-slate-200 bg-surface shadow-sm">
              <table className="min-w-full divide-y divide-slate-200 text-sm">
                <caption className="sr-only">Your API tokens, newest first</caption>
                <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
                  <tr>
                    <th scope="col" className="px-4 py-2">Name</th>
                    <th scope="col" className="px-4 py-2">Token</th>
                    <th scope="col" className="px-4 py-2">Scopes</th>
                    <th scope="col" className="px-4 py-2">Status</th>
                    <th scope="col" className="px-4 py-2">Created</th>
                    <th scope="col" className="px-4 py-2">Expires</th>
                    <th scope="col" className="px-4 py-2">Last used</th>
                    <th scope="col" className="px-4 py-2"><span className="sr-only">Actions</span></th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {tokens.map((token) => {
                    const status = tokenStatus(token, now);
                    return (
                      <tr key={token.id}>
                        <th scope="row" className="px-4 py-2 text-left font-medium">{token.name}</th>
                        <td className="px-4 py-2 font-mono text-xs">{token.prefix}…</td>
                        <td className="px-4 py-2">{token.scopes.join(', ')}</td>
                        <td className="px-4 py-2"><Badge tone={status.tone}>{status.label}</Badge></td>
                        <td className="whitespace-nowrap px-4 py-2">{formatDate(token.createdAt)}</td>
                        <td className="whitespace-nowrap px-4 py-2">{formatDate(token.expiresAt, 'Never')}</td>
                        <td className="whitespace-nowrap px-4 py-2">{formatDate(token.lastUsedAt, 'Never')}</td>
                        <td className="px-4 py-2 text-right">
                          {status.label === 'Active' && (
                            <form action={revokeTokenAction.bind(null, token.id)}>
                              <button
                                type="submit"
                                aria-label={`Revoke token ${token.name}`}
                                className="rounded-md border border-red-300 px-3 py-1 text-xs font-medium text-red-700 hover:bg-red-50"
                              >
                                Revoke
                              </button>
                            </form>
                          )}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
        </section>
      )}
    </>
  );
}
