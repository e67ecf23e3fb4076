import type { ProviderSandbox } from '../../contract/emulator';
import { secretsSchema, settingsSchema, type AwsSecrets, type AwsSettings } from '../config';
import { SANDBOX_ACCOUNT } from './catalog';
import { startEmulator } from './server';

export { startEmulator, type AwsEmulatorOptions, type AwsRunningEmulator } from './server';
export { SANDBOX_ACCOUNT, SANDBOX_ROLES, REGIONS, roleArn } from './catalog';

export const sandbox: ProviderSandbox<AwsSettings, AwsSecrets> = {
  kind: 'aws',
  startEmulator: (options) => startEmulator(options),
  sandboxAccount(emulator) {
    return {
      settings: settingsSchema.parse({ endpoint: emulator.url, defaultRegion: 'us-east-1' }),
      secrets: secretsSchema.parse({ accessKeyId: SANDBOX_ACCOUNT.accessKeyId, secretAccessKey: SANDBOX_ACCOUNT.secretAccessKey }),
      regions: ['us-east-1', 'eu-west-1', 'us-west-2'],
    };
  },
};
