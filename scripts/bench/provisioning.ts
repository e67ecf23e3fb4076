// `npm run bench:provisioning`: the provisioning engine against the four local emulators, on an
// embedded PostgreSQL in a temp folder (or DATABASE_URL). Measures
//   - approval → first adapter call: from the approval's commit to the job's claim (written right
//     before the first adapter call), one request at a time with an idle worker, p50/p95
//   - BENCH_VMS VMs (default 1,000) across the four emulators through a worker pool of 4: VMs/min,
//     and the ratio to calling the adapters directly (observe → create → wait running) 4 at a time
//   - the kill -9 run: BENCH_KILL_VMS provisions (default 50) while `npm run worker` processes are
//     SIGKILLed at random points and restarted → VMs at the providers, duplicates, terminal requests
// and writes the results to docs/BENCHMARKS.md.
import '../../providers/all';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { createPrismaClient, type Db } from '../../lib/db/client';
import { freePort, startEmbeddedPostgres } from '../../lib/db/embedded';
import { deployMigrations } from '../../lib/db/migrations/engine';
import { configureJobs } from '../../lib/jobs/context';
import { migrateJobsSchema } from '../../lib/jobs/migrate';
import { startWorker } from '../../lib/jobs/worker';
import { adapterForAccount } from '../../lib/provider-accounts/service';
import { resolveImageId } from '../../lib/provisioning/images';
import { createApprovedRequest, createFixture, ENGINE_TASKS, startEmulatedAccount, type EmulatedAccount, type Fixture } from '../../lib/provisioning/test-fixtures';
import { PROVIDER_KINDS, type ProviderKind } from '../../providers/types';
import { machineLine, writeBenchmarkSection } from './report';

process.env.SKYPORT_SECRET_KEY ??= randomBytes(32).toString('base64');
const VMS = Number(process.env.BENCH_VMS ?? 1000);
const KILL_VMS = Number(process.env.BENCH_KILL_VMS ?? 50);
const LATENCY_SAMPLES = Number(process.env.BENCH_SAMPLES ?? 40);
const CONCURRENCY = 4;
const RUNTIME = { requestTimeoutMs: 10_000, maxRetries: 2, pollIntervalMs: 20, operationTimeoutMs: 60_000 };
const ROOT = path.resolve(import.meta.dirname, '../..');
// The worker itself, not tsx's CLI wrapper: SIGKILL to the wrapper would orphan the real process.
const TSX_ARGS = ['--require', path.join(ROOT, 'node_modules/tsx/dist/preflight.cjs'), '--import', pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href, 'scripts/worker.ts'];

const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitTerminal(db: Db, requestIds: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await db.request.count({ where: { id: { in: requestIds }, status: { notIn: ['completed', 'failed'] } } })) > 0) {
    if (Date.now() > deadline) throw new Error('requests did not finish in time');
    await sleep(50);
  }
}

async function approveMany(db: Db, fixture: Fixture, accounts: EmulatedAccount[], count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 10) {
    const specs = Array.from({ length: Math.min(10, count - i) }, (_, j) => ({ account: accounts[(i + j) % accounts.length]! }));
    ids.push((await createApprovedRequest(db, fixture, specs)).requestId);
  }
  return ids;
}

async function directLoop(db: Db, accounts: EmulatedAccount[], count: number): Promise<number> {
  const rows = await db.providerAccount.findMany({ where: { id: { in: accounts.map((a) => a.accountId) } } });
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (;;) {
        const i = next++;
        if (i >= count) return;
        const account = accounts[i % accounts.length]!;
        const { adapter } = adapterForAccount(rows.find((r) => r.id === account.accountId)!, RUNTIME);
        try {
          const key = `direct-${randomBytes(6).toString('hex')}`;
          let vm = await adapter.observe(key, account.region);
          vm ??= await adapter.create({ idempotencyKey: key, name: key, region: account.region, size: account.size, image: await resolveImageId(adapter, account.accountId, account.region, account.image), tags: { owner: 'bench', project: 'bench', request: 'bench', skyportId: key } });
          while (vm.state !== 'running') {
            await sleep(RUNTIME.pollIntervalMs);
            vm = (await adapter.observe(key, account.region)) ?? vm;
          }
        } finally {
          await adapter.close?.().catch(() => undefined);
        }
      }
    }),
  );
  return performance.now() - started;
}

function startWorkerProcess(url: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, TSX_ARGS, {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url, WORKER_CONCURRENCY: String(CONCURRENCY), PROVIDER_POLL_INTERVAL_MS: '20', SKYPORT_DEMO: '0', SKYPORT_SANDBOX: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('[worker] ready') && resolve(child));
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before ready`)));
  });
}

async function main() {
  let stop: (() => Promise<void>) | null = null;
  let url = process.env.DATABASE_URL;
  if (!url) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'skyport-bench-provisioning-'));
    const pg = await startEmbeddedPostgres({ dataDir, port: await freePort(), database: 'skyport' });
    url = pg.url;
    stop = async () => {
      await pg.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    };
  }
  const db = createPrismaClient(url, { max: 12 });
  const emulators: EmulatedAccount[] = [];
  try {
    await deployMigrations(url);
    await migrateJobsSchema(url);
    configureJobs({ db, runtime: RUNTIME });
    const fixture = await createFixture(db);
    for (const kind of PROVIDER_KINDS) emulators.push(await startEmulatedAccount(db, kind as ProviderKind, { transitionMs: 20 }));
    const vmCount = () => emulators.reduce((sum, e) => sum + e.emulator.vmCount(), 0);

    // ── approval → first adapter call ──
    const worker = await startWorker({ connectionString: url, concurrency: CONCURRENCY, tasks: ENGINE_TASKS, cron: [] });
    const latencies: number[] = [];
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      const { requestId } = await createApprovedRequest(db, fixture, [{ account: emulators[i % emulators.length]! }]);
      const committedAt = Date.now();
      await waitTerminal(db, [requestId], 30_000);
      // The claim transaction writes vm_creating, then the task's next statement is the adapter call.
      const claimed = await db.requestEvent.findFirstOrThrow({ where: { requestId, type: 'vm_creating' }, select: { at: true } });
      latencies.push(claimed.at.getTime() - committedAt);
    }

    // ── throughput: the engine vs the adapters in a loop ──
    const before = vmCount();
    const started = performance.now();
    const requestIds = await approveMany(db, fixture, emulators, VMS);
    await waitTerminal(db, requestIds, 30 * 60_000);
    const engineMs = performance.now() - started;
    const made = vmCount() - before;
    const failed = await db.requestItem.count({ where: { requestId: { in: requestIds }, status: 'failed' } });
    await worker.stop();
    const directMs = await directLoop(db, emulators, VMS);

    // ── kill -9 run ──
    const killBefore = vmCount();
    const killRequests = await approveMany(db, fixture, emulators, KILL_VMS);
    let kills = 0;
    const killStarted = performance.now();
    for (;;) {
      const child = await startWorkerProcess(url);
      const open = await db.request.count({ where: { id: { in: killRequests }, status: { notIn: ['completed', 'failed'] } } });
      if (open === 0 || kills >= 5) {
        await waitTerminal(db, killRequests, 10 * 60_000);
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
        break;
      }
      await sleep(500 + Math.random() * 2500);
      child.kill('SIGKILL');
      kills++;
      await new Promise((r) => child.once('exit', r));
    }
    const killSeconds = (performance.now() - killStarted) / 1000;
    const killItems = await db.requestItem.findMany({ where: { requestId: { in: killRequests } }, select: { id: true, status: true } });
    const killVms = await db.vm.findMany({ where: { requestItemId: { in: killItems.map((i) => i.id) } }, select: { idempotencyKey: true } });
    const duplicates = killVms.length - new Set(killVms.map((v) => v.idempotencyKey)).size;
    const terminal = await db.request.count({ where: { id: { in: killRequests }, status: { in: ['completed', 'failed'] } } });
    const atProviders = vmCount() - killBefore;

    const perMin = (count: number, ms: number) => ((count / ms) * 60_000).toFixed(0);
    const markdown = `## Provisioning engine (\`npm run bench:provisioning\`)

${machineLine()}; embedded PostgreSQL; the four emulators in the benchmark process (20 ms state transitions); 1-minute load average at the end ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores (BENCH_VMS=${VMS}).

| measure | result | goal |
| --- | --- | --- |
| approval → first adapter call, p50 / p95 (${latencies.length} single-VM requests, idle worker; commit → the job's vm_creating timeline row (its claim transaction, right before the first adapter call)) | ${quantile(latencies, 0.5).toFixed(0)} ms / ${quantile(latencies, 0.95).toFixed(0)} ms | ≤ 50 ms / ≤ 200 ms |
| ${VMS} VMs through the engine (worker pool of ${CONCURRENCY}) | ${(engineMs / 1000).toFixed(1)} s = ${perMin(VMS, engineMs)} VMs/min; ${made} made at the providers, ${failed} items failed | |
| the same ${VMS} VMs by calling the adapters directly, ${CONCURRENCY} at a time | ${(directMs / 1000).toFixed(1)} s = ${perMin(VMS, directMs)} VMs/min | |
| engine / direct time | ${(engineMs / directMs).toFixed(2)}× | ≤ 1.2× |
| kill -9 run: ${KILL_VMS} provisions, \`npm run worker\` SIGKILLed ${kills}× at random points and restarted | ${atProviders} VMs at the providers, ${killVms.length} Vm rows, ${duplicates} duplicated, ${terminal}/${killRequests.length} requests terminal (${killItems.filter((i) => i.status === 'provisioned').length} items provisioned), ${killSeconds.toFixed(1)} s | exactly ${KILL_VMS}, none duplicated |
`;
    writeBenchmarkSection('provisioning', markdown);
    process.stdout.write(markdown);
  } finally {
    await Promise.all(emulators.map((e) => e.emulator.close()));
    await db.$disconnect();
    if (stop) await stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
