import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { Prisma } from '@/generated/prisma/client';
import { costImportFixture } from './import-test-fixture';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const focusDir = path.resolve(repoRoot, '../shared/data/focus');
const specDir = path.join(focusDir, 'spec-examples-v1.2');

const fixture = costImportFixture('skyport-billing-');
const { run, write } = fixture;

async function listCsv(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir)) {
    const full = path.join(dir, entry);
    if ((await stat(full)).isDirectory()) out.push(...(await listCsv(full)));
    else if (entry.endsWith('.csv')) out.push(full);
  }
  return out.sort();
}

/** Sum a cost column of a CSV independently of the importer (exact decimals). */
function csvSum(content: string, column: string, filter: (row: Record<string, string>) => boolean = () => true): string {
  const rows = parse(content, { bom: true, columns: true, skip_empty_lines: true, relax_column_count: true }) as Record<string, string>[];
  return rows
    .filter(filter)
    .reduce((sum, r) => sum.plus((r[column] ?? '0').replace(/[$,\s]/g, '') || '0'), new D(0))
    .toFixed();
}

async function importSums(importId: string) {
  const rows = await fixture.db.$queryRaw<{ billed: string | null; effective: string | null; n: bigint }[]>`
    SELECT sum("billedCost")::text AS billed, sum("effectiveCost")::text AS effective, count(*) AS n FROM "CostRecord" WHERE "importId" = ${importId}`;
  const r = rows[0]!;
  return { billed: new Prisma.Decimal(r.billed ?? 0).toFixed(), effective: new Prisma.Decimal(r.effective ?? 0).toFixed(), rows: Number(r.n) };
}

// decimal.js defaults to 20 significant digits; Azure rows carry more.
const D = Prisma.Decimal.clone({ precision: 200 });

const countRows = async () => Number((await fixture.db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM "CostRecord"`)[0]!.n);

describe('FOCUS spec examples (v1.2)', () => {
  // Two spec files contain the timestamp 2023-02-01T30:00:00Z (hour 30): a real error in the spec's
  // data, which the importer must reject with a row-level message.
  const invalidHour = new Set(['commitment_discount_purchase_scenario_2.csv', 'commitment_discount_purchase_scenario_3.csv']);

  it('imports every example with BilledCost and EffectiveCost exactly as written', async () => {
    const files = await listCsv(specDir);
    expect(files.length).toBeGreaterThanOrEqual(25);
    for (const file of files) {
      const content = await readFile(file, 'utf8');
      const result = await run(file, { defaults: { providerName: 'FOCUS spec', billingCurrency: 'USD' } });
      if (invalidHour.has(path.basename(file))) {
        expect(result.status, file).toBe('failed');
        expect(result.errors[0]).toMatchObject({ column: 'ChargePeriodEnd', value: '2023-02-01T30:00:00Z' });
        expect(result.errors[0]!.row).toBeGreaterThan(1);
        continue;
      }
      expect(result.status, `${file}: ${result.message} ${JSON.stringify(result.errors.slice(0, 2))}`).toBe('succeeded');
      const sums = await importSums(result.importId);
      expect(sums.billed, file).toBe(csvSum(content, 'BilledCost'));
      expect(sums.effective, file).toBe(csvSum(content, 'EffectiveCost'));
    }
  });

  it('keeps a one-time commitment purchase billed now and amortised to zero effective cost', async () => {
    const file = path.join(specDir, 'commitment_discount_scenarios/commitment_discount_purchase_scenario_1.csv');
    const result = await run(file, { defaults: { providerName: 'FOCUS spec', billingCurrency: 'USD' } });
    expect(await importSums(result.importId)).toEqual({ billed: '8760', effective: '0', rows: 1 });
    const usage = await run(path.join(specDir, 'commitment_discount_scenarios/commitment_discount_usage_scenario_3.csv'), {
      defaults: { providerName: 'FOCUS spec 2', billingCurrency: 'USD' },
    });
    // 75 % used + 25 % unused commitment: nothing billed, the full hour effective.
    expect(await importSums(usage.importId)).toEqual({ billed: '0', effective: '1', rows: 2 });
    const rows = await fixture.db.costRecord.findMany({ where: { importId: usage.importId }, orderBy: { effectiveCost: 'desc' } });
    expect(rows.map((r) => r.commitmentDiscountStatus)).toEqual(['Used', 'Unused']);
    expect(rows[0]!.extra).toEqual({});
  });

  it('keeps non-typed FOCUS and x_ columns in extra', async () => {
    const file = path.join(specDir, 'commitment_discount_flexibility/one_hundred_percent_utilization_with_commitment_discount_flexibility_with_1_resource.csv');
    const result = await run(file, { defaults: { providerName: 'FOCUS flex', billingCurrency: 'USD' } });
    const row = await fixture.db.costRecord.findFirst({ where: { importId: result.importId, chargeCategory: 'Purchase' } });
    expect(row?.extra).toMatchObject({ x_CommitmentDiscountUnitPrice: '0.50' });
    expect(row?.skuPriceId).toBe('VM_SMALL_COMMITTED_PURCHASE_NO_UPFRONT'); // header "SkuPriceid": case-insensitive
  });

  it('accepts SaaS exports with "$10,000.00 " money, M/D/YY dates and a BOM', async () => {
    const file = path.join(specDir, 'saas_examples/simple_agreements/simple_saas_agreements_a2.csv');
    const result = await run(file);
    expect(result.status).toBe('succeeded');
    expect(await importSums(result.importId)).toMatchObject({ billed: '50000' });
    const row = await fixture.db.costRecord.findFirst({ where: { importId: result.importId } });
    expect(row?.billingPeriodStart.toISOString()).toBe('2025-04-01T00:00:00.000Z');
    expect(row?.providerName).toBe('ACMECORP');
  });
});

describe('Azure EA native exports', () => {
  it('maps the actual-cost export: a reservation purchase is billed, not effective', async () => {
    const file = path.join(focusDir, 'azure_ea_actualcost_small.csv');
    const content = await readFile(file, 'utf8');
    const result = await run(file, { defaults: { azureCostKind: 'actual' } });
    expect(result.status, JSON.stringify(result.errors.slice(0, 3))).toBe('succeeded');
    const sums = await importSums(result.importId);
    expect(sums.billed).toBe(csvSum(content, 'Cost'));
    expect(sums.effective).toBe(csvSum(content, 'Cost', (r) => !(r.ChargeType === 'Purchase' && r.PricingModel === 'Reservation')));
    const purchase = await fixture.db.costRecord.findFirst({ where: { importId: result.importId, chargeCategory: 'Purchase' } });
    expect(purchase).toMatchObject({ providerName: 'Microsoft', commitmentDiscountType: 'Reservation', chargeFrequency: 'Recurring' });
    const storage = await fixture.db.costRecord.findFirst({ where: { importId: result.importId, serviceName: 'Storage' } });
    expect(storage?.tags).toMatchObject({ CostCenter: '1234', env: 'prod' });
    expect(storage?.billingPeriodEnd.toISOString()).toBe('2023-10-01T00:00:00.000Z');
    expect((storage?.extra as Record<string, string>).x_AzureMeterCategory).toBe('Storage');
  });

  it('maps the amortized export: commitment-covered usage is effective, not billed', async () => {
    const file = path.join(focusDir, 'azure_ea_amortizedcost_small.csv');
    const content = await readFile(file, 'utf8');
    const result = await run(file, { defaults: { azureCostKind: 'amortized' } });
    expect(result.status, `${result.message} ${JSON.stringify(result.errors.slice(0, 3))}`).toBe('succeeded');
    const sums = await importSums(result.importId);
    expect(sums.effective).toBe(csvSum(content, 'Cost'));
    expect(sums.billed).toBe(csvSum(content, 'Cost', (r) => r.PricingModel === 'OnDemand'));
    const vm = await fixture.db.costRecord.findFirst({ where: { importId: result.importId, serviceName: 'Virtual Machines' } });
    expect(vm?.serviceCategory).toBe('Compute');
  });
});

const MESSY_HEADER = '\uFEFFbillingaccountid,BILLINGPERIODSTART,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ChargeFrequency,BilledCost,EffectiveCost,BillingCurrency,ProviderName,RegionId,RegionName,ResourceId,ServiceCategory,ServiceName,Tags,x_Custom';
const messyRow = (resource: string, billed: string, tags = '"{"" project"": ""shop"", ""env"": ""prod""}"') =>
  `ACC-1,2024-09-01 00:00:00,2024-10-01 00:00:00,2024-09-02 00:00:00,2024-09-02 01:00:00,usage,Usage-based,"${billed}",${billed},USD,Messy Cloud,NULL,West Europe,${resource},Compute,VMs,${tags},hello`;

describe('messy real-world exports', () => {
  it('reads NULL literals, quoted numbers, JSON tags, mixed-case headers, BOM, CRLF and extra columns', async () => {
    const content = [MESSY_HEADER, messyRow('vm-1', '1.125'), messyRow('vm-2', '2.0000000001', 'NULL')].join('\r\n') + '\r\n';
    const result = await run(await write('messy.csv', content));
    expect(result.status, JSON.stringify(result.errors)).toBe('succeeded');
    expect(await importSums(result.importId)).toEqual({ billed: '3.1250000001', effective: '3.1250000001', rows: 2 });
    const row = await fixture.db.costRecord.findFirst({ where: { importId: result.importId, resourceId: 'vm-1' } });
    expect(row).toMatchObject({ chargeCategory: 'Usage', chargeFrequency: 'Usage-Based', regionId: null, regionName: 'West Europe', billingAccountId: 'ACC-1' });
    expect(row?.tags).toEqual({ project: 'shop', env: 'prod' });
    expect(row?.extra).toEqual({ x_Custom: 'hello' });
    expect(row?.chargePeriodStart.toISOString()).toBe('2024-09-02T00:00:00.000Z');
  });

  it('reads the same file gzipped', async () => {
    const content = [MESSY_HEADER, messyRow('vm-1', '5'), messyRow('vm-2', '6')].join('\n');
    const result = await run(await write('messy.csv.gz', gzipSync(content)));
    expect(result.status).toBe('succeeded');
    expect(await importSums(result.importId)).toMatchObject({ billed: '11', rows: 2 });
  });

  it('re-importing a period of the same account replaces it (idempotent)', async () => {
    const content = [MESSY_HEADER, messyRow('r-1', '10'), messyRow('r-2', '20')].join('\n').replaceAll('ACC-1', 'ACC-IDEM');
    const file = await write('idem.csv', content);
    const first = await run(file);
    const total = async () =>
      (await fixture.db.$queryRaw<{ s: string }[]>`SELECT sum("billedCost")::text AS s FROM "CostRecord" WHERE "billingAccountId" = 'ACC-IDEM'`)[0]!.s;
    expect(new Prisma.Decimal(await total()).toFixed()).toBe('30');
    const second = await run(file);
    expect(second.periods).toEqual([expect.objectContaining({ month: '2024-09-01', rows: 2, replacedRows: 2 })]);
    expect(new Prisma.Decimal(await total()).toFixed()).toBe('30');
    expect(await fixture.db.costRecord.count({ where: { importId: first.importId } })).toBe(0);
    const rollup = await fixture.db.$queryRaw<{ s: string }[]>`SELECT sum("billedCost")::text AS s FROM "CostDailyRollup" WHERE "scopeKey" IN (SELECT DISTINCT "scopeKey" FROM "CostRecord" WHERE "billingAccountId" = 'ACC-IDEM')`;
    expect(new Prisma.Decimal(rollup[0]!.s).toFixed()).toBe('30');
  });

  it('splits a file with several providers and months into one partition each', async () => {
    const a = messyRow('m-1', '1').replaceAll('ACC-1', 'ACC-MULTI');
    const b = messyRow('m-2', '2').replaceAll('ACC-1', 'ACC-MULTI').replace('Messy Cloud', 'Other Cloud');
    const c = messyRow('m-3', '4').replaceAll('ACC-1', 'ACC-MULTI').replace('2024-09-01 00:00:00,2024-10-01', '2024-10-01 00:00:00,2024-11-01');
    const result = await run(await write('multi.csv', [MESSY_HEADER, a, b, c].join('\n')));
    expect(result.status).toBe('succeeded');
    expect(result.periods.map((p) => [p.month, p.providerName, p.rows])).toEqual([
      ['2024-09-01', 'Messy Cloud', 1],
      ['2024-09-01', 'Other Cloud', 1],
      ['2024-10-01', 'Messy Cloud', 1],
    ]);
    const leaves = await fixture.db.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE c.relname LIKE 'CostRecord_y2024m%'`;
    expect(Number(leaves[0]!.n)).toBeGreaterThanOrEqual(4); // 2 month partitions + their leaves
  });
});

describe('malformed files are rejected whole, with row-level errors', () => {
  async function expectRejected(name: string, content: string | Buffer, match: { row?: number; column?: string; value?: string; message: RegExp }) {
    const before = await countRows();
    const result = await run(await write(name, content));
    expect(result.status).toBe('failed');
    if (match.column) {
      expect(result.errors[0]).toMatchObject({ ...(match.row ? { row: match.row } : {}), column: match.column, ...(match.value !== undefined ? { value: match.value } : {}) });
      expect(result.errors[0]!.message).toMatch(match.message);
    } else {
      expect(result.message).toMatch(match.message);
    }
    expect(await countRows()).toBe(before);
    const stored = await fixture.db.costImport.findUniqueOrThrow({ where: { id: result.importId } });
    expect(stored.status).toBe('failed');
    const stages = await fixture.db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM pg_class WHERE relname LIKE 'CostRecord_stage_%' AND relkind = 'r'`;
    expect(Number(stages[0]!.n)).toBe(0);
    return result;
  }

  it('a bad date (row 3 of 3) rejects the whole file, keeping the valid rows out too', async () => {
    const bad = messyRow('x', '1').replace('2024-09-02 01:00:00', '2024-09-31 01:00:00');
    const result = await expectRejected('bad-date.csv', [MESSY_HEADER, messyRow('x', '1'), bad].join('\n'), {
      row: 3, column: 'ChargePeriodEnd', value: '2024-09-31 01:00:00', message: /not a valid date/,
    });
    expect(result.rejectedRows).toBe(1);
  });

  it('text in a cost column', async () => {
    await expectRejected('text-cost.csv', [MESSY_HEADER, messyRow('x', 'twelve')].join('\n'), { row: 2, column: 'BilledCost', value: 'twelve', message: /not a number/ });
  });

  it('a missing mandatory column', async () => {
    const header = MESSY_HEADER.replace(',EffectiveCost', ',SomethingElse');
    await expectRejected('missing.csv', [header, messyRow('x', '1')].join('\n'), { message: /Missing mandatory FOCUS column: EffectiveCost/ });
  });

  it('a truncated gzip', async () => {
    const gz = gzipSync([MESSY_HEADER, ...Array.from({ length: 2000 }, (_, i) => messyRow(`t-${i}`, '1'))].join('\n'));
    await expectRejected('truncated.csv.gz', gz.subarray(0, Math.floor(gz.length / 2)), { message: /gzip file is truncated or corrupt/ });
  });

  it('a semicolon-delimited file', async () => {
    await expectRejected('semicolon.csv', [MESSY_HEADER.replaceAll(',', ';'), messyRow('x', '1').replaceAll(',', ';')].join('\n'), { message: /";" as its delimiter/ });
  });

  it('an empty mandatory cell and an unknown ChargeCategory, each named', async () => {
    const empty = messyRow('x', '1').replace(',usage,', ',,');
    const unknown = messyRow('y', '1').replace(',usage,', ',Refund,');
    const result = await expectRejected('cells.csv', [MESSY_HEADER, empty, unknown].join('\n'), { row: 2, column: 'ChargeCategory', message: /mandatory but empty/ });
    expect(result.errors[1]).toMatchObject({ row: 3, column: 'ChargeCategory', value: 'Refund' });
  });

  it('a failed re-import leaves the previous import of that period intact', async () => {
    const good = [MESSY_HEADER, messyRow('k-1', '7')].join('\n').replaceAll('ACC-1', 'ACC-KEEP');
    await run(await write('keep.csv', good));
    const bad = [MESSY_HEADER, messyRow('k-1', 'seven')].join('\n').replaceAll('ACC-1', 'ACC-KEEP');
    await run(await write('keep-bad.csv', bad));
    expect(await fixture.db.costRecord.count({ where: { billingAccountId: 'ACC-KEEP' } })).toBe(1);
  });
});

describe('linking to inventory and projects', () => {
  it('links by ResourceId to a VM (and its project), else by a project tag', async () => {
    const owner = await fixture.db.user.create({ data: { email: 'link-owner@t.test', name: 'Owner' } });
    const project = await fixture.db.project.create({ data: { key: 'shop', name: 'Shop', costCentre: 'CC-9', ownerId: owner.id } });
    const other = await fixture.db.project.create({ data: { key: 'data', name: 'Data', costCentre: 'CC-7', ownerId: owner.id } });
    const account = await fixture.db.providerAccount.create({ data: { name: 'aws-link', kind: 'aws', settings: {}, secretsCiphertext: 'none' } });
    const vm = await fixture.db.vm.create({
      data: { providerAccountId: account.id, providerKind: 'aws', regionCode: 'eu-west-1', providerId: 'i-0abc', name: 'web-1', size: 't3.micro', projectId: other.id },
    });
    const rows = [
      messyRow('arn:aws:ec2:eu-west-1:123:instance/i-0abc', '1', 'NULL'),
      messyRow('vol-1', '2'),
      messyRow('vol-2', '3', '"{""cost-center"": ""cc-9""}"'),
    ];
    const result = await run(await write('link.csv', [MESSY_HEADER, ...rows].join('\n').replaceAll('ACC-1', 'ACC-LINK')));
    expect(result.status, JSON.stringify(result.errors)).toBe('succeeded');
    const linked = await fixture.db.costRecord.findMany({ where: { importId: result.importId }, orderBy: { resourceId: 'asc' } });
    expect(linked.map((r) => [r.resourceId, r.vmId, r.projectId])).toEqual([
      ['arn:aws:ec2:eu-west-1:123:instance/i-0abc', vm.id, other.id],
      ['vol-1', null, project.id],
      ['vol-2', null, project.id],
    ]);
  });
});
