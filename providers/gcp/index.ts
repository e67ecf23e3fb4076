import type { ProviderModule } from '../module';
import { GcpAdapter } from './adapter';
import { secretsSchema, settingsSchema, type Secrets, type Settings } from './config';
import { isGcpEmulator, startEmulator } from './emulator/index';

/** Regions the sandbox account offers (the emulator serves a few more). */
export const SANDBOX_REGIONS = ['us-central1', 'europe-west1'];

export const provider: ProviderModule<Settings, Secrets> = {
  kind: 'gcp',
  label: 'Google Compute Engine',
  settingsSchema,
  secretsSchema,
  createAdapter: ({ settings, secrets, runtime }) => new GcpAdapter({ settings, secrets, runtime }),
  startEmulator: (options) => startEmulator(options),
  sandboxAccount(emulator) {
    if (!isGcpEmulator(emulator)) throw new Error('sandboxAccount needs an emulator started by the GCP provider');
    const key = emulator.serviceAccountKey();
    return {
      settings: { projectId: key.project_id, apiEndpoint: emulator.url },
      secrets: { serviceAccountKeyJson: JSON.stringify(key) },
      regions: SANDBOX_REGIONS,
    };
  },
};
