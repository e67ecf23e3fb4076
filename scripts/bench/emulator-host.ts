// Child process of `npm run bench:provisioning`: the four provider emulators in a process of their
// own, as remote clouds are, so the benchmark's process runs only what a deployment runs (the
// engine's worker or the direct loop, with the provider SDKs) and the emulators' CPU is counted
// apart. Started by `startEmulatorHost` (emulator-client.ts), which it answers over IPC.
import diagnostics from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';
import type { RunningEmulator } from '../../providers/contract/emulator';
import { sandboxModules } from '../../providers/sandbox';
import type { HostReady, HostReply, HostRequest } from './emulator-client';

const now = () => performance.timeOrigin + performance.now();

async function main() {
  const send = process.send?.bind(process);
  if (!send) throw new Error('emulator-host runs as a child with an IPC channel (startEmulatorHost)');
  const transitionMs = Number(process.env.EMULATOR_HOST_TRANSITION_MS ?? 20);
  const running: RunningEmulator[] = [];
  const accounts: HostReady['accounts'] = [];
  for (const module of sandboxModules()) {
    const emulator = await module.startEmulator({ transitionMs, recordRequests: false });
    running.push(emulator);
    accounts.push({ kind: module.kind, sandbox: module.sandboxAccount(emulator) });
  }
  // Every HTTP(S) request any of the four servers receives (the channel fires once the request's
  // head is parsed: after TLS, before the handler).
  let requests = 0;
  let firstRequestAt: number | null = null;
  diagnostics.subscribe('http.server.request.start', () => {
    requests++;
    firstRequestAt ??= now();
  });
  const close = async () => {
    await Promise.all(running.map((e) => e.close().catch(() => undefined)));
    process.exit(0);
  };
  process.on('message', (message: HostRequest) => {
    const reply = (body: Omit<HostReply, 'id'>) => send({ id: message.id, ...body } satisfies HostReply);
    switch (message.op) {
      case 'stats': {
        const cpu = process.cpuUsage();
        reply({ vmCount: running.reduce((sum, e) => sum + e.vmCount(), 0), requests, cpuMs: (cpu.user + cpu.system) / 1000, at: now() });
        return;
      }
      case 'mark':
        firstRequestAt = null;
        reply({ at: now() });
        return;
      case 'firstRequest':
        reply({ at: firstRequestAt });
        return;
      case 'close':
        void close();
    }
  });
  // The parent died or closed the channel: nothing is left to answer.
  process.on('disconnect', () => void close());
  send({ op: 'ready', accounts } satisfies HostReady);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
