// Notifications on a real PostgreSQL and a real SMTP server (npm smtp-server) on a loopback port.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditContext, SYSTEM_ACTOR } from '../audit/record';
import type { Db } from '../db/client';
import { startApprovalChain } from '../approvals/chain';
import { decideApproval } from '../approvals/decide';
import { createPendingRequest, createWorld, principalOf } from '../approvals/testing';
import { actorOf } from '../auth/principal';
import { DEFAULT_LEVEL } from '../policy/evaluate';
import { createTestDatabase } from '../testing/db';
import type { TaskList } from '../jobs/types';
import { runJobsUntilIdle } from '../testing/jobs';
import { EMAIL_MAX_ATTEMPTS, notify } from './notify';
import { listNotifications, markNotificationsRead } from './service';
import { createNotificationTasks } from './tasks';

interface Received {
  to: string[];
  raw: string;
}

async function startSmtp(options: { fail?: boolean } = {}): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onMailFrom(_address, _session, callback) {
      if (options.fail) {
        const error = new Error('Mailbox service unavailable') as Error & { responseCode: number };
        error.responseCode = 451;
        callback(error);
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Quoted-printable soft line breaks and encoded characters back to plain text. */
const decodeQp = (raw: string) => raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Runs queued jobs until `probe` holds. graphile-worker persists a job's completion or failure in
 * batches, so one runJobsUntilIdle can return while the last job still looks locked.
 */
async function runJobsUntil(tasks: TaskList, probe: () => Promise<boolean>, what: string, includeScheduled = false) {
  await until(async () => {
    await runJobsUntilIdle(db, { tasks, includeScheduled, maxRounds: 3 });
    return (await probe()) ? true : undefined;
  }, what, 30_000);
}

let db: Db;
const servers: { close: () => Promise<void> }[] = [];
beforeAll(async () => {
  ({ db } = await createTestDatabase());
});
afterAll(async () => {
  for (const s of servers) await s.close();
});

const level = { order: 1, name: 'Project owner', mode: 'any' as const, approvers: 'project owner', approverSpecs: DEFAULT_LEVEL.approvers, timeoutHours: null, timeoutAction: null };
const evaluation = { outcome: 'require_approval' as const, code: 'default' as const, policy: null, reason: 'No policy matched.', levels: [level] };

describe('e-mail notifications', () => {
  it('the approver gets an e-mail with the request number, details and a link', async () => {
    const smtp = await startSmtp();
    servers.push(smtp);
    const world = await createWorld(db, { req: ['requester'], own: ['requester', 'approver'] }, { owner: 'own' });
    const request = await createPendingRequest(db, world, 'req', { cost: 420 });
    await db.$transaction((tx) => startApprovalChain(tx, { requestId: request.id, projectId: world.projectId, requesterId: world.users.req!, evaluation }, auditContext(SYSTEM_ACTOR)));

    const tasks = createNotificationTasks({ db: () => db, settings: () => ({ smtpUrl: smtp.url, smtpFrom: 'Skyport <skyport@test>', publicUrl: 'https://skyport.test' }) });
    const ownerEmail = (await db.user.findUniqueOrThrow({ where: { id: world.users.own! } })).email;
    await runJobsUntil(tasks, async () => smtp.received.some((m) => m.to.includes(ownerEmail)), 'the approver e-mail');
    const mail = smtp.received.find((m) => m.to.includes(ownerEmail))!;
    const text = decodeQp(mail.raw);
    expect(text).toContain(`Subject: [Skyport] REQ-${request.number} waits for your approval`);
    expect(text).toContain(`Project: Gov `);
    expect(text).toMatch(/Template: Linux \S+ \(v1\), size large: 8 vCPU, 16 GiB RAM, 80 GiB disk/);
    expect(text).toContain('Placement: aws-');
    expect(text).toContain('count 2');
    expect(text).toContain('Estimate: 420.00 USD/month');
    expect(text).toContain(`https://skyport.test/approvals?q=${request.number}`);

    // Approval → the requester's e-mail.
    const me = await principalOf(db, world.users.own!);
    const step = await db.requestApprovalStep.findFirstOrThrow({ where: { requestId: request.id } });
    await decideApproval(db, me, step.id, { decision: 'approve' }, auditContext(actorOf(me)));
    const requesterEmail = (await db.user.findUniqueOrThrow({ where: { id: world.users.req! } })).email;
    await runJobsUntil(tasks, async () => smtp.received.some((m) => m.to.includes(requesterEmail)), 'the requester e-mail');
    const approved = smtp.received.find((m) => m.to.includes(requesterEmail))!;
    expect(decodeQp(approved.raw)).toContain(`REQ-${request.number} was approved`);
    expect(decodeQp(approved.raw)).toContain(`https://skyport.test/requests/${request.id}`);
  });

  it('a failing SMTP server never fails the request: retries, then a notification_failed timeline entry', async () => {
    const smtp = await startSmtp({ fail: true });
    servers.push(smtp);
    const world = await createWorld(db, { req: ['requester'], own: ['requester', 'approver'] }, { owner: 'own' });
    const request = await createPendingRequest(db, world, 'req');
    const outcome = await db.$transaction((tx) =>
      startApprovalChain(tx, { requestId: request.id, projectId: world.projectId, requesterId: world.users.req!, evaluation }, auditContext(SYSTEM_ACTOR)),
    );
    expect(outcome).toBe('pending');
    const tasks = createNotificationTasks({ db: () => db, settings: () => ({ smtpUrl: smtp.url, smtpFrom: 'skyport@test', publicUrl: 'https://skyport.test' }) });
    const failedEvent = () => db.requestEvent.findFirst({ where: { requestId: request.id, type: 'notification_failed' } });
    await runJobsUntil(tasks, async () => (await failedEvent()) !== null, 'the notification_failed entry', true);
    const failed = await failedEvent();
    expect(failed?.message).toMatch(new RegExp(`could not be sent after ${EMAIL_MAX_ATTEMPTS} attempts`));
    expect(smtp.received).toEqual([]);
    // The request and its in-app notification are untouched.
    expect((await db.request.findUniqueOrThrow({ where: { id: request.id } })).status).toBe('pending_approval');
    expect(await db.notification.count({ where: { userId: world.users.own!, type: 'approval_requested' } })).toBe(1);
    // Deciding still works while SMTP is down.
    const me = await principalOf(db, world.users.own!);
    const step = await db.requestApprovalStep.findFirstOrThrow({ where: { requestId: request.id } });
    expect(await decideApproval(db, me, step.id, { decision: 'reject', comment: 'not now' }, auditContext(actorOf(me)))).toMatchObject({ requestStatus: 'rejected' });
  });

  it('without SMTP_URL the job succeeds without sending', async () => {
    const world = await createWorld(db, { u: ['requester'] }, { owner: 'u' });
    await notify(db, { userIds: [world.users.u!], type: 'test', title: 'Hello', body: 'b', link: '/x', email: { subject: 's', text: 't' } });
    const tasks = createNotificationTasks({ db: () => db, settings: () => ({ smtpFrom: 'skyport@test', publicUrl: 'https://skyport.test' }) });
    const email = (await db.user.findUniqueOrThrow({ where: { id: world.users.u! } })).email;
    // A completed graphile job is deleted; a failed one would stay with last_error.
    const left = async () => Number((await db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM graphile_worker._private_jobs WHERE payload->>'to' = ${email}`)[0]!.n);
    await runJobsUntil(tasks, async () => (await left()) === 0, 'the e-mail job to complete');
    expect(await left()).toBe(0);
    expect(await db.notification.count({ where: { userId: world.users.u!, title: 'Hello' } })).toBe(1);
  });
});

describe('in-app notifications', () => {
  it('lists newest first with the unread count and marks read (own rows only)', async () => {
    const world = await createWorld(db, { a: ['requester'], b: ['requester'] }, { owner: 'a' });
    for (const title of ['one', 'two', 'three']) await notify(db, { userIds: [world.users.a!], type: 'test', title, body: '', link: '/requests' });
    await notify(db, { userIds: [world.users.b!], type: 'test', title: 'b only', body: '', link: '/' });
    const a = await principalOf(db, world.users.a!);
    const b = await principalOf(db, world.users.b!);
    const first = await listNotifications(db, a, { limit: 2 });
    expect(first.unreadCount).toBe(3);
    expect(first.notifications).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    const rest = await listNotifications(db, a, { limit: 2, after: first.nextCursor! });
    expect([...first.notifications, ...rest.notifications].map((n) => n.title).sort()).toEqual(['one', 'three', 'two']);

    // b cannot mark a's notification read.
    expect((await markNotificationsRead(db, b, { ids: [first.notifications[0]!.id] })).updated).toBe(0);
    expect(await markNotificationsRead(db, a, { ids: [first.notifications[0]!.id] })).toEqual({ updated: 1, unreadCount: 2 });
    expect((await listNotifications(db, a, { unread: true })).notifications).toHaveLength(2);
    expect(await markNotificationsRead(db, a, { all: true })).toEqual({ updated: 2, unreadCount: 0 });
    expect((await listNotifications(db, b)).unreadCount).toBe(1);
  });
});
