import type { ProviderModule } from '../module';
import { createAwsAdapter } from './adapter';
import { secretsSchema, settingsSchema, type AwsSecrets, type AwsSettings } from './config';
import { SANDBOX_ACCOUNT, startEmulator } from './emulator';

export const provider: ProviderModule<AwsSettings, AwsSecrets> = {
  kind: 'aws',
  label: 'Amazon EC2',
  settingsSchema,
  secretsSchema,
  createAdapter: (input) => createAwsAdapter(input),
  startEmulator: (options) => startEmulator(options),
  sandboxAccount(emulator) {
    return {
      settings: settingsSchema.parse({ endpoint: emulator.url, defaultRegion: 'us-east-1' }),
      secrets: { accessKeyId: SANDBOX_ACCOUNT.accessKeyId, secretAccessKey: SANDBOX_ACCOUNT.secretAccessKey },
      regions: ['us-east-1', 'eu-west-1', 'us-west-2'],
    };
  },
};
