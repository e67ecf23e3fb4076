// The benchmark's side of emulator-host.ts: starts the four emulators in a child process and asks
// it for VM counts, request counts, its CPU time and request timestamps. Imports no emulator code,
// so the benchmark process carries none of the emulators' work.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ProviderKind } from '../../providers/types';

export type HostRequest = { id: number; op: 'stats' | 'mark' | 'firstRequest' } | { id: number; op: 'close' };

export interface HostReady {
  op: 'ready';
  /** One sandbox account (settings, secrets, regions) per emulator, pointed at its free port. */
  accounts: { kind: ProviderKind; sandbox: { settings: unknown; secrets: unknown; regions: string[] } }[];
}

/**
 * `at` is the child's clock (performance.timeOrigin + performance.now(), epoch milliseconds):
 * for `stats` and `mark` when it answered, for `firstRequest` the first provider request since the
 * last `mark` (null: none).
 */
export interface HostReply {
  id: number;
  at: number | null;
  vmCount?: number;
  /** HTTP requests the four emulators have received since the host started. */
  requests?: number;
  /** The host's own CPU time (user + system) since it started. */
  cpuMs?: number;
}

export interface HostStats {
  vmCount: number;
  requests: number;
  cpuMs: number;
}

export interface EmulatorHost {
  accounts: HostReady['accounts'];
  stats(): Promise<HostStats>;
  /**
   * Starts a latency sample: the host forgets its first request, and the host's clock is related
   * to ours by the reply's round trip (offset = host time − midpoint of send and receipt, off by at
   * most half the round trip, which is returned as `errorMs`).
   */
  mark(): Promise<{ offsetMs: number; errorMs: number }>;
  /** The first provider request since `mark`, on the host's clock (epoch ms), or null. */
  firstRequest(): Promise<number | null>;
  close(): Promise<void>;
}

const now = () => performance.timeOrigin + performance.now();

export async function startEmulatorHost(options: { transitionMs: number }): Promise<EmulatorHost> {
  // fork() reuses this process's execArgv: tsx's loader, so the host runs TypeScript the same way.
  const child: ChildProcess = fork(path.join(import.meta.dirname, 'emulator-host.ts'), [], {
    env: { ...process.env, EMULATOR_HOST_TRANSITION_MS: String(options.transitionMs) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, (reply: HostReply) => void>();
  let nextId = 1;
  let exited = false;
  const ready = new Promise<HostReady>((resolve, reject) => {
    child.on('message', (message: HostReady | HostReply) => {
      if ('op' in message) return resolve(message);
      pending.get(message.id)?.(message);
      pending.delete(message.id);
    });
    child.once('exit', (code) => {
      exited = true;
      reject(new Error(`emulator host exited (${code}) before ready`));
      for (const [, answer] of pending) answer({ id: -1, at: null });
    });
  });
  const ask = (op: 'stats' | 'mark' | 'firstRequest') =>
    new Promise<HostReply>((resolve, reject) => {
      if (exited) return reject(new Error('emulator host is gone'));
      const id = nextId++;
      pending.set(id, (reply) => (reply.id === id ? resolve(reply) : reject(new Error('emulator host exited'))));
      child.send({ id, op } satisfies HostRequest);
    });
  const { accounts } = await ready;
  return {
    accounts,
    async stats() {
      const reply = await ask('stats');
      return { vmCount: reply.vmCount!, requests: reply.requests!, cpuMs: reply.cpuMs! };
    },
    async mark() {
      // Three exchanges, the shortest round trip kept: a reply delayed by either event loop only
      // widens the bound, and the tightest one is the best estimate.
      let best = { offsetMs: 0, errorMs: Infinity };
      for (let i = 0; i < 3; i++) {
        const sent = now();
        const reply = await ask('mark');
        const received = now();
        if ((received - sent) / 2 < best.errorMs) best = { offsetMs: reply.at! - (sent + received) / 2, errorMs: (received - sent) / 2 };
      }
      return best;
    },
    async firstRequest() {
      return (await ask('firstRequest')).at;
    },
    async close() {
      if (exited) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.send({ id: nextId++, op: 'close' } satisfies HostRequest);
      await gone;
    },
  };
}
