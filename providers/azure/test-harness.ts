// Shared by the Azure tests and the benchmark: an emulator plus adapters pointed at it.
import type { AdapterRuntimeOptions, ProviderAdapter } from '../types';
import { createAzureAdapter } from './adapter';
import type { AzureSettings } from './config';
import { sandbox, startEmulator, type AzureRunningEmulator } from './emulator';

export const FAST_RUNTIME: AdapterRuntimeOptions = { requestTimeoutMs: 5_000, maxRetries: 4, pollIntervalMs: 10, operationTimeoutMs: 20_000 };

export function sandboxAdapter(emulator: AzureRunningEmulator, extra: Partial<AzureSettings> = {}, runtime = FAST_RUNTIME): ProviderAdapter {
  const account = sandbox.sandboxAccount(emulator);
  return createAzureAdapter({ settings: { ...account.settings, ...extra }, secrets: account.secrets, runtime });
}

export async function startSandbox(options: Parameters<typeof startEmulator>[0] = {}) {
  const emulator = await startEmulator({ transitionMs: 20, ...options });
  return { emulator, adapter: sandboxAdapter(emulator) };
}
