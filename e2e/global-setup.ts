// Playwright global setup: a real OIDC provider plus the portal started exactly as a user would
// (`tsx scripts/start.ts`: embedded PostgreSQL, migrations, demo seed, sandbox emulators, production
// build when the sources changed), each on free loopback ports with a fresh data folder. The
// returned function is the teardown: SIGTERM to the portal, wait for it to exit, stop the provider.
//
// Quick local iterations: set E2E_BASE_URL to an already running portal (e.g. `npm run dev`) and
// E2E_OIDC_PORT to the port its OIDC_ISSUER (http://localhost:<port>) points at; optionally
// E2E_DATA_DIR + E2E_PG_PORT so tests can read its database.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, startOidcProvider, type RunningOidcProvider } from './support/oidc-provider';

const ROOT = path.resolve(import.meta.dirname, '..');
/** Includes a production build (~45 s here, longer on a busy machine) when the sources changed. */
const STARTUP_TIMEOUT_MS = 8 * 60_000;

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** `count` consecutive free ports (the sandbox emulators use SKYPORT_SANDBOX_PORT_BASE + i). */
async function freePortRange(count: number, exclude: number[]): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const ports = Array.from({ length: count }, (_, i) => base + i);
    if (ports.some((p) => exclude.includes(p))) continue;
    const free = await Promise.all(ports.map(portIsFree));
    if (free.every(Boolean)) return base;
  }
  throw new Error(`No ${count} consecutive free ports found.`);
}

async function waitForHealth(baseUrl: string, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  let exited: number | null = null;
  child.once('exit', (code) => (exited = code ?? -1));
  while (Date.now() < deadline) {
    if (exited !== null) throw new Error(`The portal exited during start-up (code ${exited}).\n${tail(logFile)}`);
    try {
      const response = await fetch(`${baseUrl}/api/health`, { signal: AbortSignal.timeout(5_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 1_000));
  }
  throw new Error(`The portal did not become healthy within ${STARTUP_TIMEOUT_MS / 1000} s.\n${tail(logFile)}`);
}

function tail(file: string, lines = 40): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no portal log)';
  }
}

async function stopPortal(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timedOut = await Promise.race([exited.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 30_000))]);
  if (timedOut) {
    child.kill('SIGKILL');
    await exited;
  }
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const external = process.env.E2E_BASE_URL?.replace(/\/$/, '');
  let oidc: RunningOidcProvider;

  if (external) {
    oidc = await startOidcProvider({
      port: Number(process.env.E2E_OIDC_PORT ?? 0) || undefined,
      redirectUris: [`${external}/api/auth/callback/oidc`],
    });
    process.env.E2E_OIDC_ISSUER = oidc.issuer;
    return () => oidc.close();
  }

  const port = await freePort();
  const pgPort = await freePort();
  const sandboxBase = await freePortRange(4, [port, pgPort]);
  const baseUrl = `http://localhost:${port}`;
  oidc = await startOidcProvider({ redirectUris: [`${baseUrl}/api/auth/callback/oidc`] });

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'skyport-e2e-'));
  const logFile = path.join(ROOT, 'test-results', 'e2e-portal.log');
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const log = fs.openSync(logFile, 'w');

  // Only what the portal should see: nothing from the developer's own portal configuration.
  const inherited: Record<string, string | undefined> = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !/^(DATABASE_URL|NEXTAUTH_|SKYPORT_|OIDC_|PORT$|HOST$|NODE_ENV$)/.test(key),
    ),
  );
  const child = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), ['scripts/start.ts'], {
    cwd: ROOT,
    stdio: ['ignore', log, log],
    env: {
      ...inherited,
      NODE_ENV: 'production',
      PORT: String(port),
      SKYPORT_DATA_DIR: dataDir,
      SKYPORT_PG_PORT: String(pgPort),
      SKYPORT_SANDBOX_PORT_BASE: String(sandboxBase),
      OIDC_ISSUER: oidc.issuer,
      OIDC_CLIENT_ID,
      OIDC_CLIENT_SECRET,
      OIDC_DISPLAY_NAME: 'Test IdP',
      OIDC_ROLES_CLAIM: 'groups',
      OIDC_ROLE_MAP: 'skyport-admins=admin,skyport-approvers=approver',
    },
  });

  const cleanup = async () => {
    await stopPortal(child);
    fs.closeSync(log);
    await oidc.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    const started = Date.now();
    await waitForHealth(baseUrl, child, logFile);
    process.stdout.write(`[e2e] portal ready on ${baseUrl} in ${((Date.now() - started) / 1000).toFixed(1)} s (log: ${path.relative(ROOT, logFile)})\n`);
  } catch (error) {
    await cleanup();
    throw error;
  }

  process.env.E2E_BASE_URL = baseUrl;
  process.env.E2E_OIDC_ISSUER = oidc.issuer;
  process.env.E2E_DATA_DIR = dataDir;
  process.env.E2E_PG_PORT = String(pgPort);
  return cleanup;
}
