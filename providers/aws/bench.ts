// Listing benchmark: the adapter (SDK + XML parsing + mapping) against bare signed HTTP requests
// that only follow <nextToken>, both against the same seeded emulator.
import { MAX_PAGE_SIZE } from './paging';
import type { ListingBenchmarkResult } from '../contract/benchmark';
import { EC2_API_VERSION } from './emulator/catalog';
import { signRequest } from './emulator/sigv4';
import { SANDBOX_ACCOUNT, startEmulator } from './emulator';
import { EXISTING_EC2_STATES } from './state';
import { sandboxAdapter } from './test-harness';

const REGION = 'us-east-1';

function listBody(nextToken: string | undefined): string {
  const form = new URLSearchParams({ Action: 'DescribeInstances', Version: EC2_API_VERSION, 'Filter.1.Name': 'instance-state-name' });
  EXISTING_EC2_STATES.forEach((state, i) => form.set(`Filter.1.Value.${i + 1}`, state));
  form.set('MaxResults', String(MAX_PAGE_SIZE));
  if (nextToken) form.set('NextToken', nextToken);
  return form.toString();
}

async function bareListing(endpoint: string): Promise<number> {
  const url = new URL('/', endpoint);
  let pages = 0;
  let token: string | undefined;
  do {
    const body = listBody(token);
    const headers = signRequest({
      url,
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      region: REGION,
      service: 'ec2',
      credentials: SANDBOX_ACCOUNT,
    });
    const response = await fetch(url, { method: 'POST', headers, body });
    const text = await response.text();
    if (!response.ok) throw new Error(`bare DescribeInstances failed: HTTP ${response.status} ${text.slice(0, 200)}`);
    pages += 1;
    token = text.match(/<nextToken>([^<]+)<\/nextToken>/)?.[1];
  } while (token);
  return pages;
}

export async function benchmarkListing(opts: { count: number }): Promise<ListingBenchmarkResult> {
  const emulator = await startEmulator({ recordRequests: false });
  try {
    emulator.seedVms({ region: REGION, count: opts.count, namePrefix: 'bench' });
    const adapter = sandboxAdapter(emulator, {}, { requestTimeoutMs: 60_000, maxRetries: 0 });

    const adapterStarted = performance.now();
    let vms = 0;
    let pages = 0;
    let pageToken: string | undefined;
    do {
      const page = await adapter.listVms(REGION, { pageToken, pageSize: MAX_PAGE_SIZE });
      vms += page.vms.length;
      pages += 1;
      pageToken = page.nextPageToken;
    } while (pageToken);
    const adapterSeconds = (performance.now() - adapterStarted) / 1000;

    const bareStarted = performance.now();
    const barePages = await bareListing(emulator.url);
    const bareSeconds = (performance.now() - bareStarted) / 1000;
    if (barePages !== pages) throw new Error(`page count differs: adapter ${pages}, bare ${barePages}`);

    return { provider: 'aws', vms, adapterSeconds, bareSeconds, pages };
  } finally {
    await emulator.close();
  }
}
