// listVms on the real PostgreSQL: filters × sort × keyset paging as properties (fast-check), with
// rows inserted and removed between pages; project scoping; cursor validation.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Prisma } from '@/generated/prisma/client';
import { PROVIDER_KINDS, type ProviderKind } from '@/providers/types';
import type { Principal } from '../auth/principal';
import { ValidationError } from '../errors';
import { createTestDatabase } from '../testing/db';
import { listVms, type PageStrategy } from './list';
import { listVmsQuerySchema, SORT_VALUES, type ListVmsQuery, type VmFilter } from './schemas';
import { makeProject, makeUser, principalOf } from './test-fixtures';
import { inventoryTiles } from './tiles';
import { getVm } from './vm';

const { db } = await createTestDatabase();

const REGIONS = ['r-east', 'r-west', 'r-north'];
const STATES = ['running', 'stopped', 'pending', 'error'] as const;
let admin: Principal;
let member: Principal;
let requester: Principal;
const accounts: { id: string; kind: ProviderKind }[] = [];
let projects: { id: string }[] = [];
let users: { id: string }[] = [];
let seq = 0;

/** A random-ish but reproducible VM row; many columns collide on purpose (ties exercise the id tie-break). */
function vmRow(i: number): Prisma.VmCreateManyInput {
  const account = accounts[i % accounts.length]!;
  return {
    providerAccountId: account.id,
    providerKind: account.kind,
    providerId: `pid-${i}-${seq++}`,
    name: `vm-${String(i % 37).padStart(2, '0')}`,
    regionCode: REGIONS[i % 3]!,
    size: ['s', 'm', 'l'][i % 3]!,
    vcpus: i % 5 === 0 ? null : (i % 4) + 1,
    memoryMiB: i % 7 === 0 ? null : ((i % 3) + 1) * 1024,
    state: STATES[i % 4]!,
    projectId: i % 6 === 0 ? null : projects[i % projects.length]!.id,
    ownerId: i % 4 === 0 ? null : users[i % users.length]!.id,
    managed: i % 6 !== 0,
    drift: i % 9 === 0,
    driftReasons: i % 9 === 0 ? ['size_changed'] : [],
    tags: i % 2 ? { env: i % 4 === 1 ? 'prod' : 'dev' } : {},
    leaseExpiresAt: i % 3 === 0 ? null : new Date(Date.UTC(2027, 0, 1 + (i % 11))),
    privateIp: i % 5 === 1 ? null : `10.0.${i % 4}.${i % 250}`,
    firstSeenAt: new Date(Date.UTC(2026, 5, 1 + (i % 13))),
    lastSeenAt: new Date(Date.UTC(2026, 6, 1 + (i % 3))),
  };
}

beforeAll(async () => {
  const adminUser = await makeUser(db, 'admin@list.test', ['requester', 'admin']);
  const u1 = await makeUser(db, 'alice@list.test');
  const u2 = await makeUser(db, 'bob@list.test');
  users = [u1, u2, adminUser];
  const p1 = await makeProject(db, 'list-a', u1.id);
  const p2 = await makeProject(db, 'list-b', u2.id);
  const p3 = await makeProject(db, 'list-c', u2.id);
  projects = [p1, p2, p3];
  for (const [index, kind] of PROVIDER_KINDS.entries()) {
    accounts.push(
      await db.providerAccount.create({ data: { kind, name: `acct-${index}`, settings: {}, secretsCiphertext: 'x' }, select: { id: true, kind: true } }),
    );
  }
  await db.vm.createMany({ data: Array.from({ length: 240 }, (_, i) => vmRow(i)) });
  // Stored monthly costs for most VMs (few distinct amounts: ties); the rest have none (the null segment).
  const vms = await db.vm.findMany({ select: { id: true }, orderBy: { providerId: 'asc' } });
  await db.vmMonthlyCost.createMany({
    data: vms.flatMap((vm, i) => (i % 3 === 0 ? [] : [{ vmId: vm.id, monthlyCost: i % 5 === 0 ? null : String((i % 7) * 10.5), currency: 'USD', source: i % 5 === 0 ? 'none' : 'price_book' }])),
  });
  admin = principalOf(adminUser);
  member = principalOf(u1, { [p1.id]: 'owner' });
  // A plain member of the same project (owns none): never sees unmanaged VMs.
  requester = principalOf(u2, { [p1.id]: 'member' });
});

/** The rows a filter must return, computed independently of the SQL under test. */
async function expectedIds(principal: Principal, filter: VmFilter): Promise<Set<string>> {
  const rows = await db.vm.findMany({ include: { providerAccount: true } });
  const costs = new Map((await db.vmMonthlyCost.findMany()).map((c) => [c.vmId, c.monthlyCost === null ? null : c.monthlyCost.toNumber()]));
  return new Set(
    rows
      .filter((v) => (filter.state === 'deleted' ? v.state === 'deleted' : v.deletedAt === null && v.state !== 'deleted'))
      .filter(
        (v) =>
          principal.roles.includes('admin') ||
          (v.projectId !== null && v.projectId in principal.projects) ||
          // Owners of a project also see unmanaged VMs (read-only, to claim them).
          (v.projectId === null && !v.managed && Object.values(principal.projects).includes('owner')),
      )
      .filter((v) => !filter.provider || v.providerKind === filter.provider)
      .filter((v) => !filter.region || v.regionCode === filter.region)
      .filter((v) => !filter.state || v.state === filter.state)
      .filter((v) => !filter.project || v.projectId === filter.project)
      .filter((v) => !filter.owner || v.ownerId === filter.owner)
      .filter((v) => filter.managed === undefined || v.managed === filter.managed)
      .filter((v) => filter.drift === undefined || v.drift === filter.drift)
      .filter((v) => {
        if (!filter.tag) return true;
        const tags = v.tags as Record<string, string>;
        const [key, value] = filter.tag.split('=');
        return value === undefined ? key! in tags : tags[key!] === value;
      })
      .filter((v) => !filter.q || [v.name, v.providerId, v.privateIp, v.publicIp].some((f) => f?.toLowerCase().includes(filter.q!.toLowerCase())))
      .filter((v) => {
        if (filter.costMin === undefined && filter.costMax === undefined) return true;
        const amount = costs.get(v.id);
        return amount != null && (filter.costMin === undefined || amount >= filter.costMin) && (filter.costMax === undefined || amount <= filter.costMax);
      })
      .map((v) => v.id),
  );
}

const FILTER_VALUES = {
  provider: fc.constantFrom(...PROVIDER_KINDS),
  region: fc.constantFrom(...REGIONS),
  state: fc.constantFrom(...STATES),
  managed: fc.boolean(),
  drift: fc.boolean(),
  tag: fc.constantFrom('env', 'env=prod', 'env=dev', 'missing'),
  q: fc.constantFrom('vm-1', '10.0.2', 'PID-1', 'zzz'),
  costMin: fc.constantFrom(10, 30),
  costMax: fc.constantFrom(21, 60),
};
// Mostly zero to two filters, so most runs page through many rows rather than an empty result.
const filterArb: fc.Arbitrary<VmFilter> = fc.oneof(
  { arbitrary: fc.constant({}), weight: 2 },
  { arbitrary: fc.record(FILTER_VALUES, { requiredKeys: [] }).map((f) => Object.fromEntries(Object.entries(f).slice(0, 1))), weight: 3 },
  { arbitrary: fc.record(FILTER_VALUES, { requiredKeys: [] }).map((f) => Object.fromEntries(Object.entries(f).slice(0, 2))), weight: 2 },
);
let multiPageRuns = 0;
const strategyArb = fc.constantFrom<PageStrategy>('walk', 'filter-first');

function query(filter: VmFilter, sort: (typeof SORT_VALUES)[number], limit: number, cursor?: string): ListVmsQuery {
  return listVmsQuerySchema.parse({
    ...Object.fromEntries(Object.entries(filter).map(([k, v]) => [k, String(v)])),
    sort,
    limit: String(limit),
    ...(cursor ? { cursor } : {}),
  });
}

async function allPages(principal: Principal, filter: VmFilter, sort: (typeof SORT_VALUES)[number], limit: number, between?: () => Promise<void>, strategy: PageStrategy = 'auto') {
  const ids: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await listVms(db, principal, query(filter, sort, limit, cursor), { strategy });
    expect(page.vms.length).toBeLessThanOrEqual(limit);
    ids.push(...page.vms.map((v) => v.id));
    cursor = page.nextCursor ?? undefined;
    pages += 1;
    if (between) await between();
  } while (cursor && pages < 1000);
  return ids;
}

describe('listVms', () => {
  it('pages partition exactly the filtered rows, in the order of one unpaged query, for every sort', async () => {
    await fc.assert(
      fc.asyncProperty(filterArb, fc.constantFrom(...SORT_VALUES), fc.integer({ min: 1, max: 40 }), strategyArb, async (filter, sort, limit, strategy) => {
        const expected = await expectedIds(admin, filter);
        // The unpaged reference walks the sort's index; the pages use either strategy: same rows, same order.
        const whole = await listVms(db, admin, query(filter, sort, 500), { strategy: 'walk' });
        expect(whole.total).toBe(expected.size);
        expect(new Set(whole.vms.map((v) => v.id))).toEqual(expected);
        const paged = await allPages(admin, filter, sort, limit, undefined, strategy);
        expect(paged).toEqual(whole.vms.map((v) => v.id));
        if (whole.vms.length > limit * 2) multiPageRuns += 1;
      }),
      { numRuns: 50 },
    );
    expect(multiPageRuns).toBeGreaterThan(10); // the property was exercised on real multi-page listings
  }, 120_000);

  it('loses and repeats no row across pages while rows are added and removed between pages', async () => {
    await fc.assert(
      fc.asyncProperty(filterArb, fc.constantFrom(...SORT_VALUES), fc.integer({ min: 3, max: 25 }), fc.integer({ min: 0, max: 10_000 }), strategyArb, async (filter, sort, limit, salt, strategy) => {
        const before = await expectedIds(admin, filter);
        const removed = new Set<string>();
        let round = 0;
        const churn = async () => {
          round += 1;
          // Add rows anywhere in the order and soft-delete rows that were there at the start.
          await db.vm.createMany({ data: [vmRow(salt + round), vmRow(salt * 7 + round)] });
          const victim = [...before][(salt + round * 13) % Math.max(before.size, 1)];
          if (victim && !removed.has(victim)) {
            removed.add(victim);
            await db.vm.update({ where: { id: victim }, data: { deletedAt: new Date(), state: 'deleted' } });
          }
        };
        const ids = await allPages(admin, filter, sort, limit, churn, strategy);
        expect(new Set(ids).size).toBe(ids.length); // nothing repeated
        for (const id of before) if (!removed.has(id)) expect(ids).toContain(id); // nothing present throughout is lost
      }),
      { numRuns: 12 },
    );
  }, 180_000);

  it('scopes to the principal’s projects: totals, filters, a foreign project and getVm', async () => {
    const own = projects[0]!.id;
    const page = await listVms(db, requester, query({}, 'name', 500));
    expect(page.vms.length).toBeGreaterThan(0);
    expect(page.vms.every((v) => v.project?.id === own)).toBe(true);
    expect(page.total).toBe((await expectedIds(requester, {})).size);
    const foreign = await listVms(db, requester, query({ project: projects[1]!.id }, 'name', 50));
    expect(foreign).toMatchObject({ vms: [], total: 0, nextCursor: null });
    const foreignVm = await db.vm.findFirstOrThrow({ where: { projectId: projects[1]!.id } });
    await expect(getVm(db, requester, foreignVm.id)).rejects.toMatchObject({ status: 404 });
    const ownVm = await db.vm.findFirstOrThrow({ where: { projectId: own, deletedAt: null } });
    expect((await getVm(db, requester, ownVm.id)).id).toBe(ownVm.id);
    const tiles = await inventoryTiles(db, requester);
    expect(tiles.total).toBe(page.total);
    expect(tiles.unmanaged).toBe(0); // a plain requester never sees unmanaged VMs
    expect(tiles.byProviderState.reduce((sum, g) => sum + g.count, 0)).toBe(page.total);
    const unmanagedVm = await db.vm.findFirstOrThrow({ where: { projectId: null, managed: false, deletedAt: null } });
    await expect(getVm(db, requester, unmanagedVm.id)).rejects.toMatchObject({ status: 404 });
    expect((await listVms(db, requester, query({ managed: false }, 'name', 50))).total).toBe(0);
  });

  it('shows unmanaged VMs to a project owner (read-only), with the Unmanaged filter, tiles and the VM page', async () => {
    const unmanaged = await expectedIds(admin, { managed: false });
    const ownerView = await listVms(db, member, query({ managed: false }, 'name', 500));
    // Unmanaged VMs have no project; the owner sees exactly those (managed=false VMs of foreign projects stay hidden).
    const expected = new Set((await db.vm.findMany({ where: { id: { in: [...unmanaged] }, projectId: null }, select: { id: true } })).map((v) => v.id));
    expect(expected.size).toBeGreaterThan(0);
    expect(new Set(ownerView.vms.map((v) => v.id))).toEqual(expected);
    expect(ownerView.total).toBe(expected.size);
    const all = await listVms(db, member, query({}, 'name', 500));
    expect(all.total).toBe((await expectedIds(member, {})).size);
    expect(all.vms.every((v) => v.project?.id === projects[0]!.id || (v.project === null && !v.managed))).toBe(true);
    const tiles = await inventoryTiles(db, member);
    expect(tiles.unmanaged).toBe(expected.size);
    const vm = await getVm(db, member, [...expected][0]!);
    expect(vm).toMatchObject({ managed: false, projectId: null });
  });

  it('orders joined-name, cost and nullable-column sorts by the name or value (nulls last ascending, first descending), then key, then id', async () => {
    const rows = await db.vm.findMany({ where: { deletedAt: null, state: { not: 'deleted' } }, include: { owner: true, project: true, providerAccount: true } });
    const costs = new Map((await db.vmMonthlyCost.findMany()).map((c) => [c.vmId, c.monthlyCost]));
    const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    const keyOf: Record<'owner' | 'project' | 'account', (v: (typeof rows)[number]) => [string, string] | null> = {
      owner: (v) => (v.owner ? [v.owner.name, v.owner.id] : null),
      project: (v) => (v.project ? [v.project.name, v.project.id] : null),
      account: (v) => [v.providerAccount.name, v.providerAccount.id],
    };
    for (const sort of ['owner', 'project', 'account'] as const) {
      const expected = [...rows].sort((a, b) => {
        const ka = keyOf[sort](a);
        const kb = keyOf[sort](b);
        if (!ka || !kb) return ka ? -1 : kb ? 1 : cmp(a.id, b.id);
        return ka[0].localeCompare(kb[0], 'en', { sensitivity: 'variant' }) || cmp(ka[1], kb[1]) || cmp(a.id, b.id);
      });
      // Names here are plain ASCII letters/digits, so the database collation and localeCompare agree.
      for (const strategy of ['walk', 'filter-first'] as const) {
        expect((await allPages(admin, {}, sort, 17, undefined, strategy)).join()).toBe(expected.map((v) => v.id).join());
        expect((await allPages(admin, {}, `-${sort}`, 17, undefined, strategy)).join()).toBe([...expected].reverse().map((v) => v.id).join());
      }
    }
    const byCost = [...rows].sort((a, b) => {
      const ca = costs.get(a.id) ?? null;
      const cb = costs.get(b.id) ?? null;
      if (ca === null || cb === null) return ca !== null ? -1 : cb !== null ? 1 : cmp(a.id, b.id);
      return ca.comparedTo(cb) || cmp(a.id, b.id);
    });
    for (const [sort, value] of [['vcpus', (v: (typeof rows)[number]) => v.vcpus], ['lease', (v: (typeof rows)[number]) => v.leaseExpiresAt?.getTime() ?? null]] as const) {
      const expected = [...rows].sort((a, b) => {
        const va = value(a);
        const vb = value(b);
        if (va === null || vb === null) return va !== null ? -1 : vb !== null ? 1 : cmp(a.id, b.id);
        return va - vb || cmp(a.id, b.id);
      });
      expect((await allPages(admin, {}, sort, 11)).join()).toBe(expected.map((v) => v.id).join());
      expect((await allPages(admin, {}, `-${sort}`, 11)).join()).toBe([...expected].reverse().map((v) => v.id).join());
    }
    for (const strategy of ['walk', 'filter-first'] as const) {
      expect((await allPages(admin, {}, 'cost', 13, undefined, strategy)).join()).toBe(byCost.map((v) => v.id).join());
      expect((await allPages(admin, {}, '-cost', 13, undefined, strategy)).join()).toBe([...byCost].reverse().map((v) => v.id).join());
    }
  });

  it('refuses a cursor from another sort order or a forged one', async () => {
    const first = await listVms(db, admin, query({}, 'name', 5));
    expect(first.nextCursor).toBeTruthy();
    await expect(listVms(db, admin, query({}, '-name', 5, first.nextCursor!))).rejects.toBeInstanceOf(ValidationError);
    await expect(listVms(db, admin, query({}, 'name', 5, 'not-a-cursor'))).rejects.toBeInstanceOf(ValidationError);
    const forged = Buffer.from(JSON.stringify({ s: 'vcpus', v: 'x', id: 'a' })).toString('base64url');
    await expect(listVms(db, admin, query({}, 'vcpus', 5, forged))).rejects.toBeInstanceOf(ValidationError);
    // Values that would fail their SQL cast answer 400 (ValidationError), never a database error.
    const forge = (c: Record<string, unknown>) => Buffer.from(JSON.stringify(c)).toString('base64url');
    for (const [sort, c] of [
      ['provider', { s: 'provider', v: 'ibm', id: 'a' }],
      ['state', { s: 'state', v: 'gone', id: 'a' }],
      ['vcpus', { s: 'vcpus', v: 2 ** 40, id: 'a' }],
      ['lease', { s: 'lease', v: 'Tue Mar 01 2016', id: 'a' }],
      ['cost', { s: 'cost', v: '1e5', id: 'a' }],
      ['name', { s: 'name', v: 'a\u0000b', id: 'a' }],
      ['owner', { s: 'owner', v: 'Bob', id: 'a' }],
    ] as const) {
      await expect(listVms(db, admin, query({}, sort, 5, forge(c))), sort).rejects.toBeInstanceOf(ValidationError);
    }
  });
});
