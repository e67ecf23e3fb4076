'use client';

import Link from 'next/link';
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { markAllNotificationsRead, markNotificationRead } from './notification-actions';

interface Item {
  id: string;
  title: string;
  body: string;
  link: string;
  read: boolean;
  createdAt: string;
}

const POLL_MS = 30_000;

/** The header bell: unread count (polled), the latest notifications, mark read. */
export function NotificationBell() {
  const [items, setItems] = useState<Item[]>([]);
  const [unread, setUnread] = useState(0);
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const root = useRef<HTMLDivElement>(null);

  const load = useCallback(async () => {
    try {
      const res = await fetch('/api/v1/notifications?limit=8', { headers: { accept: 'application/json' }, cache: 'no-store' });
      if (!res.ok) return;
      const data = (await res.json()) as { notifications: Item[]; unreadCount: number };
      setItems(data.notifications);
      setUnread(data.unreadCount);
    } catch {
      // Offline or restarting: keep what is shown and try again at the next poll.
    }
  }, []);

  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), POLL_MS);
    const onFocus = () => void load();
    window.addEventListener('focus', onFocus);
    return () => {
      clearInterval(timer);
      window.removeEventListener('focus', onFocus);
    };
  }, [load]);

  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    const onClick = (e: MouseEvent) => root.current && !root.current.contains(e.target as Node) && setOpen(false);
    document.addEventListener('keydown', onKey);
    document.addEventListener('mousedown', onClick);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('mousedown', onClick);
    };
  }, [open]);

  async function markAll() {
    const r = await markAllNotificationsRead();
    setUnread(r.unreadCount);
    setItems((list) => list.map((n) => ({ ...n, read: true })));
  }

  return (
    <div ref={root} className="relative">
      <button
        type="button"
        onClick={() => {
          setOpen((o) => !o);
          if (!open) void load();
        }}
        aria-expanded={open}
        aria-controls={panelId}
        aria-label={unread ? `Notifications: ${unread} unread` : 'Notifications: none unread'}
        className="relative rounded-md border border-white/30 px-2.5 py-1.5 text-sm hover:bg-white/10"
        data-testid="notification-bell"
      >
        <svg aria-hidden viewBox="0 0 24 24" className="h-4 w-4" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
          <path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
          <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
        </svg>
        {unread > 0 && (
          <span aria-hidden className="absolute -right-1.5 -top-1.5 min-w-5 rounded-full bg-[#b91c1c] px-1 text-center text-xs font-semibold leading-5 text-white" data-testid="notification-count">
            {unread > 99 ? '99+' : unread}
          </span>
        )}
      </button>
      {open && (
        <div
          id={panelId}
          role="region"
          aria-label="Notifications"
          className="absolute right-0 z-40 mt-2 w-[min(22rem,calc(100vw-2rem))] rounded-lg border border-slate-200 bg-surface text-slate-800 shadow-lg"
        >
          <div className="flex items-center justify-between border-b border-slate-200 px-3 py-2">
            <span className="text-sm font-semibold">Notifications</span>
            {unread > 0 && (
              <button type="button" onClick={() => void markAll()} className="text-xs text-link dark:text-brand-100 underline">
                Mark all read
              </button>
            )}
          </div>
          {items.length === 0 ? (
            <p className="px-3 py-4 text-sm text-slate-600">Nothing yet.</p>
          ) : (
            <ul className="max-h-96 divide-y divide-slate-100 overflow-y-auto">
              {items.map((n) => (
                <li key={n.id}>
                  <Link
                    href={n.link || '/notifications'}
                    onClick={() => {
                      setOpen(false);
                      if (!n.read) void markNotificationRead(n.id).then((r) => setUnread(r.unreadCount));
                    }}
                    className={`block px-3 py-2 text-sm hover:bg-slate-50 ${n.read ? 'text-slate-600' : 'font-medium'}`}
                  >
                    {!n.read && <span className="sr-only">Unread: </span>}
                    <span className="block">{n.title}</span>
                    {n.body && <span className="block truncate text-xs font-normal text-slate-600">{n.body}</span>}
                  </Link>
                </li>
              ))}
            </ul>
          )}
          <div className="border-t border-slate-200 px-3 py-2 text-right">
            <Link href="/notifications" onClick={() => setOpen(false)} className="text-sm text-link dark:text-brand-100 underline">
              All notifications
            </Link>
          </div>
        </div>
      )}
    </div>
  );
}
