import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR, auditContext } from '../audit/record';
import type { Db } from '../db/client';
import { ForbiddenError } from '../errors';
import { createTestDatabase } from '../testing/db';
import { projectBudgetStatus } from './budget-status';
import { createBudget, evaluateBudgetAlerts, listBudgets, updateBudget } from './budgets';
import { runChargeback } from './chargeback';
import { RANK_BOUND_FACTOR, byteOrder, exactTopFromCandidates, getCostBreakdown, getCostSummary, listCostLineItems } from './costs';
import { importWatchedFolder } from './folder-import';
import { buildTagRollups, importCostFile } from './importer';
import { buildResourceRollups } from './resource-rollup';
import { Decimal } from './money';
import { scopeKeyFor } from './normalize';
import { costScopeFor, type CostScope } from './scope';
import { showbackCsv } from './showback';
import { type FocusTestRow, focusCsv } from './testing';

let db: Db;
let url = '';
let tmp = '';
const audit = () => auditContext(SYSTEM_ACTOR);
const ALL: CostScope = { all: true };
const ids = { admin: '', owner: '', requester: '', shop: '', data: '', vm: '' };

async function importRows(name: string, rows: FocusTestRow[]) {
  const file = path.join(tmp, name);
  await writeFile(file, focusCsv(rows));
  const result = await importCostFile(db, url, file, { fileName: name, audit: audit() });
  expect(result.status, JSON.stringify(result.errors.slice(0, 3))).toBe('succeeded');
  return result;
}

beforeAll(async () => {
  ({ db, url } = await createTestDatabase());
  tmp = await mkdtemp(path.join(tmpdir(), 'skyport-costs-'));
  ids.admin = (await db.user.create({ data: { email: 'admin@c.test', name: 'Admin', roles: ['requester', 'approver', 'admin'] } })).id;
  ids.owner = (await db.user.create({ data: { email: 'owner@c.test', name: 'Owner', roles: ['requester'] } })).id;
  ids.requester = (await db.user.create({ data: { email: 'req@c.test', name: 'Req', roles: ['requester'] } })).id;
  ids.shop = (await db.project.create({ data: { key: 'shop', name: 'Shop', costCentre: 'CC-1', ownerId: ids.owner } })).id;
  ids.data = (await db.project.create({ data: { key: 'data', name: 'Data', costCentre: 'CC-2', ownerId: ids.admin } })).id;
  await db.projectMembership.create({ data: { projectId: ids.shop, userId: ids.owner, role: 'owner' } });
  await db.projectMembership.create({ data: { projectId: ids.shop, userId: ids.requester, role: 'member' } });
  const account = await db.providerAccount.create({ data: { name: 'aws-1', kind: 'aws', settings: {}, secretsCiphertext: 'x' } });
  ids.vm = (
    await db.vm.create({ data: { providerAccountId: account.id, providerKind: 'aws', regionCode: 'eu-west-1', providerId: 'i-shop1', name: 'shop-web-1', size: 't3.small', projectId: ids.shop } })
  ).id;

  await importRows('march-aws.csv', [
    { provider: 'AWS', account: 'A1', start: '2026-03-01T00:00:00Z', billed: '0.1', region: 'eu-west-1', resourceId: 'i-shop1', service: 'EC2' },
    { provider: 'AWS', account: 'A1', start: '2026-03-01T01:00:00Z', billed: '0.2', region: 'eu-west-1', resourceId: 'i-shop1', service: 'EC2' },
    { provider: 'AWS', account: 'A1', start: '2026-03-02T00:00:00Z', billed: '1000', effective: '0', category: 'Purchase', service: 'Savings Plans', tags: { project: 'data' } },
    { provider: 'AWS', account: 'A1', start: '2026-03-10T00:00:00Z', billed: '0', effective: '2.7', region: 'us-east-1', service: 'EC2', tags: { project: 'data', team: 'bi' } },
  ]);
  await importRows('march-gcp.csv', [
    { provider: 'Google Cloud', account: 'G1', start: '2026-03-03T00:00:00Z', billed: '5.005', region: 'europe-west1', service: 'Compute Engine', tags: { 'cost-center': 'CC-1' } },
    { provider: 'Google Cloud', account: 'G1', start: '2026-02-20T00:00:00Z', billed: '3', region: 'europe-west1', service: 'Compute Engine', tags: { project: 'shop' } },
  ]);
});

const filters = (start: string, end: string) => ({ start, end });

describe('getCostSummary', () => {
  it('totals by FOCUS ProviderName, exact decimals, billed vs effective', async () => {
    const s = await getCostSummary(db, ALL, filters('2026-03-01', '2026-04-01'), new Date('2026-03-15T12:00:00Z'));
    expect(s.currency).toBe('USD');
    expect(s.totals).toEqual([
      { provider: 'Google Cloud', currency: 'USD', billedCost: '5.005', effectiveCost: '5.005' },
      { provider: 'AWS', currency: 'USD', billedCost: '1000.30', effectiveCost: '3.00' },
    ]);
    expect(s.total).toEqual({ billedCost: '1005.305', effectiveCost: '8.005' });
    expect(s.monthToDate).toEqual({ billedCost: '1005.305', effectiveCost: '8.005' });
    // 8.005 / 15 days × 31 = 16.5436… → 16.54
    expect(s.forecastMonthEnd).toMatchObject({ effectiveCost: '16.54' });
    expect(s.lastMonth).toEqual({ billedCost: '3.00', effectiveCost: '3.00' });
  });

  it('counts charge periods overlapping the range (a 1-hour charge crossing midnight counts on both days)', async () => {
    await importRows('overlap.csv', [{ provider: 'Overlap Cloud', start: '2026-05-01T23:30:00Z', billed: '1', hours: 1 }]);
    const day2 = await getCostSummary(db, ALL, { ...filters('2026-05-02', '2026-05-03'), provider: 'Overlap Cloud' });
    expect(day2.totals).toEqual([{ provider: 'Overlap Cloud', currency: 'USD', billedCost: '1.00', effectiveCost: '1.00' }]);
    const before = await getCostSummary(db, ALL, { ...filters('2026-04-01', '2026-05-01'), provider: 'Overlap Cloud' });
    expect(before.totals).toEqual([]);
  });

  it('scopes non-admins to the projects they own; a requester sees none of them', async () => {
    const owner = costScopeFor({ via: 'session', userId: ids.owner, email: '', name: '', roles: ['requester'], projects: { [ids.shop]: 'owner' } });
    const requester = costScopeFor({ via: 'session', userId: ids.requester, email: '', name: '', roles: ['requester'], projects: { [ids.shop]: 'member' } });
    const mine = await getCostSummary(db, owner, filters('2026-03-01', '2026-04-01'));
    // shop: the two EC2 hours on its VM + the GCP row tagged cost-center=CC-1
    expect(mine.total).toEqual({ billedCost: '5.305', effectiveCost: '5.305' });
    const none = await getCostSummary(db, requester, filters('2026-03-01', '2026-04-01'));
    expect(none.totals).toEqual([]);
    await expect(getCostSummary(db, requester, { ...filters('2026-03-01', '2026-04-01'), projectId: ids.data })).rejects.toBeInstanceOf(ForbiddenError);
    const items = await listCostLineItems(db, owner, filters('2026-01-01', '2026-12-01'), { page: 1, pageSize: 50 });
    expect(new Set(items.items.map((i) => i.projectId))).toEqual(new Set([ids.shop]));
  });
});

describe('getCostBreakdown', () => {
  it('pivots by provider × project from the rollup, with a daily trend', async () => {
    const b = await getCostBreakdown(db, ALL, filters('2026-03-01', '2026-04-01'), { groupBy: 'provider', pivot: 'project' });
    expect(b.source).toBe('rollup');
    const aws = b.rows.find((r) => r.key === 'AWS')!;
    expect(aws.cells[ids.shop]).toEqual({ billedCost: '0.30', effectiveCost: '0.30' });
    expect(aws.cells[ids.data]).toEqual({ billedCost: '1000.00', effectiveCost: '2.70' });
    expect(b.columns.map((c) => c.label).sort()).toEqual(['Data', 'Shop']);
    expect(b.daily).toHaveLength(31);
    expect(b.daily[0]).toEqual({ day: '2026-03-01', billedCost: '0.30', effectiveCost: '0.30' });
    expect(b.daily[9]).toEqual({ day: '2026-03-10', billedCost: '0.00', effectiveCost: '2.70' });
  });

  it('groups by tag and by resource (raw rows) and drills down to the line items of a VM', async () => {
    const byTag = await getCostBreakdown(db, ALL, filters('2026-03-01', '2026-04-01'), { groupBy: 'tag', tagKey: 'project' });
    expect(byTag.source).toBe('tagRollup'); // `project` is a mapping key: rolled up at import
    expect(byTag.rows.map((r) => [r.key, r.effectiveCost])).toEqual([['', '5.305'], ['data', '2.70']]);
    const byTeam = await getCostBreakdown(db, ALL, filters('2026-03-01', '2026-04-01'), { groupBy: 'tag', tagKey: 'team' });
    expect(byTeam.source).toBe('raw'); // not rolled up
    expect(byTeam.rows.map((r) => [r.key, r.effectiveCost])).toEqual([['', '5.305'], ['bi', '2.70']]);
    const dataOnly = await listCostLineItems(db, ALL, { ...filters('2026-03-01', '2026-04-01'), tagKey: 'project', tagValue: 'data' }, { page: 1, pageSize: 10 });
    expect(dataOnly.total).toBe(2);
    const untagged = await getCostSummary(db, ALL, { ...filters('2026-03-01', '2026-04-01'), tagKey: 'project', tagValue: '' });
    expect(untagged.total.effectiveCost).toBe('5.305');
    const byResource = await getCostBreakdown(db, ALL, { ...filters('2026-03-01', '2026-04-01'), provider: 'AWS' }, { groupBy: 'resource' });
    const vmRow = byResource.rows.find((r) => r.key === 'i-shop1')!;
    expect(vmRow).toMatchObject({ label: 'shop-web-1', billedCost: '0.30' });
    const items = await listCostLineItems(db, ALL, { ...filters('2026-03-01', '2026-04-01'), resourceId: 'i-shop1' }, { page: 1, pageSize: 10 });
    expect(items.total).toBe(2);
    expect(items.items.every((i) => i.vmId === ids.vm && i.vmName === 'shop-web-1')).toBe(true);
    expect(items.items.map((i) => i.billedCost).sort()).toEqual(['0.10', '0.20']);
  });

  it('keeps only the top rows (ranked in SQL) with their pivot cells, while the total and the trend cover every row', async () => {
    const march = filters('2026-03-01', '2026-04-01');
    const all = await getCostBreakdown(db, ALL, march, { groupBy: 'resource', pivot: 'provider' });
    expect(all.rows.map((r) => [r.key, r.effectiveCost])).toEqual([['', '7.705'], ['i-shop1', '0.30']]);
    const top = await getCostBreakdown(db, ALL, march, { groupBy: 'resource', pivot: 'provider', limit: 1 });
    expect(top.rows).toHaveLength(1);
    expect(top.rows[0]).toMatchObject({ key: '', label: '(none)', billedCost: '1005.005', effectiveCost: '7.705' });
    expect(top.rows[0]!.cells).toEqual({ AWS: { billedCost: '1000.00', effectiveCost: '2.70' }, 'Google Cloud': { billedCost: '5.005', effectiveCost: '5.005' } });
    expect(top.total).toEqual({ billedCost: '1005.305', effectiveCost: '8.005' });
    expect(top.total).toEqual(all.total);
    expect(top.daily).toEqual(all.daily);
    // Without a pivot, resources are ranked by effective cost first and billed cost is summed for the
    // top ones only: the same sums as the one-statement pivot path, for every row and for the cut.
    const flat = await getCostBreakdown(db, ALL, march, { groupBy: 'resource' });
    expect(flat.rows.map((r) => [r.key, r.billedCost, r.effectiveCost])).toEqual(all.rows.map((r) => [r.key, r.billedCost, r.effectiveCost]));
    expect(flat.rows.map((r) => r.billedCost)).toEqual(['1005.005', '0.30']);
    const flatTop = await getCostBreakdown(db, ALL, { ...march, provider: 'AWS' }, { groupBy: 'resource', limit: 1 });
    expect(flatTop.rows.map((r) => [r.key, r.billedCost, r.effectiveCost])).toEqual([['', '1000.00', '2.70']]);
    // The line-item total (from the rollup's row counts without raw filters) equals the rows listed.
    const items = await listCostLineItems(db, ALL, march, { page: 1, pageSize: 100 });
    expect(items.total).toBe(items.items.length);
    expect(items.total).toBe(5);
  });

  it('scopes raw breakdowns and line items to the owner’s projects', async () => {
    const owner = costScopeFor({ via: 'session', userId: ids.owner, email: '', name: '', roles: ['requester'], projects: { [ids.shop]: 'owner' } });
    const march = filters('2026-03-01', '2026-04-01');
    const byResource = await getCostBreakdown(db, owner, march, { groupBy: 'resource' });
    // shop: its VM's two EC2 hours + the GCP row tagged cost-center=CC-1 (no resource); nothing of project data
    expect(byResource.rows.map((r) => [r.key, r.label, r.effectiveCost])).toEqual([['', '(none)', '5.005'], ['i-shop1', 'shop-web-1', '0.30']]);
    expect(byResource.total.effectiveCost).toBe('5.305');
    const items = await listCostLineItems(db, owner, march, { page: 1, pageSize: 10 });
    expect(items.total).toBe(3);
    expect(items.items.every((i) => i.projectId === ids.shop)).toBe(true);
  });
});

describe('tag rollup', () => {
  const march = filters('2026-03-01', '2026-04-01');
  /** Every breakdown the tag rollup may answer, as [name, run]; compared between the tag rollup and raw rows. */
  const owner = () => costScopeFor({ via: 'session', userId: ids.owner, email: '', name: '', roles: ['requester'], projects: { [ids.shop]: 'owner' } });
  const cases = (): [string, () => ReturnType<typeof getCostBreakdown>][] => [
    ['by tag', () => getCostBreakdown(db, ALL, march, { groupBy: 'tag', tagKey: 'project' })],
    ['by tag × provider', () => getCostBreakdown(db, ALL, march, { groupBy: 'tag', pivot: 'provider', tagKey: 'project' })],
    ['by service × tag', () => getCostBreakdown(db, ALL, march, { groupBy: 'service', pivot: 'tag', tagKey: 'project' })],
    ['by cost-center, one region', () => getCostBreakdown(db, ALL, { ...march, region: 'europe-west1' }, { groupBy: 'tag', tagKey: 'cost-center' })],
    ['by service, tag project = data', () => getCostBreakdown(db, ALL, { ...march, tagKey: 'project', tagValue: 'data' }, { groupBy: 'service', tagKey: 'project' })],
    ['by provider, untagged', () => getCostBreakdown(db, ALL, { ...march, tagKey: 'project', tagValue: '' }, { groupBy: 'provider', tagKey: 'project' })],
    ['by tag, one week', () => getCostBreakdown(db, ALL, filters('2026-03-01', '2026-03-08'), { groupBy: 'tag', tagKey: 'project' })],
    ['by tag, the owner’s projects', () => getCostBreakdown(db, owner(), march, { groupBy: 'tag', tagKey: 'cost-center' })],
    ['by tag, top 1', () => getCostBreakdown(db, ALL, march, { groupBy: 'tag', tagKey: 'project', limit: 1 })],
  ];

  it('answers breakdowns by a rolled-up tag exactly as raw rows do; a leaf without the key falls back to raw rows', async () => {
    const viaRollup = [];
    for (const [name, run] of cases()) {
      const b = await run();
      expect(b.source, name).toBe('tagRollup');
      viaRollup.push({ ...b, source: 'raw' });
    }
    // Without the key on one leaf the whole breakdown reads raw rows (the rollup cannot be partial).
    const keys = await db.costTagRollupKey.findMany();
    const gcp = keys.filter((k) => k.billingMonth.toISOString().startsWith('2026-03') && ['project', 'cost-center'].includes(k.tagKey));
    expect(gcp.length).toBeGreaterThan(0);
    await db.costTagRollupKey.deleteMany({ where: { OR: gcp.map(({ billingMonth, scopeKey, tagKey }) => ({ billingMonth, scopeKey, tagKey })) } });
    try {
      const viaRaw = [];
      for (const [name, run] of cases()) {
        const b = await run();
        expect(b.source, name).toBe('raw');
        viaRaw.push(b);
      }
      expect(viaRollup).toEqual(viaRaw);
      // the values behind them, so the comparison compares something
      expect(viaRaw[0]!.rows.map((r) => [r.key, r.billedCost, r.effectiveCost])).toEqual([['', '5.305', '5.305'], ['data', '1000.00', '2.70']]);
      expect(viaRaw[4]!.rows.map((r) => [r.key, r.billedCost, r.effectiveCost])).toEqual([['EC2', '0.00', '2.70'], ['Savings Plans', '1000.00', '0.00']]);
    } finally {
      await db.costTagRollupKey.createMany({ data: gcp });
    }
  });

  it('is not used for a resource dimension or filter, or a filter on another tag', async () => {
    expect((await getCostBreakdown(db, ALL, march, { groupBy: 'tag', pivot: 'resource', tagKey: 'project' })).source).toBe('raw');
    expect((await getCostBreakdown(db, ALL, { ...march, resourceId: 'i-shop1' }, { groupBy: 'tag', tagKey: 'project' })).source).toBe('raw');
    expect((await getCostBreakdown(db, ALL, { ...march, tagKey: 'team', tagValue: 'bi' }, { groupBy: 'tag', tagKey: 'project' })).source).toBe('raw');
  });

  it('is built after the swap only by the import whose rows the leaf holds: a late build for a replaced import changes nothing', async () => {
    const rows = (billed: string): FocusTestRow[] => [{ provider: 'Tagged late', account: 'T1', start: '2026-05-03T00:00:00Z', billed, tags: { project: 'shop' } }];
    const first = await importRows('tag-first.csv', rows('1'));
    await importRows('tag-second.csv', rows('2'));
    const may = new Date('2026-05-01T00:00:00Z');
    const scopeKey = scopeKeyFor('Tagged late', 'T1');
    const leafRollup = () => db.costTagRollup.findMany({ where: { billingMonth: may, scopeKey }, select: { tagKey: true, tagValue: true, billedCost: true } });
    const built = await leafRollup();
    expect(built.filter((r) => r.tagKey === 'project').map((r) => [r.tagValue, r.billedCost.toString()])).toEqual([['shop', '2']]);
    // The first import's build, arriving late (after the second swapped its rows in), is skipped.
    await buildTagRollups(db, first.importId, [{ month: '2026-05-01', scopeKey }], ['project', 'team']);
    expect(await leafRollup()).toEqual(built);
  });
});

describe('float8 ranking with an exact cut (exactTopFromCandidates)', () => {
  /** The float8 ranking's inputs for groups of exact terms, summed as PostgreSQL would (term by term, in order). */
  function rank(groups: [string, string[]][], size: number) {
    const all = groups.map(([g, terms]) => {
      let a = 0;
      let m = 0;
      for (const t of terms) {
        a += Number(t);
        m += Math.abs(Number(t));
      }
      return { g, u: a + m * (terms.length + 2) * RANK_BOUND_FACTOR, exact: terms.reduce((s, t) => s.plus(t), new Decimal(0)) };
    });
    const byUpper = [...all].sort((x, y) => y.u - x.u || byteOrder(x.g, y.g));
    const candidates = byUpper.slice(0, size);
    const exactTop = (limit: number) => [...all].sort((x, y) => y.exact.comparedTo(x.exact) || byteOrder(x.g, y.g)).slice(0, limit).map((c) => c.g);
    return { candidates: candidates.map((c) => c.g), exact: new Map(candidates.map((c) => [c.g, c.exact])), nextUpper: byUpper[size]?.u ?? null, exactTop };
  }

  it('returns the exact top or nothing, for any terms (ties, credits, huge and tiny magnitudes)', () => {
    const term = fc.oneof(
      fc.integer({ min: -3, max: 3 }).map(String),
      fc.tuple(fc.bigInt({ min: -(10n ** 34n), max: 10n ** 34n }), fc.integer({ min: 0, max: 30 })).map(([v, sc]) => new Decimal(v.toString()).div(new Decimal(10).pow(sc)).toFixed()),
      fc.constantFrom('0.1', '0.2', '-0.3', '1e-30', '99999999999999999999999999999999999', '-99999999999999999999999999999999999'),
    );
    let decided = 0;
    let declined = 0;
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(fc.string({ maxLength: 3 }), fc.array(term, { minLength: 1, maxLength: 6 })), { selector: ([g]) => g, minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 6 }), (groups, limit, extra) => {
        const r = rank(groups, limit + extra);
        const top = exactTopFromCandidates(r.candidates, r.exact, r.nextUpper, limit);
        if (top) {
          decided += 1;
          expect(top).toEqual(r.exactTop(limit));
        } else declined += 1;
      }),
      { numRuns: 2000 },
    );
    expect(decided).toBeGreaterThan(0);
    expect(declined).toBeGreaterThan(0);
  });

  it('declines a tie at the cut that reaches past the candidates, and decides a clear gap', () => {
    const tied = rank([['a', ['5']], ['b', ['1']], ['c', ['1']], ['d', ['1']]], 2);
    expect(exactTopFromCandidates(tied.candidates, tied.exact, tied.nextUpper, 2)).toBeNull();
    // 0.1 + 0.2 is 0.30000000000000004 in float8 and 0.3 exactly in numeric: the float order is not trusted
    const close = rank([['x', ['0.1', '0.2']], ['y', ['0.3']], ['z', ['0.01']]], 1);
    expect(exactTopFromCandidates(close.candidates, close.exact, close.nextUpper, 1)).toBeNull();
    const clear = rank([['a', ['5']], ['b', ['3']], ['c', ['1']], ['d', ['0.5']]], 2);
    expect(exactTopFromCandidates(clear.candidates, clear.exact, clear.nextUpper, 1)).toEqual(['a']);
  });
});

describe('resource rollup', () => {
  const owner = () => costScopeFor({ via: 'session', userId: ids.owner, email: '', name: '', roles: ['requester'], projects: { [ids.shop]: 'owner' } });
  /** The breakdown again with every leaf's resource rollup hidden (as a leaf not yet rolled up, or one the demo seed swapped in). */
  async function viaRaw<T>(run: () => Promise<T>): Promise<T> {
    const leaves = await db.costResourceRollupLeaf.findMany();
    await db.costResourceRollupLeaf.deleteMany();
    try {
      return await run();
    } finally {
      await db.costResourceRollupLeaf.createMany({ data: leaves });
    }
  }
  const strip = (b: Awaited<ReturnType<typeof getCostBreakdown>>) => ({ ...b, source: 'raw' });

  it('answers a whole month by resource from the rollup exactly as raw rows do, for any rows (property)', async () => {
    const row = fc.record({
      account: fc.constantFrom('X', 'Y'),
      day: fc.integer({ min: 1, max: 28 }),
      hour: fc.integer({ min: 0, max: 23 }),
      hours: fc.constantFrom(1, 24, 30, 100),
      // small integers make ties at the cut; scales up to 12 and 10^14 give tiny and huge values; negatives are credits
      billed: fc.oneof(fc.integer({ min: -3, max: 3 }).map(BigInt), fc.bigInt({ min: -(10n ** 12n), max: 10n ** 14n })),
      scale: fc.integer({ min: 0, max: 12 }),
      // up to 41 keys: more groups than the float8 ranking's candidates (2 × limit + 20), so its cut is decided
      resource: fc.oneof(fc.constantFrom('', 'vol-ü', 'vol-\u{1F600}', 'vol-\uFFFD'), fc.integer({ min: 0, max: 36 }).map((i) => `i-${i}`)),
      region: fc.constantFrom('r1', 'r2', ''),
      tags: fc.constantFrom<Record<string, string>>({}, { project: 'shop' }, { project: 'data' }),
    });
    let run = 0;
    let rolledRuns = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 30 }), fc.integer({ min: 1, max: 4 }), async (rows, limit) => {
        run += 1;
        // Consecutive months: a charge running past a month's end makes the previous run's leaf overlap
        // this month without lying in it whole, so that leaf is read raw and this one from the rollup.
        const m = new Date(Date.UTC(2028, run - 1, 1));
        const month = m.toISOString().slice(0, 7);
        const next = new Date(Date.UTC(2028, run, 1)).toISOString().slice(0, 10);
        const prev = new Date(Date.UTC(2028, run - 2, 1)).toISOString().slice(0, 10);
        const toDecimal = (v: bigint, scale: number) => new Decimal(v.toString()).div(new Decimal(10).pow(scale)).toFixed();
        await importRows(`res-prop-${run}.csv`, rows.map((r) => ({
          provider: 'Res prop', account: r.account, region: r.region, resourceId: r.resource,
          start: `${month}-${String(r.day).padStart(2, '0')}T${String(r.hour).padStart(2, '0')}:00:00Z`, hours: r.hours,
          billed: toDecimal(r.billed, r.scale), effective: toDecimal(r.billed * -3n + 7n, r.scale + 1), tags: r.tags,
        })));
        const first = `${month}-01`;
        const cases: [string, () => ReturnType<typeof getCostBreakdown>][] = [
          ['month', () => getCostBreakdown(db, ALL, { start: first, end: next, provider: 'Res prop' }, { groupBy: 'resource', limit })],
          ['two months', () => getCostBreakdown(db, ALL, { start: prev, end: next }, { groupBy: 'resource', limit })],
          ['month, region r1', () => getCostBreakdown(db, ALL, { start: first, end: next, region: 'r1' }, { groupBy: 'resource', limit })],
          ['month, the owner’s projects', () => getCostBreakdown(db, owner(), { start: first, end: next }, { groupBy: 'resource', limit })],
          ['week', () => getCostBreakdown(db, ALL, { start: `${month}-08`, end: `${month}-15` }, { groupBy: 'resource', limit })],
        ];
        const rolled = [];
        for (const [, c] of cases) rolled.push(await c());
        const raw = await viaRaw(async () => {
          const out = [];
          for (const [name, c] of cases) {
            const b = await c();
            expect(b.source, name).toBe('raw');
            out.push(b);
          }
          return out;
        });
        expect(rolled.map(strip)).toEqual(raw);
        // The month holds every row of its leaves: read from the rollup whenever it has rows.
        if (rolled[0]!.rows.length) {
          expect(rolled[0]!.source).toBe('resourceRollup');
          rolledRuns += 1;
        }
        // and the week's rows are the file's exact top `limit` (effective desc, then key in byte order):
        // sums and cut computed here from the generated rows (a charge overlapping [8th, 15th) counts)
        const bySum = new Map<string, InstanceType<typeof Decimal>>();
        const [from, to] = [Date.parse(`${month}-08T00:00:00Z`), Date.parse(`${month}-15T00:00:00Z`)];
        for (const r of rows) {
          const t = Date.parse(`${month}-${String(r.day).padStart(2, '0')}T${String(r.hour).padStart(2, '0')}:00:00Z`);
          if (t < to && t + r.hours * 3_600_000 > from) bySum.set(r.resource, (bySum.get(r.resource) ?? new Decimal(0)).plus(toDecimal(r.billed * -3n + 7n, r.scale + 1)));
        }
        const expected = [...bySum.entries()].sort(([a, x], [b, y]) => y.comparedTo(x) || Buffer.compare(Buffer.from(a), Buffer.from(b))).slice(0, limit);
        expect(new Set(raw[4]!.rows.map((r) => r.key))).toEqual(new Set(expected.map(([k]) => k)));
        for (const r of raw[4]!.rows) expect(new Decimal(r.effectiveCost).eq(bySum.get(r.key)!), r.key).toBe(true);
      }),
      { numRuns: 10 },
    );
    expect(rolledRuns).toBeGreaterThan(0);
  });

  it('ranks ties at the cut that reach past the float8 candidates exactly (the numeric fallback)', async () => {
    // 30 resources of the same cost, top 1 of them: the float8 ranking keeps 22 candidates and cannot
    // tell the cut from the 23rd, so the numeric ranking decides — the smallest key in byte order.
    const keys = Array.from({ length: 30 }, (_, i) => `tie-${String(29 - i).padStart(2, '0')}`);
    await importRows('ties.csv', keys.map((resourceId, i) => ({ provider: 'Tie cloud', account: 'T', start: `2026-08-${String((i % 28) + 1).padStart(2, '0')}T00:00:00Z`, billed: '0.1', resourceId })));
    const month = { start: '2026-08-01', end: '2026-09-01', provider: 'Tie cloud' };
    const top = await getCostBreakdown(db, ALL, month, { groupBy: 'resource', limit: 1 });
    expect(top.source).toBe('resourceRollup');
    expect(top.rows.map((r) => [r.key, r.effectiveCost])).toEqual([['tie-00', '0.10']]);
    expect(strip(top)).toEqual(await viaRaw(() => getCostBreakdown(db, ALL, month, { groupBy: 'resource', limit: 1 })));
    // one of them a little higher: the float8 cut is then proven and the answer the same as numeric
    await importRows('ties-2.csv', keys.map((resourceId, i) => ({ provider: 'Tie cloud', account: 'T', start: `2026-08-${String((i % 28) + 1).padStart(2, '0')}T00:00:00Z`, billed: resourceId === 'tie-17' ? '0.1000001' : '0.1', resourceId })));
    const clear = await getCostBreakdown(db, ALL, month, { groupBy: 'resource', limit: 1 });
    expect(clear.rows.map((r) => [r.key, r.effectiveCost])).toEqual([['tie-17', '0.1000001']]);
    // top 2: the second place is the 29-way tie again (numeric fallback)
    const two = await getCostBreakdown(db, ALL, month, { groupBy: 'resource', limit: 2 });
    expect(two.rows.map((r) => [r.key, r.effectiveCost])).toEqual([['tie-17', '0.1000001'], ['tie-00', '0.10']]);
  });

  it('is used only without raw filters; labels and project scoping match the raw path', async () => {
    const march = filters('2026-03-01', '2026-04-01');
    const aws = await getCostBreakdown(db, ALL, { ...march, provider: 'AWS' }, { groupBy: 'resource' });
    expect(aws.source).toBe('resourceRollup');
    expect(aws.rows.map((r) => [r.key, r.label, r.billedCost, r.effectiveCost])).toEqual([['', '(none)', '1000.00', '2.70'], ['i-shop1', 'shop-web-1', '0.30', '0.30']]);
    const mine = await getCostBreakdown(db, owner(), { ...march, provider: 'AWS' }, { groupBy: 'resource' });
    expect(mine.source).toBe('resourceRollup');
    expect(mine.rows.map((r) => [r.key, r.effectiveCost])).toEqual([['i-shop1', '0.30']]);
    expect(strip(mine)).toEqual(await viaRaw(() => getCostBreakdown(db, owner(), { ...march, provider: 'AWS' }, { groupBy: 'resource' })));
    // a resource / tag-value filter or a pivot needs raw rows
    expect((await getCostBreakdown(db, ALL, { ...march, resourceId: 'i-shop1' }, { groupBy: 'resource' })).source).toBe('raw');
    expect((await getCostBreakdown(db, ALL, { ...march, tagKey: 'project', tagValue: 'data' }, { groupBy: 'resource' })).source).toBe('raw');
    expect((await getCostBreakdown(db, ALL, march, { groupBy: 'resource', pivot: 'provider' })).source).toBe('raw');
  });

  it('is cleared by the swap and rebuilt only by the import whose rows the leaf holds', async () => {
    const rows = (billed: string): FocusTestRow[] => [{ provider: 'Res late', account: 'R1', start: '2026-06-03T00:00:00Z', billed, resourceId: 'i-late' }];
    const first = await importRows('res-first.csv', rows('1'));
    await importRows('res-second.csv', rows('2'));
    const june = new Date('2026-06-01T00:00:00Z');
    const scopeKey = scopeKeyFor('Res late', 'R1');
    const leafRollup = () => db.costResourceRollup.findMany({ where: { billingMonth: june, scopeKey }, select: { resourceKey: true, billedCost: true, rowCount: true } });
    const built = await leafRollup();
    expect(built.map((r) => [r.resourceKey, r.billedCost.toString(), r.rowCount])).toEqual([['i-late', '2', 1]]);
    await buildResourceRollups(db, first.importId, [{ month: '2026-06-01', scopeKey }]);
    expect(await leafRollup()).toEqual(built);
    const b = await getCostBreakdown(db, ALL, { start: '2026-06-01', end: '2026-07-01', provider: 'Res late' }, { groupBy: 'resource' });
    expect([b.source, b.rows.map((r) => [r.key, r.billedCost])]).toEqual(['resourceRollup', [['i-late', '2.00']]]);
  });
});

describe('rollups', () => {
  it('equal the raw sums for any imported rows (property)', async () => {
    const row = fc.record({
      provider: fc.constantFrom('P1', 'P2', 'P3'),
      account: fc.constantFrom('X', 'Y'),
      day: fc.integer({ min: 1, max: 28 }),
      hour: fc.integer({ min: 0, max: 23 }),
      hours: fc.constantFrom(1, 24, 30),
      billed: fc.bigInt({ min: -(10n ** 12n), max: 10n ** 14n }),
      scale: fc.integer({ min: 0, max: 12 }),
      region: fc.constantFrom('r1', 'r2', ''),
      tags: fc.constantFrom<Record<string, string>>({}, { project: 'a' }, { project: 'b', 'cost-center': 'x' }, { 'cost-center': 'y', team: 't' }),
    });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 40 }), async (rows) => {
        run += 1;
        const toDecimal = (v: bigint, scale: number) => new Decimal(v.toString()).div(new Decimal(10).pow(scale)).toFixed();
        const month = `2027-${String((run % 12) + 1).padStart(2, '0')}`;
        await importRows(`prop-${run}.csv`, rows.map((r) => ({
          provider: `${r.provider}-prop`, account: r.account, region: r.region,
          start: `${month}-${String(r.day).padStart(2, '0')}T${String(r.hour).padStart(2, '0')}:00:00Z`, hours: r.hours,
          billed: toDecimal(r.billed, r.scale), effective: toDecimal(r.billed * 3n, r.scale + 1), tags: r.tags,
        })));
        const raw = await db.$queryRaw<{ p: string; b: string; e: string }[]>`
          SELECT "providerName" AS p, sum("billedCost")::text AS b, sum("effectiveCost")::text AS e FROM "CostRecord" WHERE "providerName" LIKE '%-prop' GROUP BY 1 ORDER BY 1`;
        const rolled = await db.$queryRaw<{ p: string; b: string; e: string }[]>`
          SELECT "providerName" AS p, sum("billedCost")::text AS b, sum("effectiveCost")::text AS e FROM "CostDailyRollup" WHERE "providerName" LIKE '%-prop' GROUP BY 1 ORDER BY 1`;
        const norm = (xs: { p: string; b: string; e: string }[]) => xs.map((x) => [x.p, new Decimal(x.b).toFixed(), new Decimal(x.e).toFixed()]);
        expect(norm(rolled)).toEqual(norm(raw));
        // The tag rollup: per provider, key and value ('' = untagged), the raw sums and row counts.
        type TagSum = { p: string; k: string; v: string; b: string; e: string; n: number };
        const rawTags = await db.$queryRaw<TagSum[]>`
          SELECT "providerName" AS p, k, COALESCE("tags" ->> k, '') AS v, sum("billedCost")::text AS b, sum("effectiveCost")::text AS e, count(*)::int AS n
          FROM "CostRecord" CROSS JOIN unnest(ARRAY['cost-center', 'project']) k WHERE "providerName" LIKE '%-prop' GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`;
        const rolledTags = await db.$queryRaw<TagSum[]>`
          SELECT "providerName" AS p, "tagKey" AS k, "tagValue" AS v, sum("billedCost")::text AS b, sum("effectiveCost")::text AS e, sum("rowCount")::int AS n
          FROM "CostTagRollup" WHERE "providerName" LIKE '%-prop' GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`;
        const normTags = (xs: TagSum[]) => xs.map((x) => [x.p, x.k, x.v, new Decimal(x.b).toFixed(), new Decimal(x.e).toFixed(), x.n]);
        expect(normTags(rolledTags)).toEqual(normTags(rawTags));
        // and the file's own exact sum for this month made it through unchanged
        const expected = rows.reduce((s, r) => s.plus(toDecimal(r.billed, r.scale)), new Decimal(0)).toFixed();
        const got = await db.$queryRaw<{ b: string }[]>`
          SELECT COALESCE(sum("billedCost"), 0)::text AS b FROM "CostDailyRollup" WHERE "providerName" LIKE '%-prop' AND "billingMonth" = ${`${month}-01`}::date`;
        expect(new Decimal(got[0]!.b).toFixed()).toBe(expected);
      }),
      { numRuns: 12 },
    );
  });
});

describe('showback', () => {
  it('writes per project a total line and the rows behind it', async () => {
    let csv = '';
    for await (const chunk of showbackCsv(db, ALL, { month: '2026-03', by: 'project' })) csv += chunk;
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toMatch(/^RowType,Group,ProjectKey/);
    const shopTotal = lines.find((l) => l.startsWith('total,shop,'))!;
    expect(shopTotal).toContain(',USD,5.305,5.305,');
    expect(lines.filter((l) => l.startsWith('line,shop,'))).toHaveLength(3);
    expect(lines.some((l) => l.startsWith('total,unallocated,'))).toBe(false);
    const byCentre: string[] = [];
    for await (const chunk of showbackCsv(db, ALL, { month: '2026-03', by: 'costCentre' })) byCentre.push(chunk);
    expect(byCentre.join('')).toContain('total,CC-2,');
  });
});

describe('budgets', () => {
  it('creates, lists with actual and forecast, and fires each threshold alert once per period', async () => {
    const budget = await createBudget(db, { name: 'Shop March', projectId: ids.shop, amount: '10', currency: 'USD', alertThresholds: [50, 80, 100], startsOn: '2026-01-01' }, audit());
    expect(budget.alertThresholds).toEqual([50, 80, 100]);
    const at = new Date('2026-03-15T12:00:00Z');
    const [listed] = await listBudgets(db, ALL, { projectId: ids.shop, at });
    expect(listed).toMatchObject({ actualMonthToDate: '5.305', forecastMonthEnd: '10.96', amount: '10.00' });
    const first = await evaluateBudgetAlerts(db, audit(), at);
    // actual 53 % → 50 (actual); forecast 109.6 % → 50, 80, 100 (forecast)
    expect(first.fired).toBe(4);
    expect((await evaluateBudgetAlerts(db, audit(), at)).fired).toBe(0);
    const notes = await db.notification.findMany({ where: { userId: ids.owner } });
    expect(notes).toHaveLength(4);
    expect(notes.map((n) => n.title)).toContain('Budget "Shop March" has reached 50%');
    const jobs = await db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id WHERE t.identifier = 'notifications.send_email'`;
    expect(Number(jobs[0]!.n)).toBeGreaterThanOrEqual(4);
    // a higher amount: nothing new fires for thresholds already alerted this period
    await updateBudget(db, budget.id, { amount: '5' }, audit());
    expect((await evaluateBudgetAlerts(db, audit(), at)).fired).toBe(2); // actual now 106 % → 80 and 100 (actual)
    const status = await projectBudgetStatus(db, ids.shop, at);
    expect(status).toEqual({ budget: '5.00', currency: 'USD', actualMonthToDate: '5.305', forecastMonthEnd: '10.96' });
    expect(await db.auditEvent.count({ where: { action: 'budget.alert', targetId: budget.id } })).toBe(6);
  });

  it('a requester cannot list another project’s budgets', async () => {
    const requester = costScopeFor({ via: 'session', userId: ids.requester, email: '', name: '', roles: ['requester'], projects: {} });
    await expect(listBudgets(db, requester, { projectId: ids.shop })).rejects.toBeInstanceOf(ForbiddenError);
    expect(await listBudgets(db, requester)).toEqual([]);
  });
});

describe('on-prem chargeback', () => {
  it('writes FOCUS rows for vSphere VMs from the rate card × size × hours, idempotently', async () => {
    const book = await db.priceBook.create({ data: { name: 'Chargeback', currency: 'USD', source: 'chargeback', effectiveFrom: new Date('2026-01-01') } });
    await db.rate.createMany({
      data: [
        { priceBookId: book.id, providerKind: 'vsphere', sku: 'vcpu', unit: 'hour', unitPrice: '0.012' },
        { priceBookId: book.id, providerKind: 'vsphere', sku: 'memory-gib', unit: 'hour', unitPrice: '0.004' },
        { priceBookId: book.id, providerKind: 'vsphere', sku: 'disk-gib', unit: 'month', unitPrice: '0.073' },
      ],
    });
    const vc = await db.providerAccount.create({ data: { name: 'vcenter', kind: 'vsphere', settings: {}, secretsCiphertext: 'x' } });
    const common = { providerAccountId: vc.id, providerKind: 'vsphere' as const, regionCode: 'dc1', size: 'medium', vcpus: 2, memoryMiB: 4096, diskGiB: 100, projectId: ids.shop };
    await db.vm.create({ data: { ...common, providerId: 'vm-101', name: 'app-1', state: 'running', providerCreatedAt: new Date('2026-06-01T00:00:00Z') } });
    await db.vm.create({ data: { ...common, providerId: 'vm-102', name: 'app-2', state: 'stopped', providerCreatedAt: new Date('2026-06-02T12:00:00Z') } });
    const options = { through: new Date('2026-06-04T01:30:00Z'), organisationName: 'Example Org', audit: audit() };
    const [result] = await runChargeback(db, url, options);
    expect(result?.status, JSON.stringify(result?.errors)).toBe('succeeded');
    // app-1: 3 days × 24 h × (2 × 0.012 + 4 × 0.004 + 100 × 0.073/730) = 72 × 0.05 = 3.60
    // app-2: 36 h × 100 × 0.0001 = 0.36 (stopped: disk only)
    const s = await getCostSummary(db, ALL, { start: '2026-06-01', end: '2026-07-01', provider: 'VMware (on-prem)' });
    expect(s.totals).toEqual([{ provider: 'VMware (on-prem)', currency: 'USD', billedCost: '3.96', effectiveCost: '3.96' }]);
    const row = await db.costRecord.findFirst({ where: { providerName: 'VMware (on-prem)', resourceId: 'vm-101', skuId: 'vcpu' } });
    expect(row).toMatchObject({ invoiceIssuerName: 'Example Org', chargeCategory: 'Usage', projectId: ids.shop, providerAccountId: vc.id, pricingUnit: 'vCPU-Hours' });
    // The chargeback period has its tag rollup too (here: no tags), so tag breakdowns over it stay off raw rows.
    const june = { start: '2026-06-01', end: '2026-07-01', provider: 'VMware (on-prem)' };
    const byProjectTag = await getCostBreakdown(db, ALL, june, { groupBy: 'tag', tagKey: 'project' });
    expect(byProjectTag.source).toBe('tagRollup');
    expect(byProjectTag.rows.map((r) => [r.key, r.billedCost])).toEqual([['', '3.96']]);
    await runChargeback(db, url, { ...options, rollupTagKeys: ['team'] });
    const again = await getCostSummary(db, ALL, { start: '2026-06-01', end: '2026-07-01', provider: 'VMware (on-prem)' });
    expect(again.totals[0]!.billedCost).toBe('3.96');
    // A re-run with other keys replaces the period's keys: `project` now reads raw rows, `team` the rollup.
    expect((await getCostBreakdown(db, ALL, june, { groupBy: 'tag', tagKey: 'project' })).source).toBe('raw');
    const byTeam = await getCostBreakdown(db, ALL, june, { groupBy: 'tag', tagKey: 'team' });
    expect(byTeam.source).toBe('tagRollup');
    expect(byTeam.rows.map((r) => [r.key, r.billedCost])).toEqual([['', '3.96']]);
  });
});

describe('watched folder', () => {
  it('imports each new file once', async () => {
    const account = await db.providerAccount.create({ data: { name: 'gcp-folder', kind: 'gcp', settings: {}, secretsCiphertext: 'x' } });
    const root = path.join(tmp, 'watched');
    await mkdir(path.join(root, account.id), { recursive: true });
    await writeFile(path.join(root, account.id, 'export-2026-08.csv'), focusCsv([{ provider: 'Folder Cloud', start: '2026-08-01T00:00:00Z', billed: '4' }]));
    await writeFile(path.join(root, account.id, 'notes.txt'), 'ignored');
    const first = await importWatchedFolder(db, url, { root, providerAccountId: account.id, audit: audit() });
    expect(first.map((r) => r.status)).toEqual(['succeeded']);
    expect(await importWatchedFolder(db, url, { root, providerAccountId: account.id, audit: audit() })).toEqual([]);
  });
});

describe('vmCostToDate', () => {
  it('sums the VM’s linked rows this month and forecasts by run-rate', async () => {
    const { vmCostToDate } = await import('./vm-cost');
    const cost = await vmCostToDate(db, ids.vm, new Date('2026-03-15T12:00:00Z'));
    expect(cost).toEqual({ currency: 'USD', monthToDate: '0.30', forecastMonthEnd: '0.62', allTime: '0.30' });
  });
});
