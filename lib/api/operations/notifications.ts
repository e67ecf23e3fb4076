// The caller's in-app notifications.
import { z } from 'zod';
import { listNotificationsQuerySchema, markReadSchema, notificationListSchema } from '@/lib/notifications/schemas';
import { capability, defineOperation, type Operation } from '../operation';

const TAG = 'Notifications';

export const listNotifications = defineOperation({
  operationId: 'listNotifications',
  method: 'GET',
  path: '/api/v1/notifications',
  summary: "The caller's notifications, newest first, with the unread count",
  tag: TAG,
  access: capability('request:read-own'),
  query: listNotificationsQuerySchema,
  response: notificationListSchema,
});

export const markNotificationsRead = defineOperation({
  operationId: 'markNotificationsRead',
  method: 'POST',
  path: '/api/v1/notifications/read',
  summary: 'Mark some (ids) or all (all: true) of the caller’s notifications read',
  tag: TAG,
  access: capability('request:read-own'),
  body: markReadSchema,
  exampleBody: { all: true },
  response: z.object({ updated: z.number(), unreadCount: z.number() }),
});

export const operations: Operation[] = [listNotifications, markNotificationsRead];
