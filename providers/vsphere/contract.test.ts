import { expect } from 'vitest';
import { runAdapterContract, type ContractHarness } from '../contract/contract-suite';
import type { RecordedRequest } from '../contract/emulator';
import { SKYPORT_TAG_KEYS, type CreateVmSpec } from '../types';
import { VsphereAdapter } from './adapter';
import { EMULATOR_DATACENTERS, EMULATOR_TEMPLATES } from './emulator';
import { vmNameForKey } from './naming';
import { childText, descend, escapeXml, parseXml } from './soap/xml';
import { SANDBOX_SECRETS, sandboxAdapter, sandboxSettings, startSandbox } from './test-harness';

const runtime = { requestTimeoutMs: 5_000, maxRetries: 4, pollIntervalMs: 10, operationTimeoutMs: 10_000 };

runAdapterContract('vsphere', async (): Promise<ContractHarness> => {
  const { emulator } = await startSandbox();
  const settings = sandboxSettings(emulator);
  const secrets = SANDBOX_SECRETS;
  return {
    emulator,
    adapter: sandboxAdapter(emulator, {}, runtime),
    adapterWithBadCredentials: () => new VsphereAdapter({ settings, secrets: { ...secrets, password: 'wrong' }, runtime }),
    adapterWithUnreachableEndpoint: () =>
      new VsphereAdapter({
        settings: { ...settings, endpoint: 'https://127.0.0.1:1/sdk' },
        secrets,
        runtime: { ...runtime, requestTimeoutMs: 1_000, maxRetries: 1 },
      }),
    adapterAt: (baseUrl, adapterRuntime) => new VsphereAdapter({ settings: { ...settings, endpoint: `${baseUrl}/sdk` }, secrets, runtime: adapterRuntime }),
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
