import { describe, expect, it } from 'vitest';
import { isProviderError } from '../errors';
import { deadlineExceeded, withDeadline } from './deadline';
import { resolveRuntime } from './runtime';

describe('withDeadline', () => {
  it('passes the result through when the work finishes in time', async () => {
    await expect(withDeadline(1_000, () => new Error('late'), async () => 42)).resolves.toBe(42);
  });

  it('rejects at the deadline, aborts the signal, and ignores the abandoned outcome', async () => {
    let signal: AbortSignal | undefined;
    let abandoned: ((value: unknown) => void) | undefined;
    const error = await withDeadline(
      20,
      () => deadlineExceeded('https://x', 'Call', 20),
      (s) => {
        signal = s;
        return new Promise((_, reject) => (abandoned = reject));
      },
    ).catch((e: unknown) => e);
    expect(isProviderError(error) && error.code).toBe('unavailable');
    expect(isProviderError(error) && error.providerCode).toBe('DEADLINE_EXCEEDED');
    expect(signal?.aborted).toBe(true);
    abandoned?.(new Error('too late: must not surface as an unhandled rejection'));
  });

  it('passes a failure through unchanged', async () => {
    const failure = new Error('boom');
    await expect(withDeadline(1_000, () => new Error('late'), () => Promise.reject(failure))).rejects.toBe(failure);
  });
});

describe('resolveRuntime', () => {
  it('fills the shared defaults and never lets one attempt outlast the call', () => {
    expect(resolveRuntime()).toEqual({ requestTimeoutMs: 15_000, maxRetries: 4, pollIntervalMs: 1_000, operationTimeoutMs: 600_000, callTimeoutMs: 60_000 });
    expect(resolveRuntime({ requestTimeoutMs: 20_000, callTimeoutMs: 5_000 }).requestTimeoutMs).toBe(5_000);
  });
});
