import { isProviderError } from '../errors';

export interface RetryOptions {
  maxRetries: number;
  /** First back-off; doubles each attempt with full jitter, capped at `maxDelayMs`. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Epoch ms after which no retry starts (and no back-off sleeps past it). */
  deadline?: number;
  /** Called before each retry, e.g. to re-login after a session expired. */
  onRetry?: (error: unknown, attempt: number) => Promise<void> | void;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Retry a call while it fails with a retryable ProviderError. Used by adapters whose SDK has no
 * retry policy of its own (vSphere SOAP); the cloud SDKs use their built-in retry strategies.
 */
export async function withRetry<T>(call: () => Promise<T>, options: RetryOptions): Promise<T> {
  const base = options.baseDelayMs ?? 200;
  const cap = options.maxDelayMs ?? 5_000;
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= options.maxRetries || !isProviderError(error) || !error.retryable) throw error;
      const delay = Math.random() * Math.min(cap, base * 2 ** attempt);
      if (options.deadline !== undefined && Date.now() + delay >= options.deadline) throw error;
      await options.onRetry?.(error, attempt + 1);
      await sleep(delay);
    }
  }
}

/** Poll `read` until `done` says so, or fail after `timeoutMs`. */
export async function pollUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  { intervalMs, timeoutMs, what }: { intervalMs: number; timeoutMs: number; what: string },
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}
