// A migration-aware driver adapter factory for the WebAssembly schema engine, built on
// @prisma/adapter-pg 7.10.0 with its known defects worked around (each has a test in
// adapter.test.ts):
//  1. `"char"` (OID 18) result columns fail to deserialize → the pool's client relabels them as text
//     (pg-pool.ts) and, for the engine, queryRaw restores their type as Character.
//  2. connectToShadowDb() spreads `database` next to `connectionString`, and pg lets the connection
//     string win, so the "shadow" database is the main one → we build the shadow URL ourselves.
//  3. The shadow database is dropped before its pool is closed (DROP fails while connections are
//     open) → we close the pool first, then drop WITH (FORCE).
//  4. executeScript() splits the script on every `;`, breaking `$$ … $$` function bodies and
//     running a migration as many separate transactions → we send the script as one simple-protocol
//     query, which PostgreSQL runs whole, in one implicit transaction.
import { randomUUID } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  ColumnTypeEnum,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQueryable,
  type Transaction,
} from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { charColumnsByRows, createPgPool, withDatabase } from '../pg-pool';

type WithOnError = { onError?: (error: unknown) => never };

/** Give `"char"` columns (relabelled as text by the pool) their Character type back (defect 1). */
function restoreCharColumns<Q extends SqlQueryable>(queryable: Q): Q {
  const queryRaw = queryable.queryRaw.bind(queryable);
  queryable.queryRaw = async (query) => {
    const result = await queryRaw(query);
    for (const index of charColumnsByRows.get(result.rows) ?? []) result.columnTypes[index] = ColumnTypeEnum.Character;
    return result;
  };
  return queryable;
}

/** Replace executeScript (defect 4), fix "char" columns, chain extra clean-up after dispose. */
function patchAdapter(adapter: SqlDriverAdapter, pool: pg.Pool, afterDispose?: () => Promise<void>): SqlDriverAdapter {
  const original = adapter.dispose.bind(adapter);
  const startTransaction = adapter.startTransaction.bind(adapter);
  restoreCharColumns(adapter);
  Object.assign(adapter, {
    async startTransaction(...args: Parameters<SqlDriverAdapter['startTransaction']>): Promise<Transaction> {
      return restoreCharColumns(await startTransaction(...args));
    },
    async executeScript(script: string): Promise<void> {
      try {
        await pool.query(script);
      } catch (error) {
        const onError = (adapter as WithOnError).onError;
        if (onError) onError.call(adapter, error); // converts to DriverAdapterError and throws
        throw error;
      }
    },
    async dispose(): Promise<void> {
      await original();
      await afterDispose?.();
    },
  });
  return adapter;
}

export class MigrationAdapterFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = 'postgres' as const;
  readonly adapterName = '@prisma/adapter-pg';

  /** The engine never disposes its main connection; we close it when the engine is freed. */
  private readonly open = new Set<SqlDriverAdapter>();

  constructor(private readonly connectionString: string) {}

  async connect(): Promise<SqlDriverAdapter> {
    const pool = createPgPool(this.connectionString, { max: 2, applicationName: 'skyport-migrate' });
    const adapter = patchAdapter(await new PrismaPg(pool, { disposeExternalPool: true }).connect(), pool);
    this.open.add(adapter);
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      this.open.delete(adapter);
      await dispose();
    };
    return adapter;
  }

  async disposeAll(): Promise<void> {
    await Promise.all([...this.open].map((adapter) => adapter.dispose()));
  }

  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    const shadowName = `prisma_migrate_shadow_db_${randomUUID()}`;
    const admin = new pg.Client({ connectionString: this.connectionString, connectionTimeoutMillis: 10_000 });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${shadowName}"`);
    } catch (error) {
      await admin.end();
      throw error;
    }
    const pool = createPgPool(withDatabase(this.connectionString, shadowName), {
      max: 2,
      applicationName: 'skyport-migrate-shadow',
    });
    const adapter = await new PrismaPg(pool, { disposeExternalPool: true }).connect();
    return patchAdapter(adapter, pool, async () => {
      try {
        await admin.query(`DROP DATABASE IF EXISTS "${shadowName}" WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    });
  }
}
