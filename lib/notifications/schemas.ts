// Notification shapes shared by the API, the bell and the /notifications page.
import { z } from 'zod';

export const notificationViewSchema = z.object({
  id: z.string(),
  type: z.string(),
  title: z.string(),
  body: z.string(),
  link: z.string(),
  read: z.boolean(),
  createdAt: z.string(),
});
export type NotificationView = z.infer<typeof notificationViewSchema>;

export const listNotificationsQuerySchema = z.object({
  unread: z.enum(['true', 'false']).optional().transform((v) => v === 'true'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** Keyset cursor: the id of the last notification of the previous page. */
  after: z.string().max(100).optional(),
});
export type ListNotificationsQuery = z.input<typeof listNotificationsQuerySchema>;

export const notificationListSchema = z.object({
  notifications: z.array(notificationViewSchema),
  unreadCount: z.number(),
  nextCursor: z.string().nullable(),
});
export type NotificationList = z.infer<typeof notificationListSchema>;

export const markReadSchema = z
  .object({
    ids: z.array(z.string().min(1).max(100)).max(500).optional(),
    /** true marks every unread notification of the caller as read. */
    all: z.boolean().optional(),
  })
  .refine((v) => v.all === true || (v.ids?.length ?? 0) > 0, { message: 'Give ids or all: true', path: ['ids'] });
export type MarkReadInput = z.input<typeof markReadSchema>;

export const EMAIL_TASK = 'notifications.send_email';

export const emailJobSchema = z.object({
  to: z.string().min(3).max(320),
  subject: z.string().max(300),
  text: z.string().max(20_000),
  /** Path inside Skyport (e.g. /requests/abc); the mailer makes it absolute with SKYPORT_PUBLIC_URL. */
  link: z.string().max(2000),
  requestId: z.string().max(100).optional(),
});
export type EmailJob = z.infer<typeof emailJobSchema>;
