// Runtime limits every adapter applies, with one set of defaults for all four providers.
import type { AdapterRuntimeOptions } from '../types';

export type ResolvedRuntime = Required<AdapterRuntimeOptions>;

export const DEFAULT_RUNTIME: ResolvedRuntime = {
  requestTimeoutMs: 15_000,
  maxRetries: 4,
  pollIntervalMs: 1_000,
  operationTimeoutMs: 10 * 60_000,
  callTimeoutMs: 60_000,
};

/** Defaults filled in; one attempt never gets longer than the whole call it belongs to. */
export function resolveRuntime(runtime: AdapterRuntimeOptions = {}): ResolvedRuntime {
  const resolved: ResolvedRuntime = {
    requestTimeoutMs: runtime.requestTimeoutMs ?? DEFAULT_RUNTIME.requestTimeoutMs,
    maxRetries: runtime.maxRetries ?? DEFAULT_RUNTIME.maxRetries,
    pollIntervalMs: runtime.pollIntervalMs ?? DEFAULT_RUNTIME.pollIntervalMs,
    operationTimeoutMs: runtime.operationTimeoutMs ?? DEFAULT_RUNTIME.operationTimeoutMs,
    callTimeoutMs: runtime.callTimeoutMs ?? DEFAULT_RUNTIME.callTimeoutMs,
  };
  resolved.requestTimeoutMs = Math.min(resolved.requestTimeoutMs, resolved.callTimeoutMs);
  return resolved;
}
