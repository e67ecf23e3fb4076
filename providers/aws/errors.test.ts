import { EC2ServiceException } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../errors';
import { normalizedCodeFor, toProviderError } from './errors';
import { clientTokenFor, ec2TagList, tagMapOf, vmStateOf } from './state';

function sdkError(name: string, status: number, message = `${name} happened`) {
  return new EC2ServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message });
}

describe('AWS error mapping', () => {
  it.each([
    ['RequestLimitExceeded', 503, 'throttled', true],
    ['VcpuLimitExceeded', 400, 'quota_exceeded', false],
    ['InstanceLimitExceeded', 400, 'quota_exceeded', false],
    ['AuthFailure', 401, 'auth_failed', false],
    ['SignatureDoesNotMatch', 403, 'auth_failed', false],
    ['UnauthorizedOperation', 403, 'auth_failed', false],
    ['RequestExpired', 400, 'auth_failed', false],
    ['InvalidInstanceID.NotFound', 400, 'not_found', false],
    ['InvalidAMIID.NotFound', 400, 'not_found', false],
    ['InvalidInstanceID.Malformed', 400, 'invalid_request', false],
    ['InvalidParameterValue', 400, 'invalid_request', false],
    ['IncorrectInstanceState', 400, 'conflict', true],
    ['IdempotentParameterMismatch', 400, 'conflict', false],
    ['InternalError', 500, 'unavailable', true],
    ['InsufficientInstanceCapacity', 500, 'unavailable', true],
    ['SomethingNew', 429, 'throttled', true],
    ['SomethingElse', 400, 'invalid_request', false],
  ] as const)('%s (HTTP %i) becomes %s', (name, status, code, retryable) => {
    const error = toProviderError(sdkError(name, status), 'DescribeInstances', 'http://x');
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.code).toBe(code);
    expect(error.retryable).toBe(retryable);
    expect(error.providerCode).toBe(name);
    expect(error.providerMessage).toBe(`${name} happened`);
    expect(error.httpStatus).toBe(status);
  });

  it('turns network failures (no HTTP response) into unavailable, naming the endpoint', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    const error = toProviderError(refused, 'DescribeRegions', 'http://127.0.0.1:9');
    expect(error.code).toBe('unavailable');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('http://127.0.0.1:9');
    const timeout = Object.assign(new Error('request timed out'), { name: 'TimeoutError' });
    expect(toProviderError(timeout, 'DescribeInstances', 'http://x').code).toBe('unavailable');
  });

  it('recognises limit codes it has not seen by their suffix', () => {
    expect(normalizedCodeFor('SecurityGroupLimitExceeded', 400)).toBe('quota_exceeded');
  });
});

describe('EC2 state and token mapping', () => {
  it('maps every EC2 instance state name', () => {
    expect(['pending', 'running', 'stopping', 'stopped', 'shutting-down', 'terminated'].map(vmStateOf)).toEqual([
      'pending',
      'running',
      'stopping',
      'stopped',
      'deleting',
      'deleted',
    ]);
    expect(vmStateOf('hibernating')).toBe('unknown');
    expect(vmStateOf(undefined)).toBe('unknown');
  });

  it('uses short keys verbatim as ClientToken and hashes long or non-ASCII ones deterministically', () => {
    expect(clientTokenFor('sp-abc-1')).toBe('sp-abc-1');
    const long = `sp-${'x'.repeat(80)}`;
    expect(clientTokenFor(long)).toHaveLength(64);
    expect(clientTokenFor(long)).toBe(clientTokenFor(long));
    expect(clientTokenFor(`${long}y`)).not.toBe(clientTokenFor(long));
    expect(clientTokenFor('schlüssel')).toMatch(/^skh-[0-9a-f]{60}$/);
  });

  it('drops reserved aws: tag keys and reads tag lists back', () => {
    const list = ec2TagList({ 'aws:cloudformation:stack-name': 'x', team: 'web' });
    expect(list).toEqual([{ Key: 'team', Value: 'web' }]);
    expect(tagMapOf([{ Key: 'a', Value: '1' }, { Key: 'b' }, { Value: 'orphan' }])).toEqual({ a: '1', b: '' });
  });
});
