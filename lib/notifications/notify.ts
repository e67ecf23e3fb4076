// notify() (contract 5): in-app rows now, in the caller's transaction; an e-mail copy per user is
// queued as a job so a slow or failing SMTP server never holds up or fails the caller.
import type { Prisma } from '@/generated/prisma/client';
import type { Db } from '../db/client';
import { enqueueJob } from '../jobs/queue';
import { EMAIL_TASK, type EmailJob } from './schemas';

type Tx = Prisma.TransactionClient | Db;

export interface NotifyInput {
  userIds: string[];
  type: string;
  title: string;
  body: string;
  /** Path inside Skyport, e.g. /requests/{id}. */
  link: string;
  email?: { subject: string; text: string };
  /** Lets a permanently failed e-mail be noted on the request's timeline. */
  requestId?: string;
}

export const EMAIL_MAX_ATTEMPTS = 5;

export async function notify(tx: Tx, input: NotifyInput): Promise<void> {
  const userIds = [...new Set(input.userIds)].filter(Boolean);
  if (!userIds.length) return;
  const users = await tx.user.findMany({ where: { id: { in: userIds }, status: 'active' }, select: { id: true, email: true } });
  if (!users.length) return;
  await tx.notification.createMany({
    data: users.map((u) => ({
      userId: u.id,
      type: input.type.slice(0, 64),
      title: input.title.slice(0, 300),
      body: input.body.slice(0, 5000),
      link: input.link.slice(0, 2000),
    })),
  });
  if (!input.email) return;
  for (const u of users) {
    const job: EmailJob = {
      to: u.email,
      subject: input.email.subject.slice(0, 300),
      text: input.email.text.slice(0, 20_000),
      link: input.link.slice(0, 2000),
      ...(input.requestId ? { requestId: input.requestId } : {}),
    };
    await enqueueJob(tx, EMAIL_TASK, job, { maxAttempts: EMAIL_MAX_ATTEMPTS, queueName: undefined });
  }
}
