import type { ProviderModule } from '../module';
import { createAzureAdapter } from './adapter';
import { secretsSchema, settingsSchema, type AzureSecrets, type AzureSettings } from './config';

export const provider: ProviderModule<AzureSettings, AzureSecrets> = {
  kind: 'azure',
  label: 'Microsoft Azure',
  settingsSchema,
  secretsSchema,
  createAdapter: ({ settings, secrets, runtime }) => createAzureAdapter({ settings, secrets, runtime }),
};
