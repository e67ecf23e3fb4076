import type { Metadata } from 'next';
import Link from 'next/link';
import { Badge } from '@/components/ui/Badge';
import { EmptyState } from '@/components/ui/EmptyState';
import { PageHeader } from '@/components/ui/PageHeader';
import { db } from '@/lib/db/client';
import { listNotifications } from '@/lib/notifications/service';
import { requirePrincipal } from '../../_lib/session';
import { markAllReadAction } from './actions';
import { MarkAllReadForm } from './MarkAllReadForm';

export const metadata: Metadata = { title: 'Notifications' };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;
const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) || undefined;

export default async function NotificationsPage({ searchParams }: { searchParams: SearchParams }) {
  const principal = await requirePrincipal('request:read-own');
  const sp = await searchParams;
  const unread = first(sp.unread) === 'true';
  const after = first(sp.after)?.slice(0, 100);
  const page = await listNotifications(db(), principal, { unread, after, limit: 50 });
  const tab = (active: boolean) => `rounded-md px-3 py-1.5 text-sm ${active ? 'bg-brand-600 text-white' : 'border border-slate-300 hover:bg-slate-50'}`;
  return (
    <>
      <PageHeader title="Notifications" description={`${page.unreadCount} unread. Approvals waiting for you and what happened to your requests.`} />
      <div className="mb-4 flex flex-wrap items-center gap-2">
        <nav aria-label="Show" className="flex gap-2">
          <Link href="/notifications" className={tab(!unread)} aria-current={!unread ? 'page' : undefined}>All</Link>
          <Link href="/notifications?unread=true" className={tab(unread)} aria-current={unread ? 'page' : undefined}>Unread</Link>
        </nav>
        <div className="ml-auto">{page.unreadCount > 0 && <MarkAllReadForm action={markAllReadAction} />}</div>
      </div>
      {page.notifications.length === 0 ? (
        <EmptyState title={unread ? 'No unread notifications' : 'No notifications yet'}>
          You are told here when a request waits for your approval and when your own requests are approved, rejected, completed or failed.
        </EmptyState>
      ) : (
        <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-surface" aria-label="Notifications">
          {page.notifications.map((n) => (
            <li key={n.id} className="flex flex-wrap items-start gap-3 p-3" data-testid="notification">
              <div className="min-w-0 flex-1">
                <p className={n.read ? '' : 'font-semibold'}>
                  {n.link ? <Link href={n.link} className="hover:underline">{n.title}</Link> : n.title}{' '}
                  {!n.read && <Badge tone="warning">unread</Badge>}
                </p>
                {n.body && <p className="text-sm text-slate-600">{n.body}</p>}
              </div>
              <time dateTime={n.createdAt} className="text-xs text-slate-600">
                {new Date(n.createdAt).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' })} UTC
              </time>
            </li>
          ))}
        </ul>
      )}
      {page.nextCursor && (
        <p className="mt-4">
          <Link href={`/notifications?${new URLSearchParams({ ...(unread ? { unread: 'true' } : {}), after: page.nextCursor }).toString()}`} className="text-sm underline">
            Older notifications
          </Link>
        </p>
      )}
    </>
  );
}
