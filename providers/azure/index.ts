import type { ProviderModule } from '../module';
import { createAzureAdapter } from './adapter';
import { secretsSchema, settingsSchema, type AzureSecrets, type AzureSettings } from './config';
import { SANDBOX, sandboxSubnetId, startEmulator } from './emulator';

export const provider: ProviderModule<AzureSettings, AzureSecrets> = {
  kind: 'azure',
  label: 'Microsoft Azure',
  settingsSchema,
  secretsSchema,
  createAdapter: ({ settings, secrets, runtime }) => createAzureAdapter({ settings, secrets, runtime }),
  startEmulator,
  sandboxAccount(emulator) {
    return {
      settings: {
        tenantId: SANDBOX.tenantId,
        subscriptionId: SANDBOX.subscriptionId,
        resourceGroup: SANDBOX.resourceGroup,
        subnetId: sandboxSubnetId(SANDBOX.region),
        authorityHost: emulator.url,
        armEndpoint: emulator.url,
        ...(emulator.caCertPem ? { caCertPem: emulator.caCertPem } : {}),
      },
      secrets: { clientId: SANDBOX.clientId, clientSecret: SANDBOX.clientSecret },
      regions: [SANDBOX.region, SANDBOX.otherRegion],
    };
  },
};
