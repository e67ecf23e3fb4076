// Listing benchmark: the adapter's listVms pages vs. bare vim25 requests for the same pages
// (RetrievePropertiesEx + ContinueRetrievePropertiesEx, only the token extracted with a regex).
import https from 'node:https';
import type { ListingBenchmarkResult } from '../contract/benchmark';
import { VsphereAdapter } from './adapter';
import { EMULATOR_DATACENTERS, EMULATOR_PASSWORD, EMULATOR_USERNAME, startEmulator } from './emulator';
import { VM_PROPERTY_PATHS } from './state';
import { soapEnvelope } from './soap/client';

const PAGE_SIZE = 500;

function post(agent: https.Agent, url: string, body: string, cookie?: string): Promise<{ body: string; setCookie?: string[] }> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: '"urn:vim25/8.0.2.0"', ...(cookie ? { Cookie: cookie } : {}) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ body: Buffer.concat(chunks).toString('utf8'), setCookie: response.headers['set-cookie'] }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

const call = (method: string, thisType: string, thisValue: string, args: string) =>
  soapEnvelope(`<${method} xmlns="urn:vim25"><_this type="${thisType}">${thisValue}</_this>${args}</${method}>`);

export async function benchmarkListing(opts: { count: number }): Promise<ListingBenchmarkResult> {
  const emulator = await startEmulator({ recordRequests: false, maxPageSize: PAGE_SIZE });
  const region = EMULATOR_DATACENTERS[1];
  try {
    emulator.seedVms({ region, count: opts.count, namePrefix: 'bench' });
    const adapter = new VsphereAdapter({
      settings: { endpoint: emulator.url, caCertPem: emulator.caCertPem, insecure: false },
      secrets: { username: EMULATOR_USERNAME, password: EMULATOR_PASSWORD },
    });
    await adapter.listRegions(); // login + datacenter lookup outside the timed part

    let vms = 0;
    let pages = 0;
    let token: string | undefined;
    const adapterStart = process.hrtime.bigint();
    do {
      const page = await adapter.listVms(region, { pageToken: token, pageSize: PAGE_SIZE });
      vms += page.vms.length;
      pages += 1;
      token = page.nextPageToken;
    } while (token);
    const adapterSeconds = Number(process.hrtime.bigint() - adapterStart) / 1e9;
    await adapter.close();

    // Bare: same session set-up untimed, then the same view + paged retrieval.
    const agent = new https.Agent({ keepAlive: true, ca: emulator.caCertPem });
    const login = await post(
      agent,
      emulator.url,
      call('Login', 'SessionManager', 'SessionManager', `<userName>${EMULATOR_USERNAME}</userName><password>${EMULATOR_PASSWORD}</password>`),
    );
    const cookie = (login.setCookie ?? [])[0]?.split(';')[0];
    const dcList = await post(
      agent,
      emulator.url,
      call(
        'FindByInventoryPath',
        'SearchIndex',
        'SearchIndex',
        `<inventoryPath>${region}/vm</inventoryPath>`,
      ),
      cookie,
    );
    const vmFolder = /<returnval type="Folder">([^<]+)</.exec(dcList.body)?.[1] ?? '';
    const propSet = `<propSet><type>VirtualMachine</type><all>false</all>${VM_PROPERTY_PATHS.map((p) => `<pathSet>${p}</pathSet>`).join('')}</propSet>`;

    const bareStart = process.hrtime.bigint();
    const view = await post(
      agent,
      emulator.url,
      call('CreateContainerView', 'ViewManager', 'ViewManager', `<container type="Folder">${vmFolder}</container><type>VirtualMachine</type><recursive>true</recursive>`),
      cookie,
    );
    const viewId = /<returnval type="ContainerView">([^<]+)</.exec(view.body)?.[1] ?? '';
    let reply = await post(
      agent,
      emulator.url,
      call(
        'RetrievePropertiesEx',
        'PropertyCollector',
        'propertyCollector',
        `<specSet>${propSet}<objectSet><obj type="ContainerView">${viewId}</obj><skip>true</skip>` +
          '<selectSet xsi:type="TraversalSpec"><name>v</name><type>ContainerView</type><path>view</path><skip>false</skip></selectSet>' +
          `</objectSet></specSet><options><maxObjects>${PAGE_SIZE}</maxObjects></options>`,
      ),
      cookie,
    );
    let barePages = 1;
    for (let next = /<token>([^<]+)<\/token>/.exec(reply.body)?.[1]; next; next = /<token>([^<]+)<\/token>/.exec(reply.body)?.[1]) {
      reply = await post(agent, emulator.url, call('ContinueRetrievePropertiesEx', 'PropertyCollector', 'propertyCollector', `<token>${next}</token>`), cookie);
      barePages += 1;
    }
    const bareSeconds = Number(process.hrtime.bigint() - bareStart) / 1e9;
    agent.destroy();
    if (barePages !== pages) throw new Error(`bare listing saw ${barePages} pages, adapter ${pages}`);
    return { provider: 'vsphere', vms, adapterSeconds, bareSeconds, pages };
  } finally {
    await emulator.close();
  }
}
