import { generateKeyPairSync } from 'node:crypto';
import { expect } from 'vitest';
import { runAdapterContract, type ContractHarness } from '../contract/contract-suite';
import type { RecordedRequest } from '../contract/emulator';
import { encodeLabelValue } from '../shared/tags';
import { SKYPORT_TAG_KEYS, type CreateVmSpec } from '../types';
import { sandbox } from './emulator';
import { provider } from './index';
import { requestIdForKey } from './naming';

const FAST = { requestTimeoutMs: 5_000, maxRetries: 4, pollIntervalMs: 20, operationTimeoutMs: 20_000 };

function assertCreateOnWire(requests: RecordedRequest[], spec: CreateVmSpec) {
  const inserts = requests.filter((r) => r.operation === 'compute.instances.insert');
  expect(inserts.length).toBeGreaterThanOrEqual(1);
  for (const insert of inserts) {
    expect(insert.method).toBe('POST');
    expect(insert.path).toMatch(/^\/compute\/v1\/projects\/[^/]+\/zones\/[^/]+\/instances$/);
    expect(insert.query.requestId).toBe(requestIdForKey(spec.idempotencyKey));
    expect(insert.query.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(insert.headers.authorization).toMatch(/^Bearer ya29\./);
    const body = JSON.parse(insert.body) as { name: string; labels: Record<string, string> };
    expect(body.name).toMatch(/^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/);
    expect(body.labels).toMatchObject({
      [SKYPORT_TAG_KEYS.owner]: encodeLabelValue(spec.tags.owner),
      [SKYPORT_TAG_KEYS.project]: encodeLabelValue(spec.tags.project),
      [SKYPORT_TAG_KEYS.request]: encodeLabelValue(spec.tags.request),
      [SKYPORT_TAG_KEYS.skyportId]: encodeLabelValue(spec.tags.skyportId),
    });
  }
}

async function makeHarness(): Promise<ContractHarness> {
  const emulator = await sandbox.startEmulator();
  const account = sandbox.sandboxAccount(emulator);
  const wrongKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return {
    emulator,
    adapter: provider.createAdapter({ settings: account.settings, secrets: account.secrets, runtime: FAST }),
    adapterWithBadCredentials: () => {
      const key = { ...(JSON.parse(account.secrets.serviceAccountKeyJson) as Record<string, unknown>), private_key: wrongKey };
      return provider.createAdapter({ settings: account.settings, secrets: { serviceAccountKeyJson: JSON.stringify(key) }, runtime: FAST });
    },
    adapterWithUnreachableEndpoint: () => {
      const key = { ...(JSON.parse(account.secrets.serviceAccountKeyJson) as Record<string, unknown>), token_uri: 'http://127.0.0.1:9/token' };
      return provider.createAdapter({
        settings: { ...account.settings, apiEndpoint: 'http://127.0.0.1:9' },
        secrets: { serviceAccountKeyJson: JSON.stringify(key) },
        runtime: { ...FAST, requestTimeoutMs: 1_000, maxRetries: 2 },
      });
    },
    adapterAt: (baseUrl, runtime) => {
      const key = JSON.parse(account.secrets.serviceAccountKeyJson) as { token_uri: string };
      const tokenUri = new URL(new URL(key.token_uri).pathname, baseUrl).toString();
      return provider.createAdapter({
        settings: { ...account.settings, apiEndpoint: baseUrl },
        secrets: { serviceAccountKeyJson: JSON.stringify({ ...key, token_uri: tokenUri }) },
        runtime,
      });
    },
    region: 'us-central1',
    otherRegion: 'europe-west1',
    size: 'e2-small',
    otherSize: 'e2-medium',
    image: 'projects/debian-cloud/global/images/debian-12-bookworm-v20240110',
    operations: { create: 'compute.instances.insert', list: 'compute.instances.list' },
    assertCreateOnWire,
  };
}

runAdapterContract('gcp', makeHarness);
