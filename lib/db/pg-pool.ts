import pg from 'pg';

/** Postgres type OIDs the Prisma pg adapter cannot map. */
const CHAR_OID = 18; // the internal single-byte `"char"` type (pg_class.relkind, pg_constraint.contype…)
const TEXT_OID = 25;

type QueryResultLike = { fields?: { dataTypeID: number }[]; rows?: unknown[] };

/**
 * Which columns of a result were `"char"` before relabelling, keyed by the result's `rows` array
 * (the adapter passes that same array on), so a caller that needs the exact type back — the
 * schema engine's describer reads `pg_constraint.contype` as a Character — can restore it.
 */
export const charColumnsByRows = new WeakMap<object, number[]>();

/**
 * Workaround for @prisma/adapter-pg 7.10.0: a result column of type `"char"` (OID 18) throws
 * UnsupportedNativeDataType, so any raw query over the system catalogs fails. The value arrives as
 * text anyway; we relabel the column as `text` before the adapter sees it.
 */
export function relabelCharColumns<T>(result: T): T {
  const { fields, rows } = (result ?? {}) as QueryResultLike;
  if (Array.isArray(fields)) {
    const relabelled: number[] = [];
    fields.forEach((field, index) => {
      if (field.dataTypeID === CHAR_OID) {
        field.dataTypeID = TEXT_OID;
        relabelled.push(index);
      }
    });
    if (relabelled.length && Array.isArray(rows)) charColumnsByRows.set(rows, relabelled);
  }
  return result;
}

type Callback = (error: Error | null, result: unknown) => void;

const isSubmittable = (arg: unknown) => typeof (arg as { submit?: unknown } | null)?.submit === 'function';

/**
 * pg.Client whose results never carry OID 18 columns (see relabelCharColumns), and whose promise
 * queries run one after another. A Prisma interactive transaction is one connection, and
 * `Promise.all` over its client (e.g. committedSpend's figures inside a submit) sends queries while
 * one is running: pg queues them itself but warns that this is deprecated (and gone in pg 9), so
 * we queue them first — the same order and the same round trips.
 */
class CharSafeClient extends pg.Client {
  private tail: Promise<unknown> = Promise.resolve();

  // pg's query() has many overloads (promise, callback, submittable); we only post-process results.
  override query(...args: unknown[]): never {
    const last = args.length - 1;
    const callback = args[last];
    const superQuery = pg.Client.prototype.query as (...a: unknown[]) => unknown;
    if (typeof callback === 'function') {
      args[last] = ((error: Error | null, result: unknown) =>
        (callback as Callback)(error, error ? result : relabelCharColumns(result))) satisfies Callback;
      return superQuery.apply(this, args) as never;
    }
    // Streams (COPY, cursors) keep pg's own handling: they are never issued concurrently here.
    if (isSubmittable(args[0])) return superQuery.apply(this, args) as never;
    const run = () => superQuery.apply(this, args) as Promise<unknown>;
    const result = this.tail.then(run, run);
    this.tail = result.catch(() => undefined);
    return result.then(relabelCharColumns) as never;
  }
}

export interface PoolOptions {
  max?: number;
  /** Fail fast instead of hanging when the database is unreachable. */
  connectionTimeoutMillis?: number;
  applicationName?: string;
}

/**
 * One connection of our own (the worker's liveness session): the same client as the pool's, so
 * callers that share it (the pool:create handler's SET, the reaper, shutdown) may query at once.
 */
export function createPgClient(connectionString: string, options: { applicationName?: string } = {}): pg.Client {
  return new CharSafeClient({ connectionString, application_name: options.applicationName ?? 'skyport' });
}

export function createPgPool(connectionString: string, options: PoolOptions = {}): pg.Pool {
  return new pg.Pool({
    connectionString,
    Client: CharSafeClient,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 10_000,
    application_name: options.applicationName ?? 'skyport',
  });
}

/** The same connection string pointing at another database on the same server. */
export function withDatabase(connectionString: string, database: string): string {
  const url = new URL(connectionString);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

export function databaseName(connectionString: string): string {
  return decodeURIComponent(new URL(connectionString).pathname.replace(/^\//, ''));
}
