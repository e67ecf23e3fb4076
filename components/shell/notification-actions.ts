'use server';

import { authCall } from '@/lib/actions/safe-action';
import { markNotificationsRead } from '@/lib/notifications/service';

/** The bell's "mark all read" (a server action, so no cross-origin rules apply to it). */
export const markAllNotificationsRead = authCall({ capability: 'request:read-own' }, async ({ db, principal }) => {
  return markNotificationsRead(db, principal, { all: true });
});

export const markNotificationRead = authCall({ capability: 'request:read-own' }, async ({ db, principal }, id: string) => {
  return markNotificationsRead(db, principal, { ids: [String(id).slice(0, 100)] });
});
