// Sandbox provider accounts for the embedded demo: each provider's local emulator on a fixed
// loopback port (state kept in the data folder), and a provider account pointed at it.
import path from 'node:path';
import type { ServerConfig } from '../lib/config/server-config';
import type { Db } from '../lib/db/client';
import { providerModules } from '../providers/registry';
import type { RunningEmulator } from '../providers/contract/emulator';
import { upsertSandboxAccount } from '../lib/provider-accounts/sandbox';
import '../providers/all';

export interface RunningSandbox {
  summary: string;
  stop(): Promise<void>;
}

export const SANDBOX_PORT_BASE = Number(process.env.SKYPORT_SANDBOX_PORT_BASE ?? 54400);

export async function startSandbox(db: Db, config: ServerConfig): Promise<RunningSandbox> {
  const running: RunningEmulator[] = [];
  const names: string[] = [];
  let index = 0;
  for (const module of providerModules()) {
    const emulator = await module.startEmulator({
      port: SANDBOX_PORT_BASE + index,
      statePath: path.join(config.dataDir, 'sandbox', `${module.kind}.json`),
      recordRequests: false,
      transitionMs: 2_000,
    });
    index += 1;
    running.push(emulator);
    const account = module.sandboxAccount(emulator);
    await upsertSandboxAccount(db, module, account);
    names.push(`${module.label} (${emulator.url})`);
  }
  return {
    summary: names.length ? names.join(', ') : 'none registered',
    async stop() {
      await Promise.all(running.map((e) => e.close()));
    },
  };
}
