// Every normalized ProviderError code answers with its own HTTP status and a problem document that
// carries the normalized error (issue 11 §4). Iterates PROVIDER_ERROR_CODES, so a code added to
// providers/errors.ts fails here until its status is decided.
import { describe, expect, it } from 'vitest';
import { PROVIDER_ERROR_CODES, ProviderError, type ProviderErrorCode } from '@/providers/errors';
import { problemFromError, problemResponse } from './problem';

/** The decision, written out: client-side faults 4xx, the cloud's faults 502/503 (never a bare 500). */
const EXPECTED_STATUS: Record<string, number> = {
  invalid_request: 422,
  not_found: 404,
  conflict: 409,
  quota_exceeded: 409,
  auth_failed: 502,
  throttled: 503,
  unavailable: 503,
};

describe('ProviderError → HTTP', () => {
  it.each(PROVIDER_ERROR_CODES.map((code) => [code] as const))('%s', async (code: ProviderErrorCode) => {
    expect(EXPECTED_STATUS[code], `decide the HTTP status of ProviderError code "${code}" here and in problem.ts`).toBeDefined();
    const error = new ProviderError(code, `cloud said ${code}`, { providerCode: `Native.${code}`, providerMessage: 'verbatim' });
    const problem = problemFromError(error, 'req-1', '/api/v1/x');
    expect(problem.status).toBe(EXPECTED_STATUS[code]);
    expect(problem.type).toBe(`https://skyport.dev/problems/provider-${code.replaceAll('_', '-')}`);
    expect(problem.detail).toBe(`cloud said ${code}`);
    expect(problem.provider).toMatchObject({ code, retryable: error.retryable, providerCode: `Native.${code}` });
    const response = problemResponse(problem, error);
    expect(response.status).toBe(EXPECTED_STATUS[code]);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(((await response.json()) as { requestId: string }).requestId).toBe('req-1');
  });

  it('distinct codes are told apart by type even where they share a status', () => {
    const types = PROVIDER_ERROR_CODES.map((code) => problemFromError(new ProviderError(code, 'x'), 'r').type);
    expect(new Set(types).size).toBe(PROVIDER_ERROR_CODES.length);
  });
});
