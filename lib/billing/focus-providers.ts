// The FOCUS ProviderName each provider kind's bills carry (the FOCUS data value, not a UI label:
// labels stay in lib/catalog/listing.ts). Used to scope per-provider budgets to cost rows.
import type { ProviderKind } from '@/providers/types';

export const ON_PREM_PROVIDER_NAME = 'VMware (on-prem)';

export const FOCUS_PROVIDER_NAMES: Record<ProviderKind, readonly string[]> = {
  vsphere: [ON_PREM_PROVIDER_NAME],
  aws: ['AWS', 'Amazon Web Services'],
  azure: ['Microsoft', 'Microsoft Azure', 'Azure'],
  gcp: ['Google Cloud', 'Google Cloud Platform', 'Google'],
};
