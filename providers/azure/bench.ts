// Listing benchmark: the adapter's paged listVms over `count` seeded VMs versus the same pages
// fetched with bare HTTPS (token once, then follow nextLink), i.e. the emulator's own serving time.
import { bareRequest, fetchArmToken, trustingAgent } from './bare-http';
import type { ListingBenchmarkResult } from '../contract/benchmark';
import { sandbox, SANDBOX, startEmulator } from './emulator';
import { provider } from './index';

const NEXT_LINK = /"nextLink":"([^"]+)"/;

export async function benchmarkListing(opts: { count: number }): Promise<ListingBenchmarkResult> {
  const emulator = await startEmulator({ recordRequests: false });
  const agent = trustingAgent(emulator.caCertPem);
  try {
    emulator.seedVms({ region: SANDBOX.region, count: opts.count, namePrefix: 'bench' });
    const account = sandbox.sandboxAccount(emulator);
    const adapter = provider.createAdapter({ settings: account.settings, secrets: account.secrets });
    await adapter.listRegions(); // sign in outside the timed section, as the bare path does

    let vms = 0;
    let pages = 0;
    let token: string | undefined;
    const adapterStart = performance.now();
    do {
      const page = await adapter.listVms(SANDBOX.region, { pageToken: token });
      vms += page.vms.length;
      pages += 1;
      token = page.nextPageToken;
    } while (token);
    const adapterSeconds = (performance.now() - adapterStart) / 1000;

    const bearer = await fetchArmToken(emulator.url, SANDBOX.tenantId, SANDBOX.clientId, SANDBOX.clientSecret, agent);
    let url: string | undefined = `${emulator.url}/subscriptions/${SANDBOX.subscriptionId}/providers/Microsoft.Compute/virtualMachines?api-version=2026-04-01&statusOnly=true`;
    const bareStart = performance.now();
    while (url) {
      const response = await bareRequest(url, { agent, headers: { authorization: `Bearer ${bearer}` } });
      if (response.status !== 200) throw new Error(`bare page fetch failed: ${response.status}`);
      url = NEXT_LINK.exec(response.text)?.[1];
    }
    const bareSeconds = (performance.now() - bareStart) / 1000;
    return { provider: 'azure', vms, adapterSeconds, bareSeconds, pages };
  } finally {
    agent.destroy();
    await emulator.close();
  }
}
