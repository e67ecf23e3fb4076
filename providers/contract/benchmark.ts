/** What each provider's bench.ts reports for `npm run bench:providers`. */
export interface ListingBenchmarkResult {
  provider: string;
  vms: number;
  /** Listing every VM through the adapter (SDK/SOAP client, parsing, normalization). */
  adapterSeconds: number;
  /** Fetching the same pages with bare HTTP: the emulator's own page-serving time. */
  bareSeconds: number;
  pages: number;
}
