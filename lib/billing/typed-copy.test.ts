// The typed COPY (COPY types the cells itself) must store exactly what the row path stores, take
// every clean export, and hand everything else to the normalising paths.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { costImportFixture } from './import-test-fixture';
import { LinkTargetGone, leafTable, swapLeaf } from './partitions';

const fixture = costImportFixture('skyport-typed-');
const { run, write } = fixture;
const specDir = path.resolve(import.meta.dirname, '../../../shared/data/focus/spec-examples-v1.2');

const HEADER =
  '\uFEFFBillingAccountId,billingperiodstart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ChargeFrequency,BilledCost,EffectiveCost,ListUnitPrice,BillingCurrency,ProviderName,RegionId,ResourceId,ServiceName,Tags,x_Custom,x_Empty';
const row = (account: string, resource: string, billed: string, tags = '"{"" project"": ""shop"", ""n"": 1}"', start = '2024-09-02T00:00:00Z') =>
  `${account},2024-09-01T00:00:00Z,2024-10-01T00:00:00Z,${start},2024-09-02T01:00:00Z,Usage,Usage-Based,"${billed}",${billed},NULL,USD,Typed Cloud,NULL,${resource},VMs,${tags},"hello, ""world""",NULL`;

async function stored(importId: string) {
  const rows = await fixture.db.costRecord.findMany({ where: { importId }, orderBy: [{ resourceId: 'asc' }, { billedCost: 'asc' }] });
  return rows.map(({ id: _id, importId: _importId, scopeKey: _scope, billingAccountId: _account, ...rest }) => JSON.parse(JSON.stringify(rest)) as unknown);
}

async function listCsv(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir)) {
    const full = path.join(dir, entry);
    if ((await stat(full)).isDirectory()) out.push(...(await listCsv(full)));
    else if (entry.endsWith('.csv')) out.push(full);
  }
  return out.sort();
}

describe('typed COPY', () => {
  it('takes a clean export (BOM, CRLF, mixed-case header, literal NULL, quoted numbers, JSON tags, x_ columns) and stores what the row path stores', async () => {
    const owner = await fixture.db.user.create({ data: { email: 'typed-owner@t.test', name: 'Owner' } });
    const project = await fixture.db.project.create({ data: { key: 'shop', name: 'Shop', costCentre: 'CC-T', ownerId: owner.id } });
    const account = await fixture.db.providerAccount.create({ data: { name: 'typed-aws', kind: 'aws', settings: {}, secretsCiphertext: 'none' } });
    const vm = await fixture.db.vm.create({
      data: { providerAccountId: account.id, providerKind: 'aws', regionCode: 'eu-west-1', providerId: 'i-0typed', name: 'web', size: 't3.micro' },
    });
    const lines = (acc: string) =>
      [HEADER, row(acc, 'arn:aws:ec2:eu-west-1:1:instance/i-0typed', '1.125', 'NULL'), row(acc, 'vol-1', '2.0000000001'), row(acc, 'vol-2', '-3', '"{}"')].join('\r\n') + '\r\n';
    const viaRows = await run(await write('typed-rows.csv', lines('ACC-R')), { engine: 'rows' });
    const viaTyped = await run(await write('typed.csv', lines('ACC-T')));
    expect(viaRows).toMatchObject({ status: 'succeeded', engine: 'rows' });
    expect(viaTyped, viaTyped.typedFallbackReason).toMatchObject({ status: 'succeeded', engine: 'copy', copyMode: 'typed', rowCount: 3 });
    expect(await stored(viaTyped.importId)).toEqual(await stored(viaRows.importId));
    expect(await fixture.db.costRecord.findFirst({ where: { importId: viaTyped.importId, vmId: vm.id } })).toMatchObject({
      providerAccountId: account.id,
      tags: {},
      extra: { x_Custom: 'hello, "world"' },
    });
    // Tag keys trimmed and values as strings, as the row path does; linked by the project tag.
    expect(await fixture.db.costRecord.findFirst({ where: { importId: viaTyped.importId, resourceId: 'vol-1' } })).toMatchObject({
      projectId: project.id,
      tags: { project: 'shop', n: '1' },
    });
    const rollup = await fixture.db.$queryRaw<{ billed: string; rows: bigint }[]>`
      SELECT sum("billedCost")::text AS billed, sum("rowCount") AS rows FROM "CostDailyRollup" WHERE "scopeKey" = (SELECT DISTINCT "scopeKey" FROM "CostRecord" WHERE "importId" = ${viaTyped.importId})`;
    expect(rollup[0]!.billed).toMatch(/^0\.1250000001(0*)$/);
    expect(Number(rollup[0]!.rows)).toBe(3);
  });

  it('takes every clean spec example of ../shared/data/focus', async () => {
    // Not clean: US money and dates (SaaS agreements) need the normalising paths; two files hold an hour 30.
    const files = (await listCsv(specDir)).filter((f) => !/simple_saas_agreements|purchase_scenario_[23]/.test(f));
    expect(files.length).toBeGreaterThanOrEqual(18);
    for (const file of files) {
      const result = await run(file, { defaults: { providerName: 'FOCUS spec', billingCurrency: 'USD' } });
      expect(result, `${file}: ${result.typedFallbackReason}`).toMatchObject({ status: 'succeeded', copyMode: 'typed' });
    }
  });

  it('splits a file with two accounts and two months into four periods; rollups equal the raw sums', async () => {
    const lines = [HEADER];
    for (const [i, acc] of ['ACC-X', 'ACC-Y'].entries()) {
      for (const month of ['2024-09', '2024-10']) {
        lines.push(row(acc, `r-${i}`, `${i + 1}.5`).replaceAll('2024-09-01T00:00:00Z,2024-10-01T00:00:00Z', `${month}-01T00:00:00Z,${month}-28T00:00:00Z`).replaceAll('2024-09-02', `${month}-02`));
      }
    }
    const result = await run(await write('typed-multi.csv', lines.join('\n')));
    expect(result, result.typedFallbackReason).toMatchObject({ status: 'succeeded', copyMode: 'typed', rowCount: 4 });
    expect(result.periods.map((p) => `${p.month} ${p.billingAccountId} ${p.rows}`).sort()).toEqual([
      '2024-09-01 ACC-X 1',
      '2024-09-01 ACC-Y 1',
      '2024-10-01 ACC-X 1',
      '2024-10-01 ACC-Y 1',
    ]);
    const sums = await fixture.db.$queryRaw<{ raw: string; rolled: string }[]>`
      SELECT (SELECT sum("billedCost") FROM "CostRecord" WHERE "importId" = ${result.importId})::text AS raw,
             (SELECT sum(r."billedCost") FROM "CostDailyRollup" r WHERE r."scopeKey" IN (SELECT DISTINCT "scopeKey" FROM "CostRecord" WHERE "importId" = ${result.importId}))::text AS rolled`;
    expect(sums[0]!.rolled).toBe(sums[0]!.raw);
  });

  it('loads a file in two shards (two connections) into one leaf partitioned by id range, storing what one connection stores', async () => {
    const lines = [HEADER];
    for (let i = 0; i < 3000; i++) lines.push(row('ACC-S', `s-${i % 7}`, `${i}.25`, i % 3 ? '"{""project"": ""shop"", ""env"": ""prod""}"' : 'NULL'));
    const text = `${lines.join('\n')}\n`;
    const one = await run(await write('typed-one.csv', text.replaceAll('ACC-S', 'ACC-S1')), { shards: 1 });
    const two = await run(await write('typed-two.csv', text.replaceAll('ACC-S', 'ACC-S2')), { shards: 2 });
    for (const result of [one, two]) expect(result, result.typedFallbackReason).toMatchObject({ status: 'succeeded', copyMode: 'typed', rowCount: 3000 });
    expect(await stored(two.importId)).toEqual(await stored(one.importId));

    const period = two.periods[0]!;
    const scope = await fixture.db.costRecord.findFirstOrThrow({ where: { importId: two.importId }, select: { scopeKey: true } });
    const leaf = leafTable(period.month, scope.scopeKey);
    const shards = await fixture.db.$queryRawUnsafe<{ name: string; n: bigint }[]>(
      `SELECT c.relname AS name, (SELECT count(*) FROM "CostRecord" r WHERE r.tableoid = c.oid) AS n
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = '"${leaf}"'::regclass ORDER BY 1`,
    );
    expect(shards).toHaveLength(2);
    expect(shards.every((s) => Number(s.n) > 0)).toBe(true);
    expect(shards.reduce((sum, s) => sum + Number(s.n), 0)).toBe(3000);
    // Each shard has exactly CostRecord's indexes, all adopted (LEAF_INDEXES matches the schema:
    // otherwise ATTACH would have built the missing ones, or left extra ones unattached).
    const parentIndexes = Number((await fixture.db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM pg_index WHERE indrelid = '"CostRecord"'::regclass`)[0]!.n);
    for (const shard of shards) {
      const [own] = await fixture.db.$queryRawUnsafe<{ total: bigint; adopted: bigint }[]>(
        `SELECT count(*) AS total, count(i.inhparent) AS adopted FROM pg_index x LEFT JOIN pg_inherits i ON i.inhrelid = x.indexrelid WHERE x.indrelid = '"${shard.name}"'::regclass`,
      );
      expect({ total: Number(own!.total), adopted: Number(own!.adopted) }).toEqual({ total: parentIndexes, adopted: parentIndexes });
    }

    // Rollup = raw sums (rows of one rollup group were in both shards); a re-import replaces the period.
    const sums = async () =>
      (await fixture.db.$queryRaw<{ raw: string; rolled: string; rows: bigint }[]>`
        SELECT (SELECT sum("billedCost") FROM "CostRecord" WHERE "scopeKey" = ${scope.scopeKey})::text AS raw,
               (SELECT sum("billedCost") FROM "CostDailyRollup" WHERE "scopeKey" = ${scope.scopeKey})::text AS rolled,
               (SELECT sum("rowCount") FROM "CostDailyRollup" WHERE "scopeKey" = ${scope.scopeKey}) AS rows`)[0]!;
    const first = await sums();
    expect(first.rolled).toBe(first.raw);
    expect(Number(first.rows)).toBe(3000);
    const again = await run(await write('typed-two-again.csv', text.replaceAll('ACC-S', 'ACC-S2')), { shards: 2 });
    expect(again).toMatchObject({ status: 'succeeded', copyMode: 'typed', periods: [{ rows: 3000, replacedRows: 3000 }] });
    expect(await sums()).toEqual(first);
  });

  it('loads a file of many read chunks in shards exactly (output buffers are reused only once written)', async () => {
    // ~40 reads of 256 KiB: every reused output buffer is overwritten many times; a buffer reused
    // while its bytes were still on their way would lose or repeat rows, or break a COPY.
    const n = 40_000;
    const lines = [HEADER];
    for (let i = 0; i < n; i++) lines.push(row('ACC-R', `r-${i}`, `${i}.000000000000000000000000000001`, '"{""project"": ""shop"", ""env"": ""prod""}"'));
    const result = await run(await write('typed-reuse.csv', `${lines.join('\n')}\n`), { shards: 2 });
    expect(result, result.typedFallbackReason).toMatchObject({ status: 'succeeded', copyMode: 'typed', rowCount: n });
    const [check] = await fixture.db.$queryRaw<{ rows: bigint; resources: bigint; billed: string; scopeKey: string }[]>`
      SELECT count(*) AS rows, count(DISTINCT "resourceId") AS resources, sum("billedCost")::text AS billed, min("scopeKey") AS "scopeKey"
        FROM "CostRecord" WHERE "importId" = ${result.importId}`;
    const [rollup] = await fixture.db.$queryRaw<{ billed: string }[]>`
      SELECT sum("billedCost")::text AS billed FROM "CostDailyRollup" WHERE "scopeKey" = ${check!.scopeKey}`;
    // Σ i + n × 1e-30, exactly.
    const exact = `${(n * (n - 1)) / 2}.${'0'.repeat(25)}40000`;
    expect(check).toMatchObject({ rows: BigInt(n), resources: BigInt(n), billed: exact });
    expect(rollup!.billed).toBe(exact);
  });

  it('splits a multi-period file loaded in shards', async () => {
    const lines = [HEADER];
    for (let i = 0; i < 2000; i++) {
      const month = i % 2 ? '2024-11' : '2024-12';
      lines.push(row('ACC-M', `m-${i % 5}`, '1.5').replaceAll('2024-09-01T00:00:00Z,2024-10-01T00:00:00Z', `${month}-01T00:00:00Z,${month}-28T00:00:00Z`).replaceAll('2024-09-02', `${month}-02`));
    }
    const result = await run(await write('typed-multi-shards.csv', lines.join('\n')), { shards: 2 });
    expect(result, result.typedFallbackReason).toMatchObject({ status: 'succeeded', copyMode: 'typed', rowCount: 2000 });
    expect(result.periods.map((p) => `${p.month} ${p.rows}`).sort()).toEqual(['2024-11-01 1000', '2024-12-01 1000']);
    expect(await fixture.db.costRecord.count({ where: { importId: result.importId } })).toBe(2000);
  });

  it('refuses to swap in rows that link to a VM, project or account that is gone', async () => {
    await expect(
      fixture.db.$transaction((tx) => swapLeaf(tx, '2024-09-01', '0000000000000000', 'no_such_table', undefined, { vmIds: [], projectIds: ['gone'], providerAccountIds: [] })),
    ).rejects.toThrow(LinkTargetGone);
  });

  it('links the few rows that name a project by updating just those rows', async () => {
    const lines = [HEADER, row('ACC-F', 'f-0', '1')]; // the 'project: shop' tag (project made by the first test)
    for (let i = 1; i < 10; i++) lines.push(row('ACC-F', `f-${i}`, '1', '"{""env"": ""prod""}"'));
    const result = await run(await write('typed-few.csv', lines.join('\n')));
    expect(result, result.typedFallbackReason).toMatchObject({ status: 'succeeded', copyMode: 'typed', rowCount: 10 });
    const linked = await fixture.db.costRecord.findMany({ where: { importId: result.importId, projectId: { not: null } }, select: { resourceId: true, tags: true } });
    expect(linked).toEqual([{ resourceId: 'f-0', tags: { project: 'shop', n: '1' } }]);
  });

  it('parses the billing period once: rows writing it otherwise are cast after the COPY, an impossible one fails the file', async () => {
    // HEADER's BillingPeriodStart/End are columns 2 and 3; the first row's values are the defaults.
    const other = (line: string, start: string, end: string) => line.replace('2024-09-01T00:00:00Z,2024-10-01T00:00:00Z', `${start},${end}`);
    const lines = (account: string) => [
      HEADER,
      row(account, 'bp-1', '1'),
      other(row(account, 'bp-2', '2'), '"2024-09-01T00:00:00Z"', '2024-10-01'), // the same values in other bytes
      other(row(account, 'bp-3', '3'), '2024-09-01T00:00:00Z', '2024-09-30T23:59:59.5Z'), // another end
      row(account, 'bp-4', '4'),
    ].join('\n');
    const viaRows = await run(await write('typed-period-rows.csv', lines('ACC-P')), { engine: 'rows' });
    const viaTyped = await run(await write('typed-period.csv', lines('ACC-Q')));
    expect(viaTyped, viaTyped.typedFallbackReason).toMatchObject({ status: 'succeeded', copyMode: 'typed', rowCount: 4, periods: [{ month: '2024-09-01', rows: 4 }] });
    expect(await stored(viaTyped.importId)).toEqual(await stored(viaRows.importId));
    const ends = await fixture.db.costRecord.findMany({ where: { importId: viaTyped.importId }, orderBy: { resourceId: 'asc' }, select: { billingPeriodStart: true, billingPeriodEnd: true } });
    expect(ends.map((e) => [e.billingPeriodStart.toISOString(), e.billingPeriodEnd.toISOString()])).toEqual([
      ['2024-09-01T00:00:00.000Z', '2024-10-01T00:00:00.000Z'],
      ['2024-09-01T00:00:00.000Z', '2024-10-01T00:00:00.000Z'],
      ['2024-09-01T00:00:00.000Z', '2024-09-30T23:59:59.500Z'],
      ['2024-09-01T00:00:00.000Z', '2024-10-01T00:00:00.000Z'],
    ]);
    // An impossible date in a row that differs from the first: no typed import, and the row path names the row.
    const bad = await run(await write('typed-period-bad.csv', [HEADER, row('ACC-B', 'b-1', '1'), other(row('ACC-B', 'b-2', '1'), '2024-09-01T00:00:00Z', '2024-09-31T00:00:00Z')].join('\n')));
    expect(bad).toMatchObject({ status: 'failed', rowCount: 0, typedFallbackReason: expect.stringMatching(/out of range|invalid/) });
    expect(bad.errors[0]).toMatchObject({ row: 3, column: 'BillingPeriodEnd' });
  });

  it('hands files that need normalisation to the other paths, which import them or reject them whole', async () => {
    const offset = await run(await write('typed-offset.csv', [HEADER, row('ACC-O', 'o-1', '1', '"{}"', '2024-09-02T02:00:00+02:00')].join('\n')));
    // (The SQL-normalising COPY takes no offsets either: the row path converts them.)
    expect(offset).toMatchObject({ status: 'succeeded', typedFallbackReason: expect.stringMatching(/UTC offset/) });
    const stored = await fixture.db.costRecord.findFirst({ where: { importId: offset.importId } });
    expect(stored?.chargePeriodStart.toISOString()).toBe('2024-09-02T00:00:00.000Z');
    const zoned = await run(await write('typed-zone.csv', [HEADER, row('ACC-Z', 'z-1', '1', '"{}"', '2024-09-02 02:00:00 CEST')].join('\n')));
    expect(zoned.typedFallbackReason).toMatch(/UTC offset/);

    const untrimmed = await run(await write('typed-trim.csv', [HEADER, row('ACC-U', ' u-1 ', '1', '"{}"')].join('\n')));
    expect(untrimmed).toMatchObject({ status: 'succeeded', copyMode: 'normalised', typedFallbackReason: expect.stringMatching(/normalisation/) });
    expect(await fixture.db.costRecord.findFirst({ where: { importId: untrimmed.importId } })).toMatchObject({ resourceId: 'u-1' });

    const text = await run(await write('typed-text.csv', [HEADER, row('ACC-E', 'e-1', '1', '"{}"'), row('ACC-E', 'e-2', 'lots', '"{}"')].join('\n')));
    expect(text).toMatchObject({ status: 'failed', engine: 'rows', rowCount: 0 });
    expect(text.errors[0]).toMatchObject({ row: 3, column: 'BilledCost', value: 'lots' });
    expect(await fixture.db.costRecord.count({ where: { importId: text.importId } })).toBe(0);
    const stages = await fixture.db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM pg_class WHERE relkind IN ('r', 'p') AND (relname LIKE 'CostRecord_stage_%' OR relname LIKE 'CostRaw_%')`;
    expect(Number(stages[0]!.n)).toBe(0);
  });
});
