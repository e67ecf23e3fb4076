// Sandbox provider accounts for the embedded demo (scripts/start.ts calls this only with
// SKYPORT_SANDBOX on): each provider's local emulator on a fixed loopback port (state kept in the
// data folder), a provider account pointed at it, a few VMs "made outside Skyport" on first
// start, and an inventory sync so every screen has data.
import fs from 'node:fs';
import path from 'node:path';
import type { ServerConfig } from '../lib/config/server-config';
import type { Db } from '../lib/db/client';
import { auditContext, SYSTEM_ACTOR } from '../lib/audit/record';
import { refreshInstanceTypes } from '../lib/catalog/instance-types';
import { upsertSandboxAccount } from '../lib/provider-accounts/sandbox';
import { syncProviderAccount } from '../lib/provider-accounts/sync';
import type { RunningEmulator } from '../providers/contract/emulator';

export interface RunningSandbox {
  summary: string;
  stop(): Promise<void>;
}

const SEEDED_VMS_PER_REGION = 4;
/** The "made outside Skyport" VMs predate the sandbox, so inventory ages and on-prem chargeback have history. */
const SEEDED_VM_AGE_DAYS = 45;

export async function startSandbox(db: Db, config: ServerConfig): Promise<RunningSandbox> {
  // Loaded here, only when the sandbox is on: emulators need dev dependencies the server must not.
  const { sandboxModules } = await import('../providers/sandbox');
  const portBase = Number(process.env.SKYPORT_SANDBOX_PORT_BASE ?? 54400);
  const running: RunningEmulator[] = [];
  const lines: string[] = [];
  let index = 0;
  for (const module of sandboxModules()) {
    const statePath = path.join(config.dataDir, 'sandbox', `${module.kind}.json`);
    const firstStart = !fs.existsSync(statePath);
    fs.mkdirSync(path.dirname(statePath), { recursive: true });
    const emulator = await module.startEmulator({ port: portBase + index, statePath, recordRequests: false, transitionMs: 2_000 });
    index += 1;
    running.push(emulator);
    const account = module.sandboxAccount(emulator);
    if (firstStart) {
      for (const region of account.regions) {
        emulator.seedVms({ region, count: SEEDED_VMS_PER_REGION, namePrefix: `legacy-${module.kind}`, createdAt: new Date(Date.now() - SEEDED_VM_AGE_DAYS * 86_400_000) });
      }
    }
    const accountId = await upsertSandboxAccount(db, module, account);
    // vCPU/RAM of every size the emulator offers, so placements and inventory rows show real shapes.
    await refreshInstanceTypes(db, accountId).catch((error: unknown) => lines.push(`${module.label}: sizes not read: ${(error as Error).message}`));
    try {
      const sync = await syncProviderAccount(db, accountId, auditContext(SYSTEM_ACTOR));
      lines.push(`${module.label}: ${sync.total} VMs in ${sync.regions.length} regions (${emulator.url})`);
    } catch (error) {
      lines.push(`${module.label}: sync failed: ${(error as Error).message}`);
    }
  }
  return {
    summary: lines.length ? `\n  ${lines.join('\n  ')}` : 'none registered',
    async stop() {
      await Promise.all(running.map((e) => e.close()));
    },
  };
}
