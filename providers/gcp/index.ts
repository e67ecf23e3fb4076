import type { ProviderModule } from '../module';
import { createGcpAdapter } from './adapter';
import { secretsSchema, settingsSchema, type Secrets, type Settings } from './config';

export const provider: ProviderModule<Settings, Secrets> = {
  kind: 'gcp',
  label: 'Google Compute Engine',
  settingsSchema,
  secretsSchema,
  createAdapter: (input) => createGcpAdapter(input),
};
