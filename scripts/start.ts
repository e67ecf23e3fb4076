// `npm start`: one command from a fresh clone to a running portal.
//   1. validate configuration (lib/config/server-config.ts)
//   2. start the embedded PostgreSQL in SKYPORT_DATA_DIR, or connect to DATABASE_URL (bounded retry)
//   3. apply migrations, seed demo data (embedded default or SKYPORT_DEMO=1)
//   4. start the sandbox provider emulators and their accounts (with demo data)
//   5. build the web app if the sources changed since the last build, then serve it on PORT
// SIGINT/SIGTERM stop the web server, the emulators and the embedded PostgreSQL cleanly.
// `--dev` runs Next's dev server instead of building (for working on the UI).
import { createHash, randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import pg from 'pg';
import { ConfigError, loadServerConfig, type ServerConfig } from '../lib/config/server-config';
import { EmbeddedPostgresError, isPortInUse, startEmbeddedPostgres } from '../lib/db/embedded';
import { deployMigrations } from '../lib/db/migrations/engine';
import { loadSecretKey, SecretKeyError } from '../lib/crypto/secrets';
import { startSandbox, type RunningSandbox } from './sandbox';

const ROOT = path.resolve(import.meta.dirname, '..');
const DEV = process.argv.includes('--dev');

class StartupError extends Error {}

function log(message: string) {
  process.stdout.write(`[skyport] ${message}\n`);
}

async function waitForDatabase(url: string, retries: number): Promise<void> {
  let lastError: unknown;
  for (let attempt = 0; attempt <= retries; attempt++) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch (error) {
      lastError = error;
      await client.end().catch(() => undefined);
      if (attempt < retries) {
        log(`Database not reachable yet (${(error as Error).message}); retry ${attempt + 1}/${retries}…`);
        await new Promise((r) => setTimeout(r, Math.min(5_000, 500 * 2 ** attempt)));
      }
    }
  }
  const safeUrl = new URL(url);
  safeUrl.password = safeUrl.password ? '***' : '';
  throw new StartupError(
    `Cannot reach the database at ${safeUrl.toString()} after ${retries + 1} attempts: ${(lastError as Error)?.message}.`,
  );
}

/** Secrets the web process needs: generated once into the data folder for the embedded default. */
function prepareSecrets(config: ServerConfig): void {
  const embedded = !config.databaseUrl;
  const key = loadSecretKey(process.env, embedded ? config.dataDir : undefined);
  process.env.SKYPORT_SECRET_KEY = key.toString('base64');
  if (!process.env.NEXTAUTH_SECRET) {
    if (!embedded) throw new StartupError('NEXTAUTH_SECRET is not set (required with an external DATABASE_URL; e.g. openssl rand -base64 32).');
    const file = path.join(config.dataDir, 'session-secret');
    if (!fs.existsSync(file)) fs.writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    process.env.NEXTAUTH_SECRET = fs.readFileSync(file, 'utf8').trim();
  }
  process.env.NEXTAUTH_URL ??= config.publicUrl;
}

const BUILD_INPUTS = ['app', 'components', 'lib', 'providers', 'public', 'generated', 'next.config.ts', 'proxy.ts', 'instrumentation-client.ts', 'postcss.config.mjs', 'tsconfig.json', 'package-lock.json'];

/** Fingerprint of the sources a production build depends on (names, sizes, mtimes). */
function sourceFingerprint(): string {
  const hash = createHash('sha256');
  const visit = (entry: string) => {
    const full = path.join(ROOT, entry);
    if (!fs.existsSync(full)) return;
    const stat = fs.statSync(full);
    if (stat.isDirectory()) {
      for (const child of fs.readdirSync(full).sort()) {
        if (child === 'node_modules' || child.endsWith('.test.ts')) continue;
        visit(path.join(entry, child));
      }
    } else {
      hash.update(`${entry}:${stat.size}:${stat.mtimeMs}\n`);
    }
  };
  BUILD_INPUTS.forEach(visit);
  return hash.digest('hex');
}

async function buildIfNeeded(): Promise<void> {
  const marker = path.join(ROOT, '.next', 'skyport-build-fingerprint');
  const fingerprint = sourceFingerprint();
  const built = fs.existsSync(path.join(ROOT, '.next', 'BUILD_ID')) && fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === fingerprint;
  if (built) return;
  log('Building the web app (first start, or sources changed)…');
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'node_modules/next/dist/bin/next'), 'build'], {
      cwd: ROOT,
      stdio: 'inherit',
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
    });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new StartupError(`next build failed (exit ${code}).`))));
    child.on('error', reject);
  });
  fs.writeFileSync(marker, fingerprint);
  log(`Built in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}

async function main() {
  const startedAt = Date.now();
  let config: ServerConfig;
  try {
    config = loadServerConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`[skyport] ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  process.env.NEXT_TELEMETRY_DISABLED = '1';

  if (await isPortInUse(config.port, config.host === '0.0.0.0' ? '127.0.0.1' : config.host)) {
    throw new StartupError(`Port ${config.port} is already in use. Stop the other process or set PORT to a free port.`);
  }

  const cleanups: (() => Promise<void>)[] = [];
  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log(`${signal} received; shutting down…`);
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error: unknown) => console.error('[skyport] shutdown step failed:', error));
    }
    log('Stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  let databaseUrl = config.databaseUrl;
  if (databaseUrl) {
    log('Using the external PostgreSQL from DATABASE_URL.');
    await waitForDatabase(databaseUrl, config.dbConnectRetries);
  } else {
    log(`Starting the embedded PostgreSQL (data in ${config.dataDir})…`);
    const embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.pgPort, database: 'skyport' });
    cleanups.push(() => embedded.stop());
    databaseUrl = embedded.url;
  }
  process.env.DATABASE_URL = databaseUrl;
  prepareSecrets(config);

  const applied = await deployMigrations(databaseUrl);
  log(applied.length ? `Applied migrations: ${applied.join(', ')}` : 'Database schema is up to date.');
  // graphile-worker's own schema (graphile_worker.*, its own ledger); web processes enqueue into it.
  const { migrateJobsSchema } = await import('../lib/jobs/migrate');
  await migrateJobsSchema(databaseUrl);

  const { createPrismaClient } = await import('../lib/db/client');
  const db = createPrismaClient(databaseUrl, { max: 2 });
  cleanups.push(() => db.$disconnect());
  if (config.seedDemo) {
    const { seedDemoData } = await import('../lib/demo/seed');
    const seeded = await seedDemoData(db, { password: config.demoPassword, costRollupTagKeys: config.costRollupTagKeys });
    log(seeded.created ? 'Seeded demo data.' : 'Demo data present.');
  }
  let sandbox: RunningSandbox | null = null;
  if (config.startSandbox) {
    sandbox = await startSandbox(db, config);
    cleanups.push(() => sandbox!.stop());
    log(`Sandbox provider accounts: ${sandbox.summary}`);
  }
  // After the sandbox's first inventory sync: the on-prem chargeback then finds its VMs.
  const { enqueueMissingChargebacks } = await import('../lib/billing/tasks');
  const chargebacks = await enqueueMissingChargebacks(db);
  if (chargebacks.length) log(`Queued the on-prem chargeback for ${chargebacks.join(' and ')} (none yet).`);
  if (config.workerInProcess) {
    // Background jobs (provisioning, day-2 actions, leases) in this process; SKYPORT_WORKER=0 when
    // separate `npm run worker` processes do them. Stopped before the database (cleanups run in reverse).
    const { startWorker } = await import('../lib/jobs/worker');
    process.env.PROVIDER_POLL_INTERVAL_MS = String(config.providerPollIntervalMs);
    const worker = await startWorker({ connectionString: databaseUrl, concurrency: config.workerConcurrency });
    cleanups.push(() => worker.stop());
    log(`Job worker running in this process (concurrency ${config.workerConcurrency}).`);
  }

  if (!DEV) await buildIfNeeded();
  const { default: next } = await import('next');
  const app = next({ dev: DEV, dir: ROOT, hostname: config.host, port: config.port });
  await app.prepare();
  const handler = app.getRequestHandler();
  const server = http.createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  cleanups.push(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await app.close?.();
  });
  log(`Skyport is ready on ${config.publicUrl} (started in ${((Date.now() - startedAt) / 1000).toFixed(1)} s).`);
  if (config.seedDemo) log(`Sign in as requester@, approver@ or admin@demo.skyport with password "${config.demoPassword === 'skyport-demo' ? 'skyport-demo' : '(SKYPORT_DEMO_PASSWORD)'}".`);
}

main().catch((error: unknown) => {
  if (error instanceof StartupError || error instanceof EmbeddedPostgresError || error instanceof SecretKeyError || error instanceof ConfigError) {
    console.error(`[skyport] ${error.message}`);
  } else {
    console.error('[skyport] Start-up failed:', error);
  }
  process.exit(1);
});
