import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { ColumnTypeEnum } from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createPrismaClient } from '../client';
import { databaseName } from '../pg-pool';
import { createEmptyDatabase } from '../../testing/db';
import { MigrationAdapterFactory } from './adapter';
import { DEFAULT_MIGRATIONS_DIR, deployMigrations, diffMigrationsToSchema, migrationStatus } from './engine';

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

async function databaseExists(url: string, name: string): Promise<boolean> {
  const rows = await query<{ n: number }>(url, `SELECT count(*)::int AS n FROM pg_database WHERE datname = '${name}'`);
  return rows[0]!.n === 1;
}

describe('migrations', () => {
  it('are in sync with prisma/schema.prisma (empty diff)', async () => {
    const url = await createEmptyDatabase();
    expect(await diffMigrationsToSchema(url)).toBe('');
  });

  it('deploy records _prisma_migrations rows exactly as `prisma migrate deploy` does, and is idempotent', async () => {
    const url = await createEmptyDatabase();
    const before = await migrationStatus(url);
    expect(before.upToDate).toBe(false);
    expect(before.diagnostic.history?.diagnostic).toBe('databaseIsBehind');

    const folders = fs.readdirSync(DEFAULT_MIGRATIONS_DIR).filter((f) => /^\d{14}_/.test(f)).sort();
    expect(await deployMigrations(url)).toEqual(folders);
    expect(await deployMigrations(url)).toEqual([]);

    const rows = await query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
      rolled_back_at: Date | null;
      logs: string | null;
      applied_steps_count: number;
    }>(url, 'SELECT * FROM _prisma_migrations ORDER BY started_at, migration_name');
    expect(rows.map((r) => r.migration_name)).toEqual(folders);
    for (const row of rows) {
      const sql = fs.readFileSync(path.join(DEFAULT_MIGRATIONS_DIR, row.migration_name, 'migration.sql'));
      expect(row.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.rolled_back_at).toBeNull();
      expect(row.logs).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
    expect((await migrationStatus(url)).upToDate).toBe(true);
  });

  it('installs the append-only audit trigger (a $$ plpgsql body) intact', async () => {
    const url = await createEmptyDatabase();
    await deployMigrations(url);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(
        `INSERT INTO "AuditEvent" ("actorType","actorLabel","action","targetType") VALUES ('system','test','x.y','t')`,
      );
      await expect(client.query(`UPDATE "AuditEvent" SET action = 'rewritten'`)).rejects.toThrow(/append-only/);
      await expect(client.query(`DELETE FROM "AuditEvent"`)).rejects.toThrow(/append-only/);
    } finally {
      await client.end();
    }
  });
});

describe('@prisma/adapter-pg 7.10.0 workarounds', () => {
  it('"char" (OID 18) columns: upstream fails, ours reads them (as text for the client, Character for the engine)', async () => {
    const url = await createEmptyDatabase();
    const sql = `SELECT 'x'::"char" AS c`;

    const upstream = await new PrismaPg({ connectionString: url }).connect();
    await expect(upstream.queryRaw({ sql, args: [], argTypes: [] })).rejects.toThrow();
    await upstream.dispose();

    const client = createPrismaClient(url, { max: 1 });
    expect(await client.$queryRawUnsafe<{ c: string }[]>(sql)).toEqual([{ c: 'x' }]);
    await client.$disconnect();

    const ours = await new MigrationAdapterFactory(url).connect();
    const result = await ours.queryRaw({ sql, args: [], argTypes: [] });
    expect(result.columnTypes).toEqual([ColumnTypeEnum.Character]);
    expect(result.rows).toEqual([['x']]);
    await ours.dispose();
  });

  it('shadow database: upstream reuses the main database; ours creates a separate one and drops it after closing its pool', async () => {
    const url = await createEmptyDatabase();
    const main = databaseName(url);

    const upstream = await new PrismaPg({ connectionString: url }).connectToShadowDb();
    const upstreamDb = await upstream.queryRaw({ sql: 'SELECT current_database() AS d', args: [], argTypes: [] });
    expect(upstreamDb.rows[0]![0]).toBe(main); // the defect: "shadow" is the main database
    await upstream.dispose().catch(() => undefined); // and its DROP fails or drops the wrong thing

    const ours = await new MigrationAdapterFactory(url).connectToShadowDb();
    const shadow = (await ours.queryRaw({ sql: 'SELECT current_database() AS d', args: [], argTypes: [] })).rows[0]![0];
    expect(shadow).not.toBe(main);
    expect(String(shadow)).toMatch(/^prisma_migrate_shadow_db_/);
    expect(await databaseExists(url, String(shadow))).toBe(true);
    await ours.dispose(); // would fail with "database is being accessed by other users" if the pool were still open
    expect(await databaseExists(url, String(shadow))).toBe(false);
  });

  it('executeScript: upstream splits on every ";" (breaking $$ bodies); ours runs the script whole and atomically', async () => {
    const url = await createEmptyDatabase();
    const fn = `CREATE FUNCTION semi() RETURNS text AS $$ BEGIN RETURN 'a;b'; END; $$ LANGUAGE plpgsql;`;

    const upstream = await new PrismaPg({ connectionString: url }).connect();
    await expect(upstream.executeScript(fn)).rejects.toThrow();
    await upstream.dispose();

    const ours = await new MigrationAdapterFactory(url).connect();
    await ours.executeScript(fn);
    expect((await query<{ v: string }>(url, 'SELECT semi() AS v'))[0]!.v).toBe('a;b');

    // Atomic: a failing statement rolls back the ones before it in the same script.
    await expect(ours.executeScript('CREATE TABLE half_done (id int); SELECT 1/0;')).rejects.toThrow();
    const tables = await query<{ n: number }>(url, `SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'half_done'`);
    expect(tables[0]!.n).toBe(0);
    await ours.dispose();
  });
});
