import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { operationFailure, RpcCode, toProviderError, type OperationErrorShape } from './errors';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const fixtures = path.join(process.env.SKYPORT_SHARED_DIR ?? path.resolve(repoRoot, '../shared'), 'data/provider-fixtures/gcp-compute/libcloud-gce-fixtures');
const operationFixture = (name: string) => JSON.parse(readFileSync(path.join(fixtures, name), 'utf8')) as OperationErrorShape;

/** What google-gax hands back: an Error with gRPC `code` and, for REST, `httpStatusCode`. */
function gaxError(message: string, fields: Record<string, unknown>): Error {
  return Object.assign(new Error(message), fields);
}

describe('toProviderError (gax / auth failures)', () => {
  const endpoint = 'http://127.0.0.1:1';

  it.each([
    [404, RpcCode.NOT_FOUND, 'not_found', false],
    [409, RpcCode.ABORTED, 'conflict', true],
    [429, RpcCode.RESOURCE_EXHAUSTED, 'throttled', true],
    [500, RpcCode.INTERNAL, 'unavailable', true],
    [503, RpcCode.UNAVAILABLE, 'unavailable', true],
    [401, RpcCode.UNAUTHENTICATED, 'auth_failed', false],
    [403, RpcCode.PERMISSION_DENIED, 'auth_failed', false],
    [400, RpcCode.INVALID_ARGUMENT, 'invalid_request', false],
  ])('HTTP %i → %s', (status, rpc, code, retryable) => {
    const error = toProviderError(gaxError('boom', { code: rpc, httpStatusCode: status }), endpoint, 'testing');
    expect({ code: error.code, retryable: error.retryable, httpStatus: error.httpStatus }).toEqual({ code, retryable, httpStatus: status });
    expect(error.providerMessage).toBe('boom');
  });

  it('reads errors[0].reason from the raw body gax keeps (403 quotaExceeded is quota, not auth)', () => {
    const raw = { error: { code: 403, message: "Quota 'CPUS' exceeded.", errors: [{ reason: 'quotaExceeded', domain: 'usageLimits' }] } };
    const error = gaxError("Quota 'CPUS' exceeded.", { code: RpcCode.PERMISSION_DENIED, httpStatusCode: 403 });
    Object.defineProperty(error, Symbol.for('google-gax.rawHttpResponsePayload'), { value: JSON.stringify(raw) });
    const mapped = toProviderError(error, endpoint, 'creating');
    expect(mapped.code).toBe('quota_exceeded');
    expect(mapped.retryable).toBe(false);
    expect(mapped.providerCode).toBe('quotaExceeded');
  });

  it('maps an OAuth invalid_grant from the token endpoint to auth_failed with Google\'s description', () => {
    const tokenFailure = Object.assign(new Error('invalid_grant: Invalid JWT Signature.'), {
      response: { status: 400, data: { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' } },
    });
    const wrapped = gaxError('invalid_grant: Invalid JWT Signature.', { code: RpcCode.INVALID_ARGUMENT, httpStatusCode: 400, cause: tokenFailure });
    const mapped = toProviderError(wrapped, endpoint, 'listing regions');
    expect(mapped).toMatchObject({ code: 'auth_failed', retryable: false, providerCode: 'invalid_grant', providerMessage: 'Invalid JWT Signature.' });
  });

  it('names exhausted retries by the last failure: throttling stays throttled, anything else is unavailable', () => {
    const throttled = gaxError(
      "Exceeded maximum number of retries retrying error Error: Quota exceeded for quota metric 'Queries' and limit 'Queries per minute' before any response was received",
      { code: RpcCode.DEADLINE_EXCEEDED },
    );
    expect(toProviderError(throttled, endpoint, 'listing').code).toBe('throttled');
    const refused = gaxError('Exceeded maximum number of retries retrying error Error: connect ECONNREFUSED', { code: RpcCode.DEADLINE_EXCEEDED });
    expect(toProviderError(refused, endpoint, 'listing')).toMatchObject({ code: 'unavailable', retryable: true });
  });

  it('turns transport failures without a response into unavailable naming the endpoint', () => {
    const mapped = toProviderError(gaxError('connect ECONNREFUSED', { code: RpcCode.UNAVAILABLE }), endpoint, 'listing');
    expect(mapped.code).toBe('unavailable');
    expect(mapped.message).toContain(endpoint);
    expect(toProviderError(new TypeError('fetch failed'), endpoint, 'x').code).toBe('unavailable');
  });
});

describe('operationFailure (Operation.error.errors[])', () => {
  it('is undefined for an Operation that finished cleanly (libcloud insert DONE)', () => {
    expect(operationFailure(operationFixture('operations_operation_zones_us-central1-a_instances_post.json'))).toBeUndefined();
  });

  it('RESOURCE_ALREADY_EXISTS (libcloud capture) is a conflict carrying the GCE code and message', () => {
    const failure = operationFailure(operationFixture('operations_operation_zones_europe-west1-a_instances_post.json'));
    expect(failure).toMatchObject({ code: 'conflict', providerCode: 'RESOURCE_ALREADY_EXISTS', httpStatus: 409 });
    expect(failure?.providerMessage).toMatch(/already exists/);
  });

  it('RESOURCE_NOT_READY (setMachineType on a running VM, libcloud capture) is a retryable conflict', () => {
    const failure = operationFailure(operationFixture('zones_us_central1_a_operations_operation_setMachineType_notstopped.json'));
    expect(failure).toMatchObject({ code: 'conflict', retryable: true, providerCode: 'RESOURCE_NOT_READY', httpStatus: 400 });
  });

  it('QUOTA_EXCEEDED is quota_exceeded and not retryable; unknown codes fall back to the HTTP status', () => {
    const quota = operationFailure({ error: { errors: [{ code: 'QUOTA_EXCEEDED', message: "Quota 'CPUS' exceeded." }] }, httpErrorStatusCode: 403 });
    expect(quota).toMatchObject({ code: 'quota_exceeded', retryable: false });
    const other = operationFailure({ error: { errors: [{ code: 'SOMETHING_NEW', message: 'x' }] }, httpErrorStatusCode: 400 });
    expect(other?.code).toBe('invalid_request');
    const pool = operationFailure({ error: { errors: [{ code: 'ZONE_RESOURCE_POOL_EXHAUSTED', message: 'no capacity' }] }, httpErrorStatusCode: 503 });
    expect(pool).toMatchObject({ code: 'unavailable', retryable: true });
  });
});
