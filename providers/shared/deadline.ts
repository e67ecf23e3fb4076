// One overall deadline per provider call. SDK timeouts are per attempt and some (socket idle
// timers, TCP-only connect timers) never fire while a server holds a TLS handshake open, so every
// adapter also races each call against a wall clock that covers connect + TLS + every attempt.
import { ProviderError } from '../errors';

export function deadlineExceeded(endpoint: string, what: string, ms: number): ProviderError {
  return new ProviderError('unavailable', `No complete answer from ${endpoint} to ${what} within ${ms} ms`, {
    providerCode: 'DEADLINE_EXCEEDED',
    providerMessage: `deadline of ${ms} ms exceeded (connect, TLS handshake and response together)`,
    retryable: true,
  });
}

/**
 * Run `work` with a deadline. On expiry the signal aborts (for clients that accept one) and the
 * returned promise rejects with `onTimeout()` at once, whatever the abandoned call still does;
 * its later outcome is ignored. The adapter's close() ends the sockets such calls still hold.
 */
export async function withDeadline<T>(ms: number, onTimeout: () => Error, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(onTimeout());
    }, Math.max(1, ms));
  });
  const running = work(controller.signal);
  // The race below may abandon `running`; its rejection must not surface as unhandled.
  running.catch(() => undefined);
  try {
    return await Promise.race([running, expired]);
  } finally {
    clearTimeout(timer);
  }
}
