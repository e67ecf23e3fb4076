// Builds and starts govmomi's vCenter simulator (govmomi-sim/main.go) from Debian's
// golang-github-vmware-govmomi-dev in GOPATH mode, for tests against a vim25 implementation
// nobody on this project wrote. The binary is cached under os.tmpdir() by source + Go version.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

const SOURCE = path.join(import.meta.dirname, 'main.go');
const SYSTEM_GOPATH = '/usr/share/gocode';
const GOVMOMI_SIMULATOR = path.join(SYSTEM_GOPATH, 'src/github.com/vmware/govmomi/simulator');

export interface GovmomiSimulator {
  /** https://127.0.0.1:<port>/sdk */
  url: string;
  username: string;
  password: string;
  certPem: string;
  close(): Promise<void>;
}

/** Why the simulator cannot be built here, or null when it can. */
export function govmomiUnavailableReason(): string | null {
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.error || go.status !== 0) return 'the `go` toolchain is not installed (apt-get install golang-go)';
  if (!existsSync(GOVMOMI_SIMULATOR)) {
    return `govmomi sources not found at ${GOVMOMI_SIMULATOR} (apt-get install golang-github-vmware-govmomi-dev golang-github-kr-pretty-dev)`;
  }
  return null;
}

function goVersion(): string {
  return spawnSync('go', ['version'], { encoding: 'utf8' }).stdout.trim();
}

/** Build (once per source/toolchain) and return the binary path. */
export function buildGovmomiSimulator(): string {
  const source = readFileSync(SOURCE);
  const hash = createHash('sha256').update(source).update(goVersion()).digest('hex').slice(0, 16);
  const root = path.join(os.tmpdir(), `skyport-govmomi-sim-${hash}`);
  const binary = path.join(root, 'govmomi-sim');
  if (existsSync(binary)) return binary;

  const packageDir = path.join(root, 'src', 'skyport', 'govmomi-sim');
  mkdirSync(packageDir, { recursive: true });
  writeFileSync(path.join(packageDir, 'main.go'), source);
  const partial = `${binary}.${process.pid}.partial`;
  const build = spawnSync('go', ['build', '-o', partial, '.'], {
    cwd: packageDir,
    encoding: 'utf8',
    env: {
      ...process.env,
      GO111MODULE: 'off',
      GOPATH: `${root}:${SYSTEM_GOPATH}`,
      GOFLAGS: '',
      // Go's default build cache lives under $HOME; without a HOME, keep it next to the binary.
      ...(process.env.GOCACHE || process.env.HOME ? {} : { GOCACHE: path.join(root, 'cache') }),
    },
    timeout: 300_000,
  });
  if (build.status !== 0) {
    throw new Error(`building the govmomi simulator failed:\n${build.stderr || build.error?.message}`);
  }
  renameSync(partial, binary); // atomic, so a parallel run never executes a half-written file
  return binary;
}

export async function startGovmomiSimulator(): Promise<GovmomiSimulator> {
  const binary = buildGovmomiSimulator();
  const child = spawn(binary, [], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const lines = createInterface({ input: child.stdout });
  const first = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`govmomi simulator did not start within 20 s: ${stderr}`)), 20_000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve(line);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`govmomi simulator exited with ${code}: ${stderr}`));
    });
  });
  const info = JSON.parse(first) as { url: string; username: string; password: string; certPem: string };
  return {
    ...info,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin.end(); // main.go exits when stdin closes
        setTimeout(() => child.kill('SIGKILL'), 3_000).unref();
      }),
  };
}
