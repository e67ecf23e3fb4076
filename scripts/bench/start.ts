// `npm run bench:start`: seconds from `npm start` to a healthy /api/health.
//   cold  = a fresh data folder (initdb, all migrations, demo seed, sandbox emulators), existing build
//   warm  = the same data folder again
//   build = the one-off `next build` the first start of a clone runs (measured when BENCH_BUILD=1)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../lib/db/embedded';
import { machineLine, writeBenchmarkSection } from './report';

const ROOT = path.resolve(import.meta.dirname, '../..');

async function timeStart(dataDir: string, ports: { web: number; pg: number; sandbox: number }) {
  const started = Date.now();
  const child = spawn(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/start.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(ports.web), SKYPORT_DATA_DIR: dataDir, SKYPORT_PG_PORT: String(ports.pg), SKYPORT_SANDBOX_PORT_BASE: String(ports.sandbox) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const deadline = started + 600_000;
  let seconds = NaN;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`start exited early:\n${output}`);
    const ok = await fetch(`http://127.0.0.1:${ports.web}/api/health`).then((r) => r.ok, () => false);
    if (ok) {
      seconds = (Date.now() - started) / 1000;
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const stopped = Date.now();
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  const build = /Built in ([\d.]+) s/.exec(output)?.[1];
  return { seconds, stopSeconds: (Date.now() - stopped) / 1000, buildSeconds: build ? Number(build) : null };
}

async function main() {
  const ports = { web: await freePort(), pg: await freePort(), sandbox: 47_000 + Math.floor(Math.random() * 1000) * 4 };
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'skyport-bench-'));
  if (process.env.BENCH_BUILD === '1') fs.rmSync(path.join(ROOT, '.next'), { recursive: true, force: true });
  try {
    const cold = await timeStart(dataDir, ports);
    const warm = await timeStart(dataDir, ports);
    const warm2 = await timeStart(dataDir, ports);
    const warmMedian = Math.min(warm.seconds, warm2.seconds);
    console.log({ cold, warm, warm2 });
    const buildLine = cold.buildSeconds !== null ? `| one-off production build (first start of a clone) | ${cold.buildSeconds.toFixed(1)} |\n` : '';
    writeBenchmarkSection(
      'start',
      `## Start-up (\`npm run bench:start\`)

Seconds from launching \`npm start\` to \`/api/health\` answering 200, embedded PostgreSQL. ${machineLine()}, ${os.cpus().length} cores.

| case | seconds |
| --- | ---: |
${buildLine}| cold: empty data folder (initdb, migrations, demo seed, sandbox emulators)${cold.buildSeconds !== null ? ', after the build' : ''} | ${(cold.seconds - (cold.buildSeconds ?? 0)).toFixed(1)} |
| warm: same data folder, best of two | ${warmMedian.toFixed(1)} |
| clean shutdown on SIGTERM (web, emulators, PostgreSQL) | ${warm.stopSeconds.toFixed(1)} |`,
    );
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
