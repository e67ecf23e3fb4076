import { expect } from 'vitest';
import { runAdapterContract, type ContractHarness } from '../contract/contract-suite';
import type { RecordedRequest } from '../contract/emulator';
import { SKYPORT_TAG_KEYS, type CreateVmSpec } from '../types';
import { VsphereAdapter } from './adapter';
import { EMULATOR_DATACENTERS, EMULATOR_PASSWORD, EMULATOR_TEMPLATES, EMULATOR_USERNAME, startEmulator } from './emulator';
import { vmNameForKey } from './naming';
import { childText, descend, escapeXml, parseXml } from './soap/xml';

const runtime = { requestTimeoutMs: 3_000, maxRetries: 4, pollIntervalMs: 10, operationTimeoutMs: 10_000 };

runAdapterContract('vsphere', async (): Promise<ContractHarness> => {
  const emulator = await startEmulator({ transitionMs: 30 });
  const settings = { endpoint: emulator.url, caCertPem: emulator.caCertPem, insecure: false };
  const secrets = { username: EMULATOR_USERNAME, password: EMULATOR_PASSWORD };
  return {
    emulator,
    adapter: new VsphereAdapter({ settings, secrets, runtime }),
    adapterWithBadCredentials: () => new VsphereAdapter({ settings, secrets: { ...secrets, password: 'wrong' }, runtime }),
    adapterWithUnreachableEndpoint: () =>
      new VsphereAdapter({
        settings: { ...settings, endpoint: 'https://127.0.0.1:1/sdk' },
        secrets,
        runtime: { ...runtime, requestTimeoutMs: 1_000, maxRetries: 1 },
      }),
    region: EMULATOR_DATACENTERS[0],
    otherRegion: EMULATOR_DATACENTERS[1],
    size: 'small',
    otherSize: 'medium',
    image: EMULATOR_TEMPLATES[0].name,
    operations: { create: 'CloneVM_Task', list: 'RetrievePropertiesEx' },
    assertCreateOnWire: (requests: RecordedRequest[], spec: CreateVmSpec) => {
      const clone = requests.find((r) => r.operation === 'CloneVM_Task');
      expect(clone, 'CloneVM_Task sent').toBeDefined();
      const call = descend(parseXml(clone!.body), 'Body', 'CloneVM_Task');
      // The key is bound to the VM name (DuplicateName guards it) and recorded in the annotation.
      expect(childText(call, 'name')).toBe(vmNameForKey(spec.idempotencyKey));
      expect(childText(descend(call, 'spec', 'config'), 'annotation')).toContain(spec.idempotencyKey);
      const written = new Map<string, string>();
      for (const request of requests.filter((r) => r.operation === 'SetField')) {
        const setField = descend(parseXml(request.body), 'Body', 'SetField');
        const name = emulator.customFieldName(Number(childText(setField, 'key')));
        if (name) written.set(name, childText(setField, 'value') ?? '');
      }
      expect(written.get(SKYPORT_TAG_KEYS.owner)).toBe(spec.tags.owner);
      expect(written.get(SKYPORT_TAG_KEYS.project)).toBe(spec.tags.project);
      expect(written.get(SKYPORT_TAG_KEYS.request)).toBe(spec.tags.request);
      expect(written.get(SKYPORT_TAG_KEYS.skyportId)).toBe(spec.tags.skyportId);
      expect(clone!.body).toContain(escapeXml(vmNameForKey(spec.idempotencyKey)));
    },
  };
});
