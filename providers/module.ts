import type { z } from 'zod';
import type { AdapterRuntimeOptions, ProviderAdapter, ProviderKind } from './types';

/**
 * What each provider folder exports (as `provider` from its index.ts). The registry collects them;
 * the rest of Skyport reaches a provider only through this shape. Emulators are not part of it:
 * they (and their dev dependencies) load only through `providers/sandbox.ts`.
 */
export interface ProviderModule<Settings = unknown, Secrets = unknown> {
  kind: ProviderKind;
  /** Display name, e.g. "Amazon EC2". */
  label: string;
  /** Non-secret connection settings (endpoint, tenant, project, datacenter…), stored in clear. */
  settingsSchema: z.ZodType<Settings>;
  /** Credentials; stored encrypted (AES-256-GCM), never returned by the API nor logged. */
  secretsSchema: z.ZodType<Secrets>;
  createAdapter(input: { settings: Settings; secrets: Secrets; runtime?: AdapterRuntimeOptions }): ProviderAdapter;
}
