// Listing benchmark: N seeded VMs in one region, listed through the adapter (SDK, auth, mapping)
// and through bare HTTP page fetches (the emulator's own page-serving time).
import { performance } from 'node:perf_hooks';
import type { ListingBenchmarkResult } from '../contract/benchmark';
import { fetchAccessToken } from './emulator/bare-client';
import { sandbox, startEmulator } from './emulator/index';
import { provider } from './index';

const REGION = 'us-central1';
const PAGE_SIZE = 500;

export async function benchmarkListing(opts: { count: number }): Promise<ListingBenchmarkResult> {
  const emulator = await startEmulator({ recordRequests: false });
  try {
    emulator.seedVms({ region: REGION, count: opts.count, namePrefix: 'bench' });
    const account = sandbox.sandboxAccount(emulator);
    const adapter = provider.createAdapter({ settings: account.settings, secrets: account.secrets });
    // Token and the region's zone list are fetched once per adapter; keep them out of the timing.
    await adapter.listRegions();

    let vms = 0;
    let pages = 0;
    let pageToken: string | undefined;
    const adapterStart = performance.now();
    do {
      const page = await adapter.listVms(REGION, { pageToken, pageSize: PAGE_SIZE });
      vms += page.vms.length;
      pages += 1;
      pageToken = page.nextPageToken;
    } while (pageToken);
    const adapterSeconds = (performance.now() - adapterStart) / 1000;

    const token = await fetchAccessToken(emulator.serviceAccountKey());
    const base = `${emulator.url}/compute/v1/projects/${emulator.project}`;
    const headers = { authorization: `Bearer ${token}` };
    const region = (await (await fetch(`${base}/regions/${REGION}`, { headers })).json()) as { zones: string[] };
    const zones = region.zones.map((link) => link.slice(link.lastIndexOf('/') + 1)).sort();

    const bareStart = performance.now();
    for (const zone of zones) {
      let zoneToken: string | undefined;
      do {
        const query = new URLSearchParams({ maxResults: String(PAGE_SIZE), ...(zoneToken ? { pageToken: zoneToken } : {}) });
        const text = await (await fetch(`${base}/zones/${zone}/instances?${query}`, { headers })).text();
        zoneToken = /"nextPageToken":"([^"]+)"/.exec(text)?.[1];
      } while (zoneToken);
    }
    const bareSeconds = (performance.now() - bareStart) / 1000;

    return { provider: 'gcp', vms, adapterSeconds, bareSeconds, pages };
  } finally {
    await emulator.close();
  }
}
