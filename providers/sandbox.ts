// The one entry point to the local emulators (tests, benchmarks, the demo's sandbox accounts).
// Emulators pull in dev dependencies (selfsigned), so production code never imports this file
// statically: scripts/sandbox.ts loads it with import() only when SKYPORT_SANDBOX is on, and
// providers/all.ts (what the server imports) knows nothing of emulators.
import './all';
import { sandbox as aws } from './aws/emulator';
import { sandbox as azure } from './azure/emulator';
import type { ProviderSandbox } from './contract/emulator';
import { sandbox as gcp } from './gcp/emulator';
import type { ProviderModule } from './module';
import { providerModule } from './registry';
import type { ProviderKind } from './types';
import { sandbox as vsphere } from './vsphere/emulator';

/** A provider module together with its emulator: what sandbox accounts and tests need. */
export interface SandboxProviderModule extends ProviderModule<unknown, unknown>, ProviderSandbox<unknown, unknown> {
  kind: ProviderKind;
}

// Settings/secrets types differ per provider; callers only hand them back to the same module.
const sandboxes = [vsphere, aws, azure, gcp] as unknown as ProviderSandbox<unknown, unknown>[];

export function sandboxModule(kind: ProviderKind): SandboxProviderModule {
  const found = sandboxes.find((s) => s.kind === kind);
  if (!found) throw new Error(`No emulator is registered for provider kind "${kind}".`);
  return { ...providerModule(kind), ...found };
}

/** Every provider with its emulator, in the registry's order. */
export function sandboxModules(): readonly SandboxProviderModule[] {
  return sandboxes.map((s) => sandboxModule(s.kind));
}
