import type { Agent } from 'node:https';
import { RestError, type PipelinePolicy } from '@azure/core-rest-pipeline';

/**
 * Send HTTPS requests through one agent the adapter owns (with the configured CA), so close() can
 * destroy its sockets; the default client caches agents nobody can close. Plain-http endpoints
 * keep the client's own agent (an https.Agent cannot carry them).
 */
export function ownAgentPolicy(agent: Agent): PipelinePolicy {
  return {
    name: 'skyportOwnAgent',
    sendRequest(request, next) {
      if (request.url.startsWith('https:')) request.agent = agent;
      return next(request);
    },
  };
}

/**
 * Per-attempt timeout. Placed after the retry policy, so each attempt gets its own clock, and a
 * timed-out attempt surfaces as ETIMEDOUT, which the SDK's exponential retry strategy retries
 * (the HTTP client's own `timeout` aborts with an AbortError that is never retried).
 */
export function attemptTimeoutPolicy(timeoutMs: number): PipelinePolicy {
  return {
    name: 'skyportAttemptTimeout',
    async sendRequest(request, next) {
      const outer = request.abortSignal;
      const controller = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, timeoutMs);
      const forward = () => controller.abort();
      if (outer?.aborted) controller.abort();
      outer?.addEventListener('abort', forward, { once: true });
      request.abortSignal = controller.signal;
      try {
        return await next(request);
      } catch (error) {
        if (timedOut && !outer?.aborted) {
          throw new RestError(`No response from ${new URL(request.url).origin} within ${timeoutMs} ms`, {
            code: 'ETIMEDOUT',
            request,
          });
        }
        throw error;
      } finally {
        clearTimeout(timer);
        outer?.removeEventListener('abort', forward);
        request.abortSignal = outer;
      }
    },
  };
}
