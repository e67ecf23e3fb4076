import type { ProviderModule } from '../module';
import { createVsphereAdapter } from './adapter';
import { secretsSchema, settingsSchema, type VsphereSecrets, type VsphereSettings } from './config';

export const provider: ProviderModule<VsphereSettings, VsphereSecrets> = {
  kind: 'vsphere',
  label: 'VMware vSphere',
  settingsSchema,
  secretsSchema,
  createAdapter: (input) => createVsphereAdapter(input),
};
