import { handle } from '@/lib/api/handler';
import { listNotifications } from '@/lib/api/operations/notifications';
import * as notifications from '@/lib/notifications/service';

export const dynamic = 'force-dynamic';

export const GET = handle(listNotifications, async ({ db, principal, query }) => notifications.listNotifications(db, principal, query));
