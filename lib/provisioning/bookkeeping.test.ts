// The engine's one-statement bookkeeping writes exactly the rows the state machine writes one call
// at a time (same events, same audit rows, same statuses), refuses a move whose status changed
// under it (nothing written), and the simple-protocol scripts render every value back unchanged.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prisma } from '@/generated/prisma/client';
import { auditContext, SYSTEM_ACTOR } from '../audit/record';
import { transitionItem, transitionRequest } from '../requests/state-machine';
import { createTestDatabase } from '../testing/db';
import { appendTimeline } from '../requests/timeline';
import { recordAudit } from '../audit/record';
import type { JobStatus, RequestItemStatus, RequestStatus } from '@/generated/prisma/enums';
import { Bookkeeping } from './bookkeeping';
import { readSettleState, recordVmSql, settleDecisions } from './provision';
import { inlineSql, prismaQuery, runScript, scriptTransaction, type WithConnection } from './sql';
import { createApprovedRequest, createFixture, startEmulatedAccount, type EmulatedAccount, type Fixture } from './test-fixtures';

const { db, url } = await createTestDatabase();
let aws: EmulatedAccount;
let fixture: Fixture;
const client = new pg.Client({ connectionString: url });
const withConnection: WithConnection = (use) => use(client);

beforeAll(async () => {
  await client.connect();
  fixture = await createFixture(db);
  aws = await startEmulatedAccount(db, 'aws');
});
afterAll(async () => {
  await client.end();
  await aws.emulator.close();
});

/** Events and audit rows of a request, with its own ids replaced so two requests compare equal. */
async function rowsOf(requestId: string, itemId: string) {
  const normalise = (value: unknown) => JSON.parse(JSON.stringify(value ?? null).replaceAll(requestId, '<request>').replaceAll(itemId, '<item>')) as unknown;
  const events = await db.requestEvent.findMany({ where: { requestId }, orderBy: { id: 'asc' } });
  const audits = await db.auditEvent.findMany({ where: { targetId: { in: [requestId, itemId] }, action: { not: 'provisioning.enqueue' } }, orderBy: { id: 'asc' } });
  const request = await db.request.findUniqueOrThrow({ where: { id: requestId }, include: { items: true } });
  return {
    status: request.status,
    completedAt: request.completedAt,
    itemStatus: request.items[0]!.status,
    events: events.map((e) => normalise({ type: e.type, message: e.message, actorLabel: e.actorLabel, itemId: e.itemId, data: e.data })),
    audits: audits.map((a) => normalise({ actorType: a.actorType, actorLabel: a.actorLabel, action: a.action, targetType: a.targetType, targetId: a.targetId, before: a.before, after: a.after })),
  };
}

describe('bookkeeping', () => {
  it('writes the same statuses, events and audit rows as transitionRequest / transitionItem', async () => {
    const viaStateMachine = await createApprovedRequest(db, fixture, [{ account: aws, name: 'same-name' }]);
    const viaBook = await createApprovedRequest(db, fixture, [{ account: aws, name: 'same-name' }]);
    const audit = auditContext(SYSTEM_ACTOR);
    const steps = [
      { to: 'provisioning', type: 'provisioning_started', message: 'Provisioning started.', itemTo: 'provisioning', itemFrom: 'pending' },
      { to: 'completed', type: 'completed', message: 'Every VM is running.', itemTo: 'provisioned', itemFrom: 'provisioning' },
    ] as const;
    for (const step of steps) {
      await db.$transaction(async (tx) => {
        await transitionRequest(tx, viaStateMachine.requestId, step.to, { audit, type: step.type, message: step.message, data: { note: "it's \\ fine" } });
        await transitionItem(tx, viaStateMachine.itemIds[0]!, step.itemTo, { audit, type: 'item_step', message: `same-name → ${step.itemTo}` });
      });
      // The worker's path: a script transaction on a plain pg connection.
      await scriptTransaction(withConnection, async (tx) => {
        const [locked] = (await tx.begin(Prisma.sql`SELECT status::text AS status, number FROM "Request" WHERE id = ${viaBook.requestId} FOR UPDATE`)) as { number: number }[][];
        const book = new Bookkeeping(audit);
        const from = step.to === 'provisioning' ? 'approved' : 'provisioning';
        await book.requestTransition(viaBook.requestId, locked![0]!.number, from, step.to, { type: step.type, message: step.message, data: { note: "it's \\ fine" } });
        await book.itemTransition({ id: viaBook.itemIds[0]!, requestId: viaBook.requestId, name: 'same-name' }, step.itemFrom, step.itemTo, { type: 'item_step', message: `same-name → ${step.itemTo}` });
        await tx.commit(book.statement());
      });
    }
    const expected = await rowsOf(viaStateMachine.requestId, viaStateMachine.itemIds[0]!);
    const actual = await rowsOf(viaBook.requestId, viaBook.itemIds[0]!);
    expect(expected.events).toHaveLength(4);
    expect(expected.audits).toHaveLength(4);
    expect({ ...actual, completedAt: actual.completedAt !== null }).toEqual({ ...expected, completedAt: expected.completedAt !== null });
    expect(actual.status).toBe('completed');
  });

  it('refuses a move whose status changed under it and writes nothing (Prisma and script paths)', async () => {
    const { requestId, itemIds } = await createApprovedRequest(db, fixture, [{ account: aws }]);
    const audit = auditContext(SYSTEM_ACTOR);
    const stale = async () => {
      const book = new Bookkeeping(audit);
      // The item is pending, not provisioning: the guard sees 0 rows moved instead of 1.
      await book.itemTransition({ id: itemIds[0]!, requestId, name: 'x' }, 'provisioning', 'provisioned', { type: 'item_provisioned', message: 'x' });
      return book;
    };
    const book = await stale();
    await expect(db.$transaction((tx) => book.write(prismaQuery(tx)))).rejects.toThrow(/changed under its lock/);
    const script = await stale();
    await expect(scriptTransaction(withConnection, async (tx) => {
      await tx.begin();
      await tx.commit(script.statement());
    })).rejects.toThrow(/changed under its lock/);
    // The connection is usable again (rolled back, not left in an aborted transaction).
    expect(await runScript(client, [Prisma.sql`SELECT ${1} AS one`])).toEqual([[{ one: 1 }]]);
    expect(await db.requestEvent.count({ where: { requestId, type: 'item_provisioned' } })).toBe(0);
    expect((await db.requestItem.findUniqueOrThrow({ where: { id: itemIds[0]! } })).status).toBe('pending');
  });

  it('applies a conditional move (ifFrom) and its rows only when the row is in `from`; named conditions and the gate decide the rest', async () => {
    const { requestId, itemIds } = await createApprovedRequest(db, fixture, [{ account: aws }]);
    const itemId = itemIds[0]!;
    const audit = auditContext(SYSTEM_ACTOR);
    const claim = async (gate: boolean, first: boolean) => {
      const book = new Bookkeeping(audit);
      await book.requestTransition(requestId, null, 'approved', 'provisioning', { type: 'provisioning_started', message: 'r' }, { ifFrom: true });
      await book.itemTransition({ id: itemId, requestId, name: 'x' }, 'pending', 'provisioning', { type: 'provisioning_started', message: 'i' }, { ifFrom: true });
      await book.timeline({ requestId, itemId, type: 'vm_creating', message: 'c' }, { when: 'first' });
      await scriptTransaction(withConnection, async (tx) => {
        await tx.begin();
        await tx.commit(book.statement({ gate: Prisma.sql`${gate}`, conditions: { first: Prisma.sql`${first}` } }));
      });
    };
    const counts = async () => ({
      request: (await db.request.findUniqueOrThrow({ where: { id: requestId } })).status,
      item: (await db.requestItem.findUniqueOrThrow({ where: { id: itemId } })).status,
      events: (await db.requestEvent.findMany({ where: { requestId, type: { in: ['provisioning_started', 'vm_creating'] } }, orderBy: { id: 'asc' } })).map((e) => e.message),
      audits: await db.auditEvent.count({ where: { targetId: { in: [requestId, itemId] }, action: { in: ['request.provisioning', 'request_item.provisioning'] } } }),
    });
    // Gate closed: nothing moves, nothing is written, and the statement does not fail.
    await claim(false, true);
    expect(await counts()).toEqual({ request: 'approved', item: 'pending', events: [], audits: 0 });
    // Both moves apply; the named condition holds.
    await claim(true, true);
    expect(await counts()).toEqual({ request: 'provisioning', item: 'provisioning', events: ['r', 'i', 'c'], audits: 2 });
    // Again: neither row is in `from` any more and the condition is false — nothing new, no failure.
    await claim(true, false);
    expect(await counts()).toEqual({ request: 'provisioning', item: 'provisioning', events: ['r', 'i', 'c'], audits: 2 });
  });

  it('renders every value of a script as a literal that reads back unchanged', async () => {
    const tricky = ["O'Brien", 'back\\slash', "both \\' mixed", 'new\nline', 'ünï©ødé ✓', '', '{"json": "with \\"quotes\\""}', '$1 ? :x'];
    const rows = await runScript(client, tricky.map((value) => Prisma.sql`SELECT ${value}::text AS value, ${-42.5}::float8 AS n, ${null}::text AS nothing, ${true} AS yes`));
    expect(rows.map((r) => (r[0] as { value: string }).value)).toEqual(tricky);
    expect(rows[0]![0]).toMatchObject({ n: -42.5, nothing: null, yes: true });
    expect(() => inlineSql(Prisma.sql`SELECT ${Number.NaN}`)).toThrow(TypeError);
    expect(() => inlineSql(Prisma.sql`SELECT ${new Date()}`)).toThrow(TypeError);
  });

  describe('the record step in one statement (recordVmSql) against settleDecisions + transitionItem / transitionRequest', () => {
    const audit = auditContext({ type: 'system', label: 'worker' });
    /** Item i: name, quantity, status, and the status of each of its jobs but the finishing one (item 0's job 0). */
    interface Scenario {
      request: RequestStatus;
      items: { name: string; quantity: number; status: RequestItemStatus; jobs: JobStatus[] }[];
      /** Expected after the record, so the two paths cannot agree on something wrong. */
      expect: { request: RequestStatus; items: RequestItemStatus[] };
    }

    /** A request in the scenario's state; returns its ids and the finishing job. */
    async function arrange(scenario: Scenario) {
      const { requestId, itemIds } = await createApprovedRequest(db, fixture, scenario.items.map((i) => ({ account: aws, name: i.name, quantity: i.quantity })));
      await db.request.update({ where: { id: requestId }, data: { status: scenario.request } });
      const jobIds: string[] = [];
      for (const [n, spec] of scenario.items.entries()) {
        await db.requestItem.update({ where: { id: itemIds[n]! }, data: { status: spec.status } });
        const jobs = await db.provisioningJob.findMany({ where: { requestItemId: itemIds[n]! }, orderBy: { idempotencyKey: 'asc' } });
        for (const [j, job] of jobs.entries()) {
          // Item 0's first job is the one finishing now: running.
          const status = n === 0 && j === 0 ? 'running' : spec.jobs[n === 0 ? j - 1 : j]!;
          await db.provisioningJob.update({ where: { id: job.id }, data: { status } });
          jobIds.push(job.id);
        }
      }
      const finishing = (await db.provisioningJob.findFirstOrThrow({ where: { requestItemId: itemIds[0]!, status: 'running' }, orderBy: { idempotencyKey: 'asc' } })).id;
      return { requestId, itemIds, jobIds, finishing };
    }

    const observedFor = (requestId: string) => ({
      providerId: `i-${requestId}`,
      name: 'web-1',
      region: aws.region,
      size: aws.size,
      state: 'running' as const,
      providerState: 'running',
      tags: { 'skyport-name': 'web-1' },
      skyport: null,
    });
    const tags = (requestId: string) => ({ owner: fixture.email, project: fixture.projectKey, request: requestId, skyportId: 'k' });
    const claimRow = (itemId: string) => ({ itemId, providerAccountId: aws.accountId, providerKind: 'aws' as const, vcpus: 1, memoryMiB: 1024, diskGiB: 10, leaseDays: null, requesterId: fixture.userId, projectId: fixture.projectId });

    /** The worker's path: BEGIN; lock; the one statement; COMMIT — one round trip. */
    async function recordBySql(requestId: string, itemId: string, jobId: string) {
      const statement = await recordVmSql(jobId, { requestId, itemId, index: 0, vmKey: `${itemId}-0` }, claimRow(itemId), observedFor(requestId), tags(requestId), audit, new Date());
      await runScript(client, ['BEGIN', Prisma.sql`SELECT id FROM "Request" WHERE id = ${requestId} FOR UPDATE`, statement, 'COMMIT']);
    }

    /** The domain path: the same Vm and job, the rules of settleDecisions, applied with transitionItem / transitionRequest. */
    async function recordByStateMachine(requestId: string, itemId: string, jobId: string) {
      await db.$transaction(async (tx) => {
        await tx.$queryRaw`SELECT id FROM "Request" WHERE id = ${requestId} FOR UPDATE`;
        const observed = observedFor(requestId);
        const vm = await tx.vm.create({
          data: { providerAccountId: aws.accountId, providerKind: 'aws', providerId: observed.providerId, name: 'web-1', regionCode: aws.region, size: aws.size, vcpus: 1, memoryMiB: 1024, diskGiB: 10, state: 'running', providerState: 'running', tags: observed.tags, ownerId: fixture.userId, projectId: fixture.projectId, requestItemId: itemId, createdBySkyport: true, managed: true, idempotencyKey: `${itemId}-0` },
        });
        await tx.provisioningJob.update({ where: { id: jobId }, data: { status: 'succeeded', vmId: vm.id, finishedAt: new Date() } });
        await recordAudit(tx, audit, { action: 'vm.create', targetType: 'vm', targetId: vm.id, after: { name: 'web-1', providerId: observed.providerId, requestItemId: itemId, tags: tags(requestId) } });
        await appendTimeline(tx, { requestId, itemId, type: 'vm_created', message: `web-1 is running (${observed.providerId}).`, actorLabel: audit.actor.label, data: { index: 0, providerId: observed.providerId, vmId: vm.id } });
        const decisions = settleDecisions(await readSettleState(prismaQuery(tx), requestId));
        for (const { item, event } of decisions.items) await transitionItem(tx, item.id, 'provisioned', { audit, ...event });
        if (decisions.request) await transitionRequest(tx, requestId, decisions.request.to, { audit, ...decisions.request.event });
      });
    }

    /** Everything the record wrote for a request, with its own ids (request, items, jobs, VM) replaced by placeholders. */
    async function recordedRows(requestId: string, itemIds: string[], jobIds: string[]) {
      const vms = await db.vm.findMany({ where: { requestItemId: { in: itemIds } } });
      const ids: [string, string][] = [[requestId, '<request>'], ...itemIds.map((id, n): [string, string] => [id, `<item ${n}>`]), ...jobIds.map((id, n): [string, string] => [id, `<job ${n}>`]), ...vms.map((v, n): [string, string] => [v.id, `<vm ${n}>`])];
      const normalise = (value: unknown) => {
        let text = JSON.stringify(value ?? null);
        for (const [id, name] of ids) text = text.replaceAll(id, name);
        return JSON.parse(text) as unknown;
      };
      const events = await db.requestEvent.findMany({ where: { requestId, type: { notIn: ['provisioning_started'] } }, orderBy: { id: 'asc' } });
      const audits = await db.auditEvent.findMany({ where: { targetId: { in: [requestId, ...itemIds, ...vms.map((v) => v.id)] }, action: { not: 'provisioning.enqueue' } }, orderBy: { id: 'asc' } });
      const request = await db.request.findUniqueOrThrow({ where: { id: requestId }, include: { items: { orderBy: { createdAt: 'asc' } } } });
      const jobs = await db.provisioningJob.findMany({ where: { id: { in: jobIds } } });
      return {
        request: request.status,
        completedAt: request.completedAt !== null,
        items: request.items.map((i) => i.status),
        jobs: normalise(jobIds.map((id) => { const j = jobs.find((x) => x.id === id)!; return { status: j.status, vmId: j.vmId }; })),
        vms: vms.map((v) => ({ providerId: normalise(v.providerId), name: v.name, idempotencyKey: normalise(v.idempotencyKey), requestItemId: normalise(v.requestItemId) })),
        events: events.map((e) => normalise({ type: e.type, message: e.message, actorLabel: e.actorLabel, itemId: e.itemId, data: e.data })),
        audits: audits.map((a) => normalise({ actorType: a.actorType, actorId: a.actorId, actorLabel: a.actorLabel, action: a.action, targetType: a.targetType, targetId: a.targetId, before: a.before, after: a.after, requestId: a.requestId, ip: a.ip })),
      };
    }

    const scenarios: Record<string, Scenario> = {
      'the last VM of the last item: item provisioned, request completed': {
        request: 'provisioning',
        items: [{ name: "web's", quantity: 2, status: 'provisioning', jobs: ['succeeded'] }],
        expect: { request: 'completed', items: ['provisioned'] },
      },
      'the last VM while an item failed earlier: request failed, naming the failed items in order': {
        request: 'provisioning',
        items: [
          { name: 'web', quantity: 1, status: 'provisioning', jobs: [] },
          { name: 'db', quantity: 1, status: 'failed', jobs: ['failed'] },
          { name: 'cache', quantity: 2, status: 'failed', jobs: ['succeeded', 'failed'] },
        ],
        expect: { request: 'failed', items: ['provisioned', 'failed', 'failed'] },
      },
      'a VM of an item with another still running: nothing settles': {
        request: 'provisioning',
        items: [{ name: 'web', quantity: 3, status: 'provisioning', jobs: ['succeeded', 'running'] }],
        expect: { request: 'provisioning', items: ['provisioning'] },
      },
      'the last VM of one item while another item still has a job queued: only the item settles': {
        request: 'provisioning',
        items: [
          { name: 'web', quantity: 1, status: 'provisioning', jobs: [] },
          { name: 'db', quantity: 1, status: 'provisioning', jobs: ['queued'] },
        ],
        expect: { request: 'provisioning', items: ['provisioned', 'provisioning'] },
      },
      'the last VM while another item is still pending: only the item settles': {
        request: 'provisioning',
        items: [
          { name: 'web', quantity: 1, status: 'provisioning', jobs: [] },
          { name: 'db', quantity: 1, status: 'pending', jobs: ['queued'] },
        ],
        expect: { request: 'provisioning', items: ['provisioned', 'pending'] },
      },
      'a retried item (failed → provisioning again) finishing: request completed': {
        request: 'provisioning',
        items: [
          { name: 'web', quantity: 2, status: 'provisioning', jobs: ['succeeded'] },
          { name: 'db', quantity: 1, status: 'provisioned', jobs: ['succeeded'] },
        ],
        expect: { request: 'completed', items: ['provisioned', 'provisioned'] },
      },
      'a cancelled request: the VM is recorded, nothing moves': {
        request: 'cancelled',
        items: [{ name: 'web', quantity: 1, status: 'cancelled', jobs: [] }],
        expect: { request: 'cancelled', items: ['cancelled'] },
      },
    };

    for (const [name, scenario] of Object.entries(scenarios)) {
      it(name, async () => {
        const bySql = await arrange(scenario);
        const byStateMachine = await arrange(scenario);
        await recordBySql(bySql.requestId, bySql.itemIds[0]!, bySql.finishing);
        await recordByStateMachine(byStateMachine.requestId, byStateMachine.itemIds[0]!, byStateMachine.finishing);
        const actual = await recordedRows(bySql.requestId, bySql.itemIds, bySql.jobIds);
        const expected = await recordedRows(byStateMachine.requestId, byStateMachine.itemIds, byStateMachine.jobIds);
        expect({ request: actual.request, items: actual.items }).toEqual(scenario.expect);
        expect(actual).toEqual(expected);
        expect(actual.vms).toHaveLength(1);
      });
    }

    it('a duplicate record (the job already succeeded) is a no-op', async () => {
      const scenario = scenarios['the last VM of the last item: item provisioned, request completed']!;
      const twice = await arrange(scenario);
      const once = await arrange(scenario);
      await recordBySql(twice.requestId, twice.itemIds[0]!, twice.finishing);
      const after = await recordedRows(twice.requestId, twice.itemIds, twice.jobIds);
      await recordBySql(twice.requestId, twice.itemIds[0]!, twice.finishing);
      await recordByStateMachine(once.requestId, once.itemIds[0]!, once.finishing);
      expect(await recordedRows(twice.requestId, twice.itemIds, twice.jobIds)).toEqual(after);
      expect(after).toEqual(await recordedRows(once.requestId, once.itemIds, once.jobIds));
      expect(after.events.filter((e) => (e as { type: string }).type === 'vm_created')).toHaveLength(1);
    });

    it('fails and writes nothing when the job row is gone', async () => {
      const scenario = scenarios['a VM of an item with another still running: nothing settles']!;
      const { requestId, itemIds } = await arrange(scenario);
      await expect(recordBySql(requestId, itemIds[0]!, 'pj-missing')).rejects.toThrow(/changed under its lock/);
      await client.query('ROLLBACK');
      expect(await db.vm.count({ where: { requestItemId: itemIds[0]! } })).toBe(0);
    });
  });
});
