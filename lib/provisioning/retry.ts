// Which failures are worth another attempt, and when. Provider errors carry their own retryable
// flag (providers/errors.ts); anything that is not a ProviderError (a network blip in our own code,
// a bug we fixed and redeployed) is retried too, up to the attempt limit.
import { isProviderError, ProviderError } from '@/providers/errors';

export interface FailureInfo {
  retryable: boolean;
  code: string;
  message: string;
  providerCode?: string;
}

export function classifyFailure(error: unknown): FailureInfo {
  if (isProviderError(error)) {
    return {
      retryable: error.retryable,
      code: error.code,
      message: error.providerMessage && !error.message.includes(error.providerMessage) ? `${error.message}: ${error.providerMessage}` : error.message,
      providerCode: error.providerCode,
    };
  }
  return { retryable: true, code: 'internal', message: error instanceof Error ? error.message : String(error) };
}

export const BACKOFF_BASE_MS = 2_000;
export const BACKOFF_CAP_MS = 5 * 60_000;

/**
 * Exponential back-off with "equal jitter": half the exponential delay is fixed, half random, so
 * many VMs throttled at once do not retry in lock-step yet never retry almost immediately.
 */
export function backoffDelayMs(attempt: number, random: () => number = Math.random, baseMs: number = BACKOFF_BASE_MS): number {
  const exponential = Math.min(BACKOFF_CAP_MS, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

/**
 * Bounds one job's provider work: an adapter call that never returns (a hung connection the SDK
 * does not time out) becomes a retryable failure instead of a job stuck in "running" forever.
 */
export async function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProviderError('unavailable', `${what} did not finish within ${Math.round(ms / 1000)} s.`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
