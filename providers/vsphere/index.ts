import type { ProviderModule } from '../module';
import type { RunningEmulator } from '../contract/emulator';
import { VsphereAdapter } from './adapter';
import { secretsSchema, settingsSchema, type VsphereSecrets, type VsphereSettings } from './config';
import { EMULATOR_DATACENTERS, EMULATOR_PASSWORD, EMULATOR_USERNAME, startEmulator } from './emulator';

export const provider: ProviderModule<VsphereSettings, VsphereSecrets> = {
  kind: 'vsphere',
  label: 'VMware vSphere',
  settingsSchema,
  secretsSchema,
  createAdapter: ({ settings, secrets, runtime }) => new VsphereAdapter({ settings, secrets, runtime }),
  startEmulator: (options) => startEmulator(options),
  sandboxAccount: (emulator: RunningEmulator) => ({
    settings: { endpoint: emulator.url, caCertPem: emulator.caCertPem, insecure: false },
    secrets: { username: EMULATOR_USERNAME, password: EMULATOR_PASSWORD },
    regions: [...EMULATOR_DATACENTERS],
  }),
};
