// The caller's own notifications: list (newest first, keyset paging) and mark read.
import type { Principal } from '../auth/principal';
import type { Db } from '../db/client';
import { markReadSchema, type MarkReadInput, type NotificationList } from './schemas';

export async function countUnread(db: Db, userId: string): Promise<number> {
  return db.notification.count({ where: { userId, readAt: null } });
}

export interface ListNotificationsOptions {
  unread?: boolean;
  limit?: number;
  after?: string;
}

export async function listNotifications(db: Db, principal: Principal, options: ListNotificationsOptions = {}): Promise<NotificationList> {
  const q = { unread: options.unread ?? false, limit: Math.min(Math.max(options.limit ?? 50, 1), 200), after: options.after };
  const where = { userId: principal.userId, ...(q.unread ? { readAt: null } : {}) };
  const rows = await db.notification.findMany({
    where,
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: q.limit + 1,
    ...(q.after ? { cursor: { id: q.after }, skip: 1 } : {}),
  });
  const page = rows.slice(0, q.limit);
  return {
    notifications: page.map((n) => ({
      id: n.id,
      type: n.type,
      title: n.title,
      body: n.body,
      link: n.link,
      read: n.readAt !== null,
      createdAt: n.createdAt.toISOString(),
    })),
    unreadCount: await countUnread(db, principal.userId),
    nextCursor: rows.length > q.limit ? page[page.length - 1]!.id : null,
  };
}

/** Only the caller's own rows are touched, whatever ids are sent. */
export async function markNotificationsRead(db: Db, principal: Principal, input: MarkReadInput): Promise<{ updated: number; unreadCount: number }> {
  const v = markReadSchema.parse(input);
  const result = await db.notification.updateMany({
    where: { userId: principal.userId, readAt: null, ...(v.all ? {} : { id: { in: v.ids ?? [] } }) },
    data: { readAt: new Date() },
  });
  return { updated: result.count, unreadCount: await countUnread(db, principal.userId) };
}
