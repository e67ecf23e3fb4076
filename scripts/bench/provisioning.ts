// `npm run bench:provisioning`: the provisioning engine against the four local emulators, on an
// embedded PostgreSQL in a temp folder (or DATABASE_URL). The emulators run in a child process of
// their own (emulator-host.ts), as remote clouds would: this process runs only the engine's worker
// or the direct loop. BENCH_EMULATORS=inprocess runs them in this process instead (the older
// configuration, where the emulators' CPU competes with the worker's on one thread). Measures
//   - approval → first adapter call: from the approval's commit to the first request the provider
//     emulator receives for the job, one request at a time with an idle worker, p50/p95
//   - BENCH_VMS VMs (default 1,000) across the four emulators through a worker pool of 4: VMs/min,
//     and the ratio to calling the adapters directly (observe → create → wait running) 4 at a time
//   - the kill -9 run: BENCH_KILL_VMS provisions (default 50) while `npm run worker` processes are
//     SIGKILLed at random points and restarted → VMs at the providers, duplicates, terminal requests
// and writes the results to docs/BENCHMARKS.md.
import '../../providers/all';
import { spawn, type ChildProcess } from 'node:child_process';
import diagnostics from 'node:diagnostics_channel';
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
import { phaseChannel } from '../../lib/provisioning/provision';
import { approveSubmittedRequest, createApprovedRequest, createFixture, createSubmittedRequest, ENGINE_TASKS, registerEmulatedAccount, startEmulatedAccount, type EmulatedAccount, type EmulatedPlacement, type Fixture } from '../../lib/provisioning/test-fixtures';
import { providerModule } from '../../providers/registry';
import { PROVIDER_KINDS, type ProviderKind } from '../../providers/types';
import { startEmulatorHost } from './emulator-client';
import { machineLine, writeBenchmarkSection } from './report';

process.env.SKYPORT_SECRET_KEY ??= randomBytes(32).toString('base64');
const VMS = Number(process.env.BENCH_VMS ?? 1000);
const KILL_VMS = Number(process.env.BENCH_KILL_VMS ?? 50);
const LATENCY_SAMPLES = Number(process.env.BENCH_SAMPLES ?? 40);
const CONCURRENCY = 4;
const EMULATORS_IN_PROCESS = process.env.BENCH_EMULATORS === 'inprocess';
/**
 * The emulators' pending → running (and similar) transition time, the same for every leg. Real
 * clouds take tens of seconds; BENCH_TRANSITION_MS shows how the engine's fixed per-VM
 * bookkeeping weighs against slower providers.
 */
const TRANSITION_MS = Number(process.env.BENCH_TRANSITION_MS ?? 20);
const RUNTIME = { requestTimeoutMs: 10_000, maxRetries: 2, pollIntervalMs: 20, operationTimeoutMs: 60_000 };
const ROOT = path.resolve(import.meta.dirname, '../..');
// The worker itself, not tsx's CLI wrapper: SIGKILL to the wrapper would orphan the real process.
const TSX_ARGS = ['--require', path.join(ROOT, 'node_modules/tsx/dist/preflight.cjs'), '--import', pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href, 'scripts/worker.ts'];

const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))]!;
const cpuMs = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls until every request is completed or failed. The throughput leg polls every 200 ms: the
 * poll is a query from the process being measured, so it should not run 20 times a second there
 * (200 ms adds under 0.5 % to a run of a minute or more).
 */
async function waitTerminal(db: Db, requestIds: string[], timeoutMs: number, intervalMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await db.request.count({ where: { id: { in: requestIds }, status: { notIn: ['completed', 'failed'] } } })) > 0) {
    if (Date.now() > deadline) throw new Error('requests did not finish in time');
    await sleep(intervalMs);
  }
}

/**
 * One set of the four emulators with a sandbox account each, wherever the emulators run. Times are
 * on this process's performance.now() clock.
 */
interface EmulatorSet {
  accounts: EmulatedPlacement[];
  /** VMs that exist at the four emulators. */
  vmCount(): Promise<number>;
  /** HTTP requests the emulators received so far, and the CPU time of the process they run in (null: this one). */
  stats(): Promise<{ requests: number; cpuMs: number | null }>;
  /** Starts a latency sample; `firstRequestAt` then gives the first request the emulators received after it. */
  mark(): Promise<void>;
  firstRequestAt(): Promise<number | null>;
  close(): Promise<void>;
}

/** The older configuration: the emulators on this process's thread, requests seen on its HTTP server channel. */
async function startInProcessSet(db: Db): Promise<EmulatorSet> {
  const set: EmulatedAccount[] = [];
  for (const kind of PROVIDER_KINDS) set.push(await startEmulatedAccount(db, kind as ProviderKind, { transitionMs: TRANSITION_MS }));
  let requests = 0;
  let first: number | null = null;
  const onRequest = () => {
    requests++;
    first ??= performance.now();
  };
  diagnostics.subscribe('http.server.request.start', onRequest);
  return {
    accounts: set,
    vmCount: async () => set.reduce((sum, e) => sum + e.emulator.vmCount(), 0),
    stats: async () => ({ requests, cpuMs: null }),
    mark: async () => void (first = null),
    firstRequestAt: async () => first,
    async close() {
      diagnostics.unsubscribe('http.server.request.start', onRequest);
      await Promise.all(set.map((e) => e.emulator.close()));
    },
  };
}

/** Largest clock uncertainty (half an IPC round trip) of any latency sample against the emulator host. */
let hostClockErrorMs = 0;

/** The four emulators in a child process; their accounts upserted here from the settings it sends. */
async function startHostedSet(db: Db): Promise<EmulatorSet> {
  const host = await startEmulatorHost({ transitionMs: TRANSITION_MS });
  try {
    const accounts: EmulatedPlacement[] = [];
    for (const { kind, sandbox } of host.accounts) accounts.push(await registerEmulatedAccount(db, providerModule(kind), sandbox));
    let offsetMs = 0;
    return {
      accounts,
      vmCount: async () => (await host.stats()).vmCount,
      stats: async () => host.stats(),
      async mark() {
        const clock = await host.mark();
        offsetMs = clock.offsetMs;
        hostClockErrorMs = Math.max(hostClockErrorMs, clock.errorMs);
      },
      async firstRequestAt() {
        const at = await host.firstRequest();
        // Host clock → ours: subtract the measured offset, then make it relative to our timeOrigin.
        return at === null ? null : at - offsetMs - performance.timeOrigin;
      },
      close: () => host.close(),
    };
  } catch (error) {
    await host.close();
    throw error;
  }
}

/** Requests as submission leaves them (10 VMs each), made before the timer: submission is not provisioning. */
async function submitMany(db: Db, fixture: Fixture, accounts: EmulatedPlacement[], count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 10) {
    const specs = Array.from({ length: Math.min(10, count - i) }, (_, j) => ({ account: accounts[(i + j) % accounts.length]! }));
    ids.push((await createSubmittedRequest(db, fixture, specs)).requestId);
  }
  return ids;
}

/** The last approval of each request (status + the engine's hand-off in one transaction), one after another. */
async function approveAll(db: Db, requestIds: string[]): Promise<void> {
  for (const id of requestIds) await approveSubmittedRequest(db, id);
}

/**
 * The baseline: the same observe → create → wait-until-running per VM, called straight on the
 * adapters, CONCURRENCY at a time, one adapter per account reused across its VMs (what a direct
 * loop does; the engine's worker shares one adapter per account the same way).
 */
async function directLoop(db: Db, accounts: EmulatedPlacement[], count: number): Promise<number> {
  const rows = await db.providerAccount.findMany({ where: { id: { in: accounts.map((a) => a.accountId) } } });
  // Built inside the timed section, as the engine builds its adapters on an account's first job.
  const started = performance.now();
  const adapters = new Map(accounts.map((a) => [a.accountId, adapterForAccount(rows.find((r) => r.id === a.accountId)!, RUNTIME).adapter]));
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (;;) {
          const i = next++;
          if (i >= count) return;
          const account = accounts[i % accounts.length]!;
          const adapter = adapters.get(account.accountId)!;
          const key = `direct-${randomBytes(6).toString('hex')}`;
          let vm = await adapter.observe(key, account.region);
          vm ??= await adapter.create({ idempotencyKey: key, name: key, region: account.region, size: account.size, image: await resolveImageId(adapter, account.accountId, account.region, account.image), tags: { owner: 'bench', project: 'bench', request: 'bench', skyportId: key } });
          while (vm.state !== 'running') {
            await sleep(RUNTIME.pollIntervalMs);
            vm = (await adapter.observe(key, account.region)) ?? vm;
          }
        }
      }),
    );
    return performance.now() - started;
  } finally {
    await Promise.all([...adapters.values()].map((a) => a.close().catch(() => undefined)));
  }
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
  const loadAtStart = os.loadavg()[0]!.toFixed(1);
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
  const sets: EmulatorSet[] = [];
  try {
    await deployMigrations(url);
    await migrateJobsSchema(url);
    configureJobs({ db, runtime: RUNTIME });
    const fixture = await createFixture(db);
    // Emulators slow down as they hold more VMs (filters scan every instance), so each throughput
    // leg gets its own fresh set with the same settings: neither starts with the other's VMs. (The
    // sandbox accounts are upserted per kind, so the same four accounts point at the newest set;
    // the worker notices the edited accounts and builds new adapters.)
    const startSet = async () => {
      const set = await (EMULATORS_IN_PROCESS ? startInProcessSet(db) : startHostedSet(db));
      sets.push(set);
      return set;
    };
    const latencySet = await startSet();

    // ── approval → first adapter call ──
    const worker = await startWorker({ connectionString: url, concurrency: CONCURRENCY, tasks: ENGINE_TASKS, cron: [] });
    // The first request any emulator receives after the approval committed is the job's first
    // adapter call (the worker is otherwise idle; the previous sample finished first).
    const latencies: number[] = [];
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      await latencySet.mark();
      const { requestId } = await createApprovedRequest(db, fixture, [{ account: latencySet.accounts[i % latencySet.accounts.length]! }]);
      const committedAt = performance.now();
      await waitTerminal(db, [requestId], 30_000);
      const firstRequestAt = await latencySet.firstRequestAt();
      if (firstRequestAt === null) throw new Error('the job made no adapter call');
      latencies.push(firstRequestAt - committedAt);
    }

    // ── throughput: the engine vs the adapters in a loop ──
    // Timed from the first approval to the last request terminal: the hand-off's inserts, the
    // jobs' pickup and bookkeeping, and the first use of each new account's adapter all count.
    // Measured per leg: this process's CPU, the emulator host's CPU (when they run there) and the
    // provider requests per VM (the engine should make the same calls as the loop).
    const leg = async <T>(set: EmulatorSet, run: () => Promise<T>) => {
      const before = await set.stats();
      const cpu = process.cpuUsage();
      const result = await run();
      const benchCpuMs = cpuMs(process.cpuUsage(cpu));
      const after = await set.stats();
      return { result, benchCpuMs, emulatorCpuMs: after.cpuMs === null ? null : after.cpuMs - before.cpuMs!, requests: after.requests - before.requests };
    };
    const engineSet = await startSet();
    const requestIds = await submitMany(db, fixture, engineSet.accounts, VMS);
    // Per VM and worker slot: the claim, the provider work and the record (the worker runs in this process).
    const phases: Record<string, number[]> = { claim: [], provider: [], record: [] };
    const onPhase = (message: unknown) => {
      const { phase, ms } = message as { phase: string; ms: number };
      phases[phase]?.push(ms);
    };
    phaseChannel.subscribe(onPhase);
    const engine = await leg(engineSet, async () => {
      const started = performance.now();
      await approveAll(db, requestIds);
      await waitTerminal(db, requestIds, 30 * 60_000, 200);
      return performance.now() - started;
    }).finally(() => phaseChannel.unsubscribe(onPhase));
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
    console.error(
      `[bench] engine per VM and slot (mean / p50 / p95 ms): ` +
        Object.entries(phases).map(([phase, ms]) => `${phase} ${mean(ms).toFixed(1)} / ${ms.length ? quantile(ms, 0.5).toFixed(1) : 'n/a'} / ${ms.length ? quantile(ms, 0.95).toFixed(1) : 'n/a'}`).join(', '),
    );
    const engineMs = engine.result;
    const made = await engineSet.vmCount();
    const failed = await db.requestItem.count({ where: { requestId: { in: requestIds }, status: 'failed' } });
    await worker.stop();
    const directSet = await startSet();
    const direct = await leg(directSet, () => directLoop(db, directSet.accounts, VMS));
    const directMs = direct.result;
    const perVm = (ms: number | null) => (ms === null ? 'n/a' : `${(ms / VMS).toFixed(1)} ms`);
    // Where the difference goes: this process runs the adapters and (engine leg) the worker, and the
    // emulators too with BENCH_EMULATORS=inprocess.
    console.error(
      `[bench] emulators ${EMULATORS_IN_PROCESS ? 'in the benchmark process' : 'in a child process'}; per VM: CPU of the benchmark process engine ${perVm(engine.benchCpuMs)}, direct ${perVm(direct.benchCpuMs)}; ` +
        `CPU of the emulator process engine ${EMULATORS_IN_PROCESS ? 'included above' : perVm(engine.emulatorCpuMs)}, direct ${EMULATORS_IN_PROCESS ? 'included above' : perVm(direct.emulatorCpuMs)}; ` +
        `provider requests engine ${(engine.requests / VMS).toFixed(1)}, direct ${(direct.requests / VMS).toFixed(1)}`,
    );
    const madeDirect = await directSet.vmCount();

    // ── kill -9 run ──
    const vmsAtProviders = async () => (await Promise.all(sets.map((set) => set.vmCount()))).reduce((sum, n) => sum + n, 0);
    const killBefore = await vmsAtProviders();
    const killRequests = await submitMany(db, fixture, directSet.accounts, KILL_VMS);
    await approveAll(db, killRequests);
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
    const atProviders = (await vmsAtProviders()) - killBefore;

    const perMin = (count: number, ms: number) => ((count / ms) * 60_000).toFixed(0);
    const markdown = `## Provisioning engine (\`npm run bench:provisioning\`)

${machineLine()}; embedded PostgreSQL; ${EMULATORS_IN_PROCESS ? 'the four emulators in the benchmark process, on the same thread as the in-process worker and the direct loop (BENCH_EMULATORS=inprocess)' : 'the four emulators in a child process of their own (`scripts/bench/emulator-host.ts`), as remote clouds are: the benchmark process runs only the worker (engine legs) or the direct loop, with the provider SDKs; the kill -9 leg\'s `npm run worker` processes are separate again'} (${TRANSITION_MS} ms state transitions; a fresh set of four for each throughput leg); CPU per VM of the benchmark process engine ${perVm(engine.benchCpuMs)}, direct ${perVm(direct.benchCpuMs)}${EMULATORS_IN_PROCESS ? ' (emulators included)' : `; of the emulator process engine ${perVm(engine.emulatorCpuMs)}, direct ${perVm(direct.emulatorCpuMs)}`}; 1-minute load average ${loadAtStart} at the start, ${os.loadavg()[0]!.toFixed(1)} at the end, on ${os.cpus().length} cores (BENCH_VMS=${VMS}).

| measure | result | goal |
| --- | --- | --- |
| approval → first adapter call, p50 / p95 (${latencies.length} single-VM requests, idle worker; the approval transaction's commit → the first request the emulator receives for the job${EMULATORS_IN_PROCESS ? '' : `, the emulator host's clock related to ours per sample within ±${hostClockErrorMs.toFixed(2)} ms`}) | ${quantile(latencies, 0.5).toFixed(0)} ms / ${quantile(latencies, 0.95).toFixed(0)} ms | ≤ 50 ms / ≤ 200 ms |
| ${VMS} VMs through the engine (worker pool of ${CONCURRENCY}; ${requestIds.length} requests of up to 10 VMs submitted beforehand; first approval → last request completed) | ${(engineMs / 1000).toFixed(1)} s = ${perMin(VMS, engineMs)} VMs/min; ${made} made at the providers, ${failed} items failed | |
| the same ${VMS} VMs by calling the adapters directly (observe → create → wait until running), ${CONCURRENCY} at a time, one adapter per account | ${(directMs / 1000).toFixed(1)} s = ${perMin(VMS, directMs)} VMs/min; ${madeDirect} made | |
| engine / direct time | ${(engineMs / directMs).toFixed(2)}× | ≤ 1.2× |
| kill -9 run: ${KILL_VMS} provisions, \`npm run worker\` SIGKILLed ${kills}× at random points and restarted | ${atProviders} VMs at the providers, ${killVms.length} Vm rows, ${duplicates} duplicated, ${terminal}/${killRequests.length} requests terminal (${killItems.filter((i) => i.status === 'provisioned').length} items provisioned), ${killSeconds.toFixed(1)} s | exactly ${KILL_VMS}, none duplicated |
`;
    // BENCH_WRITE=0: a measurement run that leaves docs/BENCHMARKS.md alone.
    if (process.env.BENCH_WRITE !== '0') writeBenchmarkSection('provisioning', markdown);
    process.stdout.write(markdown);
  } finally {
    await Promise.all(sets.map((set) => set.close()));
    await db.$disconnect();
    if (stop) await stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
