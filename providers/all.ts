// Registers every provider adapter. Imported once by processes that talk to providers.
import { provider as aws } from './aws';
import { provider as azure } from './azure';
import { provider as gcp } from './gcp';
import type { ProviderModule } from './module';
import { registerProvider } from './registry';
import { provider as vsphere } from './vsphere';

// Settings/secrets types differ per provider; the registry only hands them back to the same module.
for (const module of [vsphere, aws, azure, gcp] as unknown as ProviderModule<unknown, unknown>[]) registerProvider(module);
