// Local Azure emulator: one HTTPS server (self-signed certificate) that plays both Entra ID
// (token endpoint) and Azure Resource Manager, with state, paging, async transitions, faults
// and request recording. Binds 127.0.0.1 only.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';
import { EmulatorClock } from '../../contract/clock';
import type { EmulatorSeedOptions, EmulatorStartOptions, FaultSpec, ProviderSandbox, RecordedRequest, RunningEmulator } from '../../contract/emulator';
import { settingsSchema, type AzureSecrets, type AzureSettings } from '../config';
import { checkScope, routeArm, type ArmContext, type ArmResponse, type VirtualNetwork } from './arm';
import { findImageOffer, IMAGE_OFFERS, normalizeLocation, SIZES } from './catalog';
import {
  armError,
  authenticationFailed,
  internalError,
  invalidAuthenticationToken,
  invalidClientSecret,
  quotaExceeded,
  throttled,
  type ArmErrorResponse,
} from './cloud-errors';
import { EntraDirectory } from './entra';
import { ArmState, resourceKey } from './state';
import { nicId, vmId } from './views';

/** The one tenant / app / subscription the emulator knows; `sandboxAccount` points at these. */
export const SANDBOX = {
  tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
  clientId: 'b1f3a0c2-5d4e-4f6a-9b8c-7d6e5f4a3b2c',
  clientSecret: 'skyport-sandbox-secret~emulator',
  subscriptionId: '8f3c1d2e-4b5a-4c6d-8e7f-9a0b1c2d3e4f',
  resourceGroup: 'skyport-sandbox',
  /** Resource group that holds the seeded "made outside Skyport" VMs. */
  outsideResourceGroup: 'app-legacy',
  region: 'eastus',
  otherRegion: 'westeurope',
} as const;

const VIRTUAL_NETWORKS: VirtualNetwork[] = [
  { resourceGroup: SANDBOX.resourceGroup, name: 'skyport-vnet-eastus', location: 'eastus', addressPrefix: '10.0.0.0/16', subnets: ['default'] },
  { resourceGroup: SANDBOX.resourceGroup, name: 'skyport-vnet-westeurope', location: 'westeurope', addressPrefix: '10.1.0.0/16', subnets: ['default'] },
];

export function sandboxSubnetId(region: string = SANDBOX.region): string {
  const vnet = VIRTUAL_NETWORKS.find((v) => v.location === region) ?? VIRTUAL_NETWORKS[0]!;
  return `/subscriptions/${SANDBOX.subscriptionId}/resourceGroups/${vnet.resourceGroup}/providers/Microsoft.Network/virtualNetworks/${vnet.name}/subnets/default`;
}

export interface AzureRunningEmulator extends RunningEmulator {
  readonly caCertPem: string;
}

interface ActiveFault {
  kind: FaultSpec['kind'];
  operation?: string;
  remaining: number;
}

type Reply = { status: number; headers?: Record<string, string>; body?: unknown };

const TOKEN_OPERATION = 'OAuth2_Token';

async function makeCertificate(host: string) {
  const pems = await generate([{ name: 'commonName', value: 'skyport-azure-emulator' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 365 * 24 * 3600_000),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }, ...(host !== '127.0.0.1' ? [{ type: 7 as const, ip: host }] : [])] },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

export async function startEmulator(options: EmulatorStartOptions = {}): Promise<AzureRunningEmulator> {
  const host = options.host ?? '127.0.0.1';
  const recordRequests = options.recordRequests ?? true;
  const { key, cert } = await makeCertificate(host);
  const clock = new EmulatorClock();
  const state = new ArmState(options.statePath, clock);
  const directory = new EntraDirectory([{ tenantId: SANDBOX.tenantId, clientId: SANDBOX.clientId, clientSecret: SANDBOX.clientSecret }]);
  const faults: ActiveFault[] = [];
  const recorded: RecordedRequest[] = [];
  const ctx: ArmContext = {
    state,
    baseUrl: '',
    subscriptionId: SANDBOX.subscriptionId,
    resourceGroups: new Set([SANDBOX.resourceGroup, SANDBOX.outsideResourceGroup].map((g) => g.toLowerCase())),
    virtualNetworks: VIRTUAL_NETWORKS,
    transitionMs: options.transitionMs ?? 50,
    maxPageSize: options.maxPageSize ?? 100,
  };

  function takeFault(operation: string, isArm: boolean): ActiveFault | undefined {
    const index = faults.findIndex((f) => (f.operation === undefined ? isArm : f.operation === operation));
    if (index < 0) return undefined;
    const fault = faults[index]!;
    fault.remaining -= 1;
    if (fault.remaining <= 0) faults.splice(index, 1);
    return fault;
  }

  function faultReply(fault: ActiveFault, operation: string, location: string | undefined): Reply | 'hang' {
    const fromArm = (e: ArmErrorResponse): Reply => ({ status: e.status, headers: e.headers, body: e.body });
    switch (fault.kind) {
      case 'throttle':
        return fromArm(throttled(operation));
      case 'server_error':
        return fromArm(internalError());
      case 'timeout':
        return 'hang';
      case 'quota':
        return fromArm(quotaExceeded(normalizeLocation(location ?? SANDBOX.region), 'standardDSv5Family'));
      case 'auth':
        return operation === TOKEN_OPERATION ? (invalidClientSecret(SANDBOX.clientId) as Reply) : fromArm(invalidAuthenticationToken());
    }
  }

  function identityRoute(method: string, segments: string[]): { operation: string; handle: (body: string) => Reply } | undefined {
    const [tenant, a, b, c] = segments;
    if (!tenant) return undefined;
    if (method === 'POST' && a === 'oauth2' && b === 'v2.0' && c === 'token' && segments.length === 4) {
      return { operation: TOKEN_OPERATION, handle: (body) => directory.issueToken(tenant, new URLSearchParams(body)) };
    }
    if (method === 'GET' && a === 'v2.0' && b === '.well-known' && c === 'openid-configuration') {
      return {
        operation: 'OpenIdConfiguration_Get',
        handle: () =>
          directory.knowsTenant(tenant)
            ? { status: 200, body: directory.openIdConfiguration(ctx.baseUrl, tenant) }
            : { status: 400, body: { error: 'invalid_tenant', error_description: `AADSTS90002: Tenant '${tenant}' not found.`, error_codes: [90002] } },
      };
    }
    if (method === 'GET' && tenant === 'common' && a === 'discovery' && b === 'instance') {
      return { operation: 'InstanceDiscovery_Get', handle: () => ({ status: 200, body: directory.instanceDiscovery(ctx.baseUrl, SANDBOX.tenantId) }) };
    }
    return undefined;
  }

  function authorize(req: IncomingMessage): Reply | undefined {
    const header = req.headers.authorization;
    if (!header) return toReply(authenticationFailed());
    const match = /^Bearer\s+(.+)$/i.exec(header);
    const claims = match ? directory.verify(match[1]!) : null;
    if (!claims) return toReply(invalidAuthenticationToken());
    if (claims.tid.toLowerCase() !== SANDBOX.tenantId.toLowerCase()) {
      return toReply(armError(401, 'InvalidAuthenticationTokenTenant', `The access token is from the wrong issuer '${claims.iss}'. It must match the tenant 'https://sts.windows.net/${SANDBOX.tenantId}/' associated with this subscription. Please use the authority (URL) 'https://login.windows.net/${SANDBOX.tenantId}' to get the token.`));
    }
    return undefined;
  }

  const held = new Set<ServerResponse>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', ctx.baseUrl);
    const segments = url.pathname.split('/').filter((s) => s.length > 0).map((s) => decodeURIComponent(s));
    const method = (req.method ?? 'GET').toUpperCase();
    state.settle();

    const identity = identityRoute(method, segments);
    const arm = identity ? undefined : routeArm(method, segments);
    const operation = identity?.operation ?? arm?.operation ?? 'Unknown';
    if (recordRequests) {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      const query: Record<string, string> = Object.fromEntries(url.searchParams);
      let recordedBody = body;
      if (identity && body) {
        // Token requests carry the client secret; keep it out of the log.
        const form = new URLSearchParams(body);
        if (form.has('client_secret')) form.set('client_secret', '***');
        recordedBody = form.toString();
        Object.assign(query, Object.fromEntries(form));
      }
      recorded.push({ method, path: url.pathname, operation, headers, body: recordedBody, query });
    }

    const fault = takeFault(operation, arm !== undefined);
    if (fault) {
      const reply = faultReply(fault, operation, requestLocation(body));
      if (reply === 'hang') {
        held.add(res);
        res.on('close', () => held.delete(res));
        return;
      }
      send(res, reply);
      return;
    }

    if (identity) {
      send(res, identity.handle(body));
      return;
    }
    if (!arm) {
      send(res, toReply(armError(404, 'InvalidResourceType', `The resource type could not be found in the namespace for api-version '${url.searchParams.get('api-version') ?? ''}'.`)));
      return;
    }
    const denied = authorize(req);
    if (denied) {
      send(res, denied);
      return;
    }
    if (!url.searchParams.get('api-version')) {
      send(res, toReply(armError(400, 'MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests.")));
      return;
    }
    const outOfScope = checkScope(ctx, segments);
    if (outOfScope) {
      send(res, outOfScope);
      return;
    }
    const reply: ArmResponse = arm.handle(ctx, { method, segments, query: url.searchParams, body });
    send(res, reply);
  }

  const server: Server = createServer({ key, cert }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      send(res, toReply(armError(500, 'InternalServerError', error instanceof Error ? error.message : String(error))));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  ctx.baseUrl = `https://${host}:${port}`;

  function seedVms(seed: EmulatorSeedOptions): void {
    const loc = normalizeLocation(seed.region);
    const rg = SANDBOX.outsideResourceGroup;
    const prefix = seed.namePrefix ?? 'seeded';
    const offer = IMAGE_OFFERS[0]!;
    const vnet = VIRTUAL_NETWORKS.find((v) => v.location === loc);
    const start = state.vms.size;
    for (let i = 0; i < seed.count; i++) {
      let name = `${prefix}-${start + i}`;
      while (state.vms.has(resourceKey(rg, name))) name = `${name}x`;
      const nicName = `${name}-nic`;
      const nicKey = resourceKey(rg, nicName);
      const size = SIZES[i % SIZES.length]!;
      state.nics.set(nicKey, {
        resourceGroup: rg,
        name: nicName,
        location: loc,
        subnetId: vnet
          ? `/subscriptions/${SANDBOX.subscriptionId}/resourceGroups/${vnet.resourceGroup}/providers/Microsoft.Network/virtualNetworks/${vnet.name}/subnets/default`
          : `/subscriptions/${SANDBOX.subscriptionId}/resourceGroups/${rg}/providers/Microsoft.Network/virtualNetworks/${rg}-vnet/subnets/default`,
        privateIPAddress: state.nextPrivateIp(),
        macAddress: '00-0D-3A-00-00-00',
        tags: {},
        virtualMachineId: vmId(ctx, rg, name),
      });
      state.vms.set(resourceKey(rg, name), {
        seq: state.nextSeq(),
        resourceGroup: rg,
        name,
        location: loc,
        vmId: randomUUID(),
        tags: { environment: 'legacy', 'cost-centre': 'CC-900' },
        vmSize: size.name,
        imageReference: { publisher: offer.publisher, offer: offer.offer, sku: offer.skus[0]!, version: 'latest' },
        osType: findImageOffer(offer.publisher, offer.offer)?.osType ?? 'Linux',
        computerName: name.slice(0, 15),
        adminUsername: 'azureuser',
        osDiskName: `${name}_OsDisk_1`,
        osDiskDeleteOption: 'Detach',
        storageAccountType: 'Premium_LRS',
        nics: [{ id: nicId(ctx, rg, nicName), primary: true, deleteOption: 'Detach' }],
        provisioningState: 'Succeeded',
        powerState: i % 7 === 6 ? 'deallocated' : 'running',
        timeCreated: (seed.createdAt ?? new Date()).toISOString(),
      });
    }
    state.scheduleSave();
  }

  return {
    url: ctx.baseUrl,
    caCertPem: cert,
    injectFault(fault: FaultSpec) {
      faults.push({ kind: fault.kind, operation: fault.operation, remaining: fault.times ?? 1 });
    },
    clearFaults() {
      faults.length = 0;
    },
    pendingFaults: () => faults.reduce((sum, f) => sum + f.remaining, 0),
    clock,
    setVcpuLimit(limit) {
      ctx.vcpuLimit = limit;
    },
    seedVms,
    vmCount: () => state.vmCount(),
    requests: () => [...recorded],
    clearRequests() {
      recorded.length = 0;
    },
    async close() {
      for (const res of held) res.destroy();
      state.saveNow();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** The `location` of a JSON request body, if any (for messages that name the region). */
function requestLocation(body: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null && 'location' in parsed && typeof parsed.location === 'string' ? parsed.location : undefined;
  } catch {
    return undefined;
  }
}

function toReply(error: ArmErrorResponse): Reply {
  return { status: error.status, headers: error.headers, body: error.body };
}

function send(res: ServerResponse, reply: Reply): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string> = {
    'cache-control': 'no-cache',
    pragma: 'no-cache',
    expires: '-1',
    'x-ms-correlation-request-id': randomUUID(),
    'x-content-type-options': 'nosniff',
    'strict-transport-security': 'max-age=31536000; includeSubDomains',
    ...(reply.headers ?? {}),
  };
  if (!headers['x-ms-request-id']) headers['x-ms-request-id'] = randomUUID();
  if (reply.body === undefined) {
    res.writeHead(reply.status, { ...headers, 'content-length': '0' });
    res.end();
    return;
  }
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}


export const sandbox: ProviderSandbox<AzureSettings, AzureSecrets> = {
  kind: 'azure',
  startEmulator: (options) => startEmulator(options),
  sandboxAccount(emulator) {
    return {
      settings: settingsSchema.parse({
        tenantId: SANDBOX.tenantId,
        subscriptionId: SANDBOX.subscriptionId,
        resourceGroup: SANDBOX.resourceGroup,
        subnetId: sandboxSubnetId(SANDBOX.region),
        authorityHost: emulator.url,
        armEndpoint: emulator.url,
        ...(emulator.caCertPem ? { caCertPem: emulator.caCertPem } : {}),
      }),
      secrets: { clientId: SANDBOX.clientId, clientSecret: SANDBOX.clientSecret },
      regions: [SANDBOX.region, SANDBOX.otherRegion],
    };
  },
};
