import { RestError } from '@azure/core-rest-pipeline';
import { describe, expect, it } from 'vitest';
import { codeForArmError, toProviderError } from './errors';
import { parseImageUrn } from './images';
import { computerNameForKey, MAX_VM_NAME, nicNameForVm, parseVmId, vmNameForKey } from './naming';
import { conditionFrom, providerStateText, vmStateFrom } from './state';

function armRestError(status: number, error: { code: string; message: string; details?: { code: string; message: string }[] }) {
  const rest = new RestError(error.message, { statusCode: status, code: error.code });
  rest.details = { error };
  return rest;
}

describe('azure error mapping', () => {
  it('maps CloudErrors by status and code, keeping the provider code and message', () => {
    const quota = toProviderError(
      armRestError(409, { code: 'OperationNotAllowed', message: 'Operation could not be completed as it results in exceeding approved standardDSv5Family Cores quota.', details: [{ code: 'QuotaExceeded', message: 'x' }] }),
      'https://management.azure.com',
      'Creating the VM',
    );
    expect(quota.code).toBe('quota_exceeded');
    expect(quota.retryable).toBe(false);
    expect(quota.providerCode).toBe('OperationNotAllowed');
    expect(quota.httpStatus).toBe(409);

    const throttled = toProviderError(armRestError(429, { code: 'OperationNotAllowed', message: 'too many requests' }), 'e', 'List');
    expect(throttled.code).toBe('throttled');
    expect(throttled.retryable).toBe(true);

    expect(toProviderError(armRestError(404, { code: 'ResourceNotFound', message: 'gone' }), 'e', 'Get').code).toBe('not_found');
    expect(toProviderError(armRestError(401, { code: 'InvalidAuthenticationToken', message: 'bad' }), 'e', 'Get').code).toBe('auth_failed');
    expect(toProviderError(armRestError(403, { code: 'AuthorizationFailed', message: 'no' }), 'e', 'Get').code).toBe('auth_failed');
    expect(toProviderError(armRestError(409, { code: 'PropertyChangeNotAllowed', message: 'no' }), 'e', 'Put').code).toBe('invalid_request');
    expect(toProviderError(armRestError(409, { code: 'OperationNotAllowed', message: 'VM is marked for deletion' }), 'e', 'Start').code).toBe('conflict');
    expect(toProviderError(armRestError(500, { code: 'InternalExecutionError', message: 'retry later' }), 'e', 'Get').code).toBe('unavailable');
  });

  it('treats socket failures and timeouts as unavailable and TLS failures as not retryable', () => {
    const refused = toProviderError(new RestError('connect ECONNREFUSED 127.0.0.1:1', { code: 'ECONNREFUSED' }), 'https://x', 'List');
    expect(refused.code).toBe('unavailable');
    expect(refused.retryable).toBe(true);
    const tls = toProviderError(new RestError('self-signed certificate', { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), 'https://x', 'List');
    expect(tls.code).toBe('unavailable');
    expect(tls.retryable).toBe(false);
    expect(tls.message).toMatch(/caCertPem/);
    const aborted = Object.assign(new Error('The operation was aborted'), { name: 'AbortError' });
    expect(toProviderError(aborted, 'https://x', 'Start').code).toBe('unavailable');
  });

  it('maps identity failures: AADSTS errors are auth_failed with the AADSTS code', () => {
    const aad = Object.assign(new Error('invalid_client'), {
      name: 'AuthenticationError',
      statusCode: 401,
      errorResponse: { error: 'invalid_client', errorDescription: 'AADSTS7000215: Invalid client secret provided.' },
    });
    const mapped = toProviderError(aad, 'https://x', 'List');
    expect(mapped.code).toBe('auth_failed');
    expect(mapped.providerCode).toBe('AADSTS7000215');
    expect(mapped.retryable).toBe(false);
  });

  it('gives the quota rule precedence only outside throttling', () => {
    expect(codeForArmError(429, ['QuotaExceeded'], 'quota')).toBe('throttled');
    expect(codeForArmError(409, ['OperationNotAllowed'], 'exceeding approved Total Regional Cores quota')).toBe('quota_exceeded');
    expect(codeForArmError(400, ['InvalidParameter'], 'x')).toBe('invalid_request');
  });
});

describe('azure state mapping', () => {
  const statuses = (provisioning: string, power?: string) => [
    { code: `ProvisioningState/${provisioning}` },
    ...(power ? [{ code: `PowerState/${power}` }] : []),
  ];

  it('combines provisioning and power state codes', () => {
    const cases: [string | undefined, string, string | undefined, string][] = [
      ['Creating', 'creating', 'starting', 'pending'],
      ['Succeeded', 'succeeded', 'running', 'running'],
      ['Updating', 'updating', 'running', 'reconfiguring'],
      ['Updating', 'updating', 'starting', 'pending'],
      ['Succeeded', 'succeeded', 'stopping', 'stopping'],
      ['Succeeded', 'succeeded', 'stopped', 'stopped'],
      ['Succeeded', 'succeeded', 'deallocating', 'stopping'],
      ['Succeeded', 'succeeded', 'deallocated', 'deallocated'],
      ['Deleting', 'deleting', 'running', 'deleting'],
      ['Failed', 'failed', 'running', 'error'],
      [undefined, 'succeeded', undefined, 'unknown'],
    ];
    for (const [provisioning, viewProvisioning, power, expected] of cases) {
      expect(vmStateFrom(conditionFrom(provisioning, statuses(viewProvisioning, power))), `${provisioning}/${power}`).toBe(expected);
    }
  });

  it('falls back to the instance view provisioning status and keeps a readable provider state', () => {
    const condition = conditionFrom(undefined, statuses('succeeded', 'deallocated'));
    expect(condition).toEqual({ provisioningState: 'succeeded', powerState: 'deallocated' });
    expect(providerStateText(condition)).toBe('succeeded/PowerState/deallocated');
  });
});

describe('azure naming', () => {
  it('derives stable, valid, distinct VM names from idempotency keys', () => {
    const keys = ['sp-create-abc-1', 'SP_create abc 1', 'x'.repeat(200), '---', 'ü-ñ-☃', 'req-42/item-3'];
    const names = keys.map(vmNameForKey);
    expect(new Set(names).size).toBe(keys.length);
    for (const [i, name] of names.entries()) {
      expect(name.length).toBeLessThanOrEqual(MAX_VM_NAME);
      expect(name).toMatch(/^[a-z0-9][a-z0-9-]*[a-z0-9]$/);
      expect(vmNameForKey(keys[i]!)).toBe(name);
    }
    expect(nicNameForVm(names[0]!)).toBe(`${names[0]}-nic`);
    expect(computerNameForKey('sp-1')).toMatch(/^sp[0-9a-f]{13}$/);
  });

  it('parses VM ids and image URNs', () => {
    expect(parseVmId('/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1')).toEqual({ subscriptionId: 's', resourceGroup: 'rg', name: 'vm1' });
    expect(parseVmId('/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/n')).toBeNull();
    expect(parseImageUrn('Canonical:ubuntu-24_04-lts:server')).toEqual({ publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server', version: 'latest' });
    expect(parseImageUrn('Canonical:ubuntu')).toBeNull();
    expect(parseImageUrn('a::b:c')).toBeNull();
  });
});
