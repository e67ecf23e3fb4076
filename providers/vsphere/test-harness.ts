// Shared by the vSphere tests and the benchmark: an emulator plus adapters pointed at it.
import type { AdapterRuntimeOptions } from '../types';
import { createVsphereAdapter, type VsphereAdapter } from './adapter';
import type { VsphereSettings } from './config';
import { EMULATOR_PASSWORD, EMULATOR_USERNAME, startEmulator, type VsphereEmulator, type VsphereEmulatorOptions } from './emulator';

export const FAST_RUNTIME: AdapterRuntimeOptions = { requestTimeoutMs: 5_000, maxRetries: 3, pollIntervalMs: 10, operationTimeoutMs: 10_000 };
export const SANDBOX_SECRETS = { username: EMULATOR_USERNAME, password: EMULATOR_PASSWORD };

export function sandboxSettings(emulator: VsphereEmulator, extra: Partial<VsphereSettings> = {}): VsphereSettings {
  return { endpoint: emulator.url, caCertPem: emulator.caCertPem, insecure: false, ...extra };
}

export function sandboxAdapter(emulator: VsphereEmulator, extra: Partial<VsphereSettings> = {}, runtime = FAST_RUNTIME): VsphereAdapter {
  return createVsphereAdapter({ settings: sandboxSettings(emulator, extra), secrets: SANDBOX_SECRETS, runtime });
}

export async function startSandbox(options: VsphereEmulatorOptions = {}) {
  const emulator = await startEmulator({ transitionMs: 30, ...options });
  return { emulator, adapter: sandboxAdapter(emulator) };
}
