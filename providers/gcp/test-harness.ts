// Shared by the GCP tests and the benchmark: an emulator plus adapters pointed at it.
import type { AdapterRuntimeOptions } from '../types';
import { createGcpAdapter, type GcpAdapter } from './adapter';
import type { Settings } from './config';
import { sandbox, startEmulator, type GcpEmulatorOptions, type GcpRunningEmulator } from './emulator/index';

export const FAST_RUNTIME: AdapterRuntimeOptions = { requestTimeoutMs: 5_000, maxRetries: 3, pollIntervalMs: 10, operationTimeoutMs: 10_000 };

export function sandboxAdapter(emulator: GcpRunningEmulator, extra: Partial<Settings> = {}, runtime = FAST_RUNTIME): GcpAdapter {
  const account = sandbox.sandboxAccount(emulator);
  return createGcpAdapter({ settings: { ...account.settings, ...extra }, secrets: account.secrets, runtime });
}

export async function startSandbox(options: GcpEmulatorOptions = {}) {
  const emulator = await startEmulator({ transitionMs: 30, ...options });
  return { emulator, adapter: sandboxAdapter(emulator) };
}
