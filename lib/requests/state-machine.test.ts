// The request and item state machines: every (from, to) pair against the contract's table, and
// the transition functions on a real PostgreSQL (row lock, 409 text, timestamps, timeline, audit).
import { beforeAll, describe, expect, it } from 'vitest';
import type { RequestItemStatus, RequestStatus } from '@/generated/prisma/enums';
import { auditContext } from '../audit/record';
import type { Db } from '../db/client';
import { ConflictError } from '../errors';
import { createTestDatabase } from '../testing/db';
import { canTransitionItem, canTransitionRequest, transitionItem, transitionRequest } from './state-machine';
import { appendTimeline, readTimeline } from './timeline';

const REQUEST: RequestStatus[] = ['draft', 'pending_approval', 'approved', 'rejected', 'cancelled', 'provisioning', 'completed', 'failed'];
const ITEM: RequestItemStatus[] = ['pending', 'provisioning', 'provisioned', 'failed', 'cancelled'];

// Contract 4, written out independently of the implementation's table.
const ALLOWED_REQUEST = new Set([
  'draft>pending_approval', 'draft>approved', 'draft>rejected', 'draft>cancelled',
  'pending_approval>approved', 'pending_approval>rejected', 'pending_approval>cancelled',
  'approved>provisioning', 'approved>cancelled',
  'provisioning>completed', 'provisioning>failed',
  'failed>provisioning',
]);
const ALLOWED_ITEM = new Set(['pending>provisioning', 'pending>cancelled', 'provisioning>provisioned', 'provisioning>failed', 'failed>provisioning']);

describe('transition tables', () => {
  it.each(REQUEST.flatMap((from) => REQUEST.map((to) => [from, to] as const)))('request %s → %s', (from, to) => {
    expect(canTransitionRequest(from, to)).toBe(ALLOWED_REQUEST.has(`${from}>${to}`));
  });
  it.each(ITEM.flatMap((from) => ITEM.map((to) => [from, to] as const)))('item %s → %s', (from, to) => {
    expect(canTransitionItem(from, to)).toBe(ALLOWED_ITEM.has(`${from}>${to}`));
  });
});

describe('transitionRequest / transitionItem on PostgreSQL', () => {
  let db: Db;
  let requestId = '';
  let itemId = '';
  const audit = auditContext({ type: 'user', id: 'u1', label: 'alice@t.test' });

  beforeAll(async () => {
    ({ db } = await createTestDatabase());
    const user = await db.user.create({ data: { email: 'alice@t.test', name: 'Alice' } });
    const project = await db.project.create({ data: { key: 'p', name: 'P', costCentre: 'C', ownerId: user.id } });
    const template = await db.catalogTemplate.create({ data: { slug: 't', name: 'T', os: 'L', vcpus: 1, memoryMiB: 1024, diskGiB: 10 } });
    const version = await db.catalogTemplateVersion.create({ data: { templateId: template.id, version: 1, snapshot: {} } });
    const account = await db.providerAccount.create({ data: { kind: 'aws', name: 'a', settings: {}, secretsCiphertext: 'x' } });
    const request = await db.request.create({
      data: {
        requesterId: user.id, projectId: project.id,
        items: { create: [{ templateVersionId: version.id, providerAccountId: account.id, regionCode: 'r', size: 's', image: 'i', name: 'vm', vcpus: 1, memoryMiB: 1024, diskGiB: 10, estimatedMonthlyCost: 1 }] },
      },
      include: { items: true },
    });
    requestId = request.id;
    itemId = request.items[0]!.id;
  });

  it('walks draft → pending_approval → approved → provisioning → failed → provisioning → completed with timestamps, timeline and audit', async () => {
    const steps: RequestStatus[] = ['pending_approval', 'approved', 'provisioning', 'failed', 'provisioning', 'completed'];
    for (const to of steps) await transitionRequest(db, requestId, to, { audit, type: to, message: `to ${to}`, data: { step: to } });
    const r = await db.request.findUniqueOrThrow({ where: { id: requestId } });
    expect(r.status).toBe('completed');
    expect(r.submittedAt).not.toBeNull();
    expect(r.decidedAt).not.toBeNull();
    expect(r.completedAt).not.toBeNull();
    const timeline = await readTimeline(db, requestId);
    expect(timeline.map((t) => t.type)).toEqual(steps);
    expect(timeline[0]).toMatchObject({ message: 'to pending_approval', actorLabel: 'alice@t.test', data: { step: 'pending_approval' } });
    const audits = await db.auditEvent.findMany({ where: { targetId: requestId }, orderBy: { id: 'asc' } });
    expect(audits.map((a) => a.action)).toEqual(steps.map((s) => `request.${s}`));
    expect(audits[0]!.before).toEqual({ status: 'draft' });
  });

  it('refuses an illegal transition with a 409 naming from → to, and changes nothing', async () => {
    const error = await transitionRequest(db, requestId, 'approved', { audit, type: 'approved', message: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).status).toBe(409);
    expect((error as Error).message).toMatch(/^Request REQ-\d+ cannot go from completed to approved \(completed is final\)\.$/);
    expect(await db.requestEvent.count({ where: { requestId } })).toBe(6);
  });

  it('moves items and refuses illegal item moves', async () => {
    await transitionItem(db, itemId, 'provisioning', { audit, type: 'vm_creating', message: 'creating' });
    await transitionItem(db, itemId, 'provisioned', { audit, type: 'vm_created', message: 'created' });
    await expect(transitionItem(db, itemId, 'pending', { audit, type: 'x', message: 'x' })).rejects.toThrow('Item vm cannot go from provisioned to pending (provisioned is final).');
    const events = await db.requestEvent.findMany({ where: { itemId }, orderBy: { id: 'asc' } });
    expect(events.map((e) => e.type)).toEqual(['vm_creating', 'vm_created']);
    expect(await db.auditEvent.count({ where: { targetId: itemId, action: { startsWith: 'request_item.' } } })).toBe(2);
  });

  it('a transition inside a failed transaction leaves no trace', async () => {
    const other = await db.request.create({ data: { requesterId: (await db.user.findFirstOrThrow()).id, projectId: (await db.project.findFirstOrThrow()).id } });
    await expect(
      db.$transaction(async (tx) => {
        await transitionRequest(tx, other.id, 'cancelled', { audit, type: 'cancelled', message: 'bye' });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect((await db.request.findUniqueOrThrow({ where: { id: other.id } })).status).toBe('draft');
    expect(await db.requestEvent.count({ where: { requestId: other.id } })).toBe(0);
    await appendTimeline(db, { requestId: other.id, type: 'x'.repeat(100), message: 'm'.repeat(5000) });
    const [event] = await readTimeline(db, other.id);
    expect(event!.type).toHaveLength(64);
    expect(event!.message).toHaveLength(2000);
  });
});
