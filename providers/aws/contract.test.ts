import { expect } from 'vitest';
import { runAdapterContract, type ContractHarness } from '../contract/contract-suite';
import { SKYPORT_TAG_KEYS } from '../types';
import { AwsEc2Adapter } from './adapter';
import { SANDBOX_ACCOUNT } from './emulator';
import { clientTokenFor } from './state';
import { FAST_RUNTIME, sandboxSettings, startSandbox } from './test-harness';

async function makeHarness(): Promise<ContractHarness> {
  const { emulator, adapter } = await startSandbox();
  const region = 'us-east-1';
  const images = await adapter.listImages(region);
  return {
    emulator,
    adapter,
    adapterWithBadCredentials: () =>
      new AwsEc2Adapter({
        settings: sandboxSettings(emulator),
        secrets: { accessKeyId: SANDBOX_ACCOUNT.accessKeyId, secretAccessKey: 'not-the-right-secret-key-at-all' },
        runtime: FAST_RUNTIME,
      }),
    adapterWithUnreachableEndpoint: () =>
      new AwsEc2Adapter({
        // Port 9 (discard) on loopback: nothing listens, so connections are refused at once.
        settings: sandboxSettings(emulator, { endpoint: 'http://127.0.0.1:9' }),
        secrets: { accessKeyId: SANDBOX_ACCOUNT.accessKeyId, secretAccessKey: SANDBOX_ACCOUNT.secretAccessKey },
        runtime: { ...FAST_RUNTIME, requestTimeoutMs: 1_000, maxRetries: 2 },
      }),
    adapterAt: (baseUrl, runtime) =>
      new AwsEc2Adapter({
        settings: sandboxSettings(emulator, { endpoint: baseUrl }),
        secrets: { accessKeyId: SANDBOX_ACCOUNT.accessKeyId, secretAccessKey: SANDBOX_ACCOUNT.secretAccessKey },
        runtime,
      }),
    region,
    otherRegion: 'eu-west-1',
    size: 't3.micro',
    otherSize: 't3.small',
    image: images.find((i) => i.name.startsWith('al2023'))!.id,
    operations: { create: 'RunInstances', list: 'DescribeInstances' },
    assertCreateOnWire(requests, spec) {
      const runs = requests.filter((r) => r.operation === 'RunInstances');
      expect(runs.length).toBeGreaterThanOrEqual(1);
      for (const run of runs) {
        // The form body the SDK actually sent, parsed fresh from the raw text.
        const form = new URLSearchParams(run.body);
        expect(run.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIA\w+\/\d{8}\/us-east-1\/ec2\/aws4_request/);
        expect(form.get('Action')).toBe('RunInstances');
        expect(form.get('ClientToken')).toBe(clientTokenFor(spec.idempotencyKey));
        const instanceSpec = [...form.keys()].find((k) => /^TagSpecification\.\d+\.ResourceType$/.test(k) && form.get(k) === 'instance');
        expect(instanceSpec, 'an instance TagSpecification').toBeDefined();
        const prefix = instanceSpec!.replace(/ResourceType$/, '');
        const sentTags = new Map<string, string>();
        for (const [key, value] of form) {
          const m = key.match(new RegExp(`^${prefix.replace(/\./g, '\\.')}Tag\\.(\\d+)\\.Key$`));
          if (m) sentTags.set(value, form.get(`${prefix}Tag.${m[1]}.Value`) ?? '');
        }
        expect(sentTags.get(SKYPORT_TAG_KEYS.owner)).toBe(spec.tags.owner);
        expect(sentTags.get(SKYPORT_TAG_KEYS.project)).toBe(spec.tags.project);
        expect(sentTags.get(SKYPORT_TAG_KEYS.request)).toBe(spec.tags.request);
        expect(sentTags.get(SKYPORT_TAG_KEYS.skyportId)).toBe(spec.tags.skyportId);
      }
    },
  };
}

runAdapterContract('aws', makeHarness);
