// Jobs of the notifications area (contract 2): 'notifications.send_email'. graphile-worker retries
// a failed send with back-off; after the last attempt the request's timeline notes the failure.
import { loadServerConfig } from '../config/server-config';
import { db as defaultDb, type Db } from '../db/client';
import type { CronItem, Task, TaskList } from '../jobs/types';
import { appendTimeline } from '../requests/timeline';
import { sendMail, type MailSettings } from './mailer';
import { EMAIL_TASK, emailJobSchema } from './schemas';

export interface NotificationTaskDeps {
  db: () => Db;
  settings: () => MailSettings;
}

function settingsFromEnv(): MailSettings {
  const config = loadServerConfig(process.env);
  return { smtpUrl: config.smtpUrl, smtpFrom: config.smtpFrom, publicUrl: config.publicUrl };
}

export function createNotificationTasks(deps: NotificationTaskDeps = { db: defaultDb, settings: settingsFromEnv }): TaskList {
  const sendEmail: Task = async (payload, helpers) => {
    const parsed = emailJobSchema.safeParse(payload);
    if (!parsed.success) {
      helpers.logger.error(`${EMAIL_TASK}: dropping malformed payload`);
      return;
    }
    const job = parsed.data;
    try {
      const sent = await sendMail(deps.settings(), job);
      if (!sent) helpers.logger.debug(`${EMAIL_TASK}: SMTP_URL not set, e-mail to ${job.to} skipped`);
    } catch (error) {
      const last = helpers.job.attempts >= helpers.job.max_attempts;
      if (last && job.requestId) {
        const reason = error instanceof Error ? error.message : String(error);
        await appendTimeline(deps.db(), {
          requestId: job.requestId,
          type: 'notification_failed',
          message: `E-mail to ${job.to} could not be sent after ${helpers.job.attempts} attempts: ${reason}`,
          data: { to: job.to, subject: job.subject },
        }).catch((e: unknown) => helpers.logger.error(`${EMAIL_TASK}: could not note the failure: ${String(e)}`));
      }
      throw error;
    }
  };
  return { [EMAIL_TASK]: sendEmail };
}

export const tasks: TaskList = createNotificationTasks();
export const cron: CronItem[] = [];
