import type { ProviderModule } from '../module';
import { createAwsAdapter } from './adapter';
import { secretsSchema, settingsSchema, type AwsSecrets, type AwsSettings } from './config';

export const provider: ProviderModule<AwsSettings, AwsSecrets> = {
  kind: 'aws',
  label: 'Amazon EC2',
  settingsSchema,
  secretsSchema,
  createAdapter: (input) => createAwsAdapter(input),
};
