// The create task's bookkeeping runs on a plain pg connection: the worker's own pool, lent by
// graphile-worker (`helpers.withPgClient`), so no second pool is opened. Each statement through
// Prisma costs ~0.3 ms of the worker's CPU, and every round trip also costs the socket write and
// the wake-up of the PostgreSQL backend on the same two cores the jobs' provider calls run on. So a
// step's statements travel together: `BEGIN; lock; read` in one round trip, then — after the task
// decided what to write — `write; COMMIT` in another, PostgreSQL's simple query protocol running
// them in order, each with its own snapshot (READ COMMITTED: the read after the lock sees every
// change committed before the lock was granted).
//
// The simple protocol has no bind parameters, so statements are composed with `Prisma.sql` as
// everywhere else and each value is rendered as a literal here (strings through pg's
// escapeLiteral, numbers only when finite, null); nothing else is accepted.
import pg from 'pg';
import type { Prisma } from '@/generated/prisma/client';
import type { Tx } from '../jobs/types';

/** One connection (pg's PoolClient satisfies this). */
export interface SqlConnection {
  query(text: string): Promise<unknown>;
}

/** Lends a connection for the callback's duration (graphile-worker's `withPgClient`). */
export type WithConnection = <T>(use: (connection: SqlConnection) => Promise<T>) => Promise<T>;

/** Runs one statement and returns its rows (Prisma's $queryRaw or a script's statement). */
export type Query = <T>(sql: Prisma.Sql) => Promise<T[]>;

export function prismaQuery(tx: Tx): Query {
  return <T>(sql: Prisma.Sql) => tx.$queryRaw<T[]>(sql);
}

function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'string') return pg.escapeLiteral(value);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  throw new TypeError(`Cannot render a ${typeof value} as an SQL literal; pass strings, finite numbers, booleans or null.`);
}

/** `Prisma.sql` with its values rendered as literals (for the simple query protocol). */
export function inlineSql(sql: Prisma.Sql): string {
  // Prisma.Sql keeps the text between values in `strings` (values.length + 1 of them).
  return sql.strings.reduce((text, part, i) => text + (i === 0 ? '' : literal(sql.values[i - 1])) + part, '');
}

interface ResultLike {
  rows?: unknown[];
}

/** Sends several statements in one round trip; returns each one's rows. */
export async function runScript(connection: SqlConnection, statements: (Prisma.Sql | string)[]): Promise<unknown[][]> {
  const text = statements.map((s) => (typeof s === 'string' ? s : inlineSql(s))).join(';\n');
  const result = (await connection.query(text)) as ResultLike | ResultLike[];
  return (Array.isArray(result) ? result : [result]).map((r) => r.rows ?? []);
}

export interface ScriptTransaction {
  /** BEGIN plus these statements; their rows. */
  begin(...statements: Prisma.Sql[]): Promise<unknown[][]>;
  /** These statements plus COMMIT; their rows. */
  commit(...statements: Prisma.Sql[]): Promise<unknown[][]>;
}

/**
 * A transaction in (usually) two round trips. `work` must call `begin` once and end with `commit`;
 * when it throws, or returns without committing, the transaction is rolled back.
 */
export async function scriptTransaction<T>(withConnection: WithConnection, work: (tx: ScriptTransaction) => Promise<T>): Promise<T> {
  return withConnection(async (connection) => {
    let open = false;
    const tx: ScriptTransaction = {
      async begin(...statements) {
        open = true;
        return (await runScript(connection, ['BEGIN', ...statements])).slice(1);
      },
      async commit(...statements) {
        const rows = await runScript(connection, [...statements, 'COMMIT']);
        open = false;
        return rows.slice(0, statements.length);
      },
    };
    try {
      const result = await work(tx);
      if (open) await connection.query('ROLLBACK');
      return result;
    } catch (error) {
      if (open) await connection.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  });
}
