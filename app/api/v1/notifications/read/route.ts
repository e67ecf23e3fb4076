import { handle } from '@/lib/api/handler';
import { markNotificationsRead } from '@/lib/api/operations/notifications';
import * as notifications from '@/lib/notifications/service';

export const dynamic = 'force-dynamic';

export const POST = handle(markNotificationsRead, async ({ db, principal, body }) => notifications.markNotificationsRead(db, principal, body));
