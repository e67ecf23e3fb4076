// The listing benchmark of every provider (adapter vs bare HTTP against its emulator), for
// `npm run bench:providers`. Dev-only, like providers/sandbox.ts: it starts emulators.
import type { ListingBenchmarkResult } from './contract/benchmark';
import { benchmarkListing as aws } from './aws/bench';
import { benchmarkListing as azure } from './azure/bench';
import { benchmarkListing as gcp } from './gcp/bench';
import type { ProviderKind } from './types';
import { benchmarkListing as vsphere } from './vsphere/bench';

export type ListingBenchmark = (options: { count: number }) => Promise<ListingBenchmarkResult>;

/** In the registry's order. */
export const LISTING_BENCHMARKS: readonly (readonly [ProviderKind, ListingBenchmark])[] = [
  ['vsphere', vsphere],
  ['aws', aws],
  ['azure', azure],
  ['gcp', gcp],
];
