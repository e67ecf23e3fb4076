// The engine's one-statement bookkeeping writes exactly the rows the state machine writes one call
// at a time (same events, same audit rows, same statuses), refuses a move whose status changed
// under it (nothing written), and the simple-protocol scripts render every value back unchanged.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prisma } from '@/generated/prisma/client';
import { auditContext, SYSTEM_ACTOR } from '../audit/record';
import { transitionItem, transitionRequest } from '../requests/state-machine';
import { createTestDatabase } from '../testing/db';
import { Bookkeeping } from './bookkeeping';
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
});
