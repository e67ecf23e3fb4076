// Local Compute Engine v1 REST emulator with Google's OAuth token endpoint, for tests, benchmarks
// and the embedded demo. Binds 127.0.0.1 only; plain HTTP (the adapter's endpoint override).
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EmulatorSeedOptions, EmulatorStartOptions, FaultSpec, ProviderSandbox, RecordedRequest, RunningEmulator } from '../../contract/emulator';
import type { Secrets, Settings } from '../config';
import { EmulatorClock } from '../../contract/clock';
import { ComputeService, type ComputeOptions, type WireReply } from './compute';
import { PUBLIC_IMAGE_PROJECTS, regionOfZone } from './catalog';
import { GOOGLE_TOKEN_AUDIENCE, issueAccessToken, verifyAccessToken, verifyTokenRequest } from './oauth';
import { matchRoute, TOKEN_OPERATION, TOKEN_PATH } from './routes';
import { loadState, saveState, type EmulatorState, type SandboxKeyRecord } from './state';
import {
  apiError,
  backendError,
  permissionDenied,
  quotaExceededSync,
  rateLimitExceeded,
  unauthenticated,
  type WireError,
} from './wire';

export const SANDBOX_PROJECT = 'skyport-sandbox';

/** A service-account key file as the Cloud console downloads it. */
export interface ServiceAccountKeyFile {
  type: 'service_account';
  project_id: string;
  private_key_id: string;
  private_key: string;
  client_email: string;
  client_id: string;
  auth_uri: string;
  token_uri: string;
  auth_provider_x509_cert_url: string;
  client_x509_cert_url: string;
  universe_domain: string;
}

export interface GcpEmulatorOptions extends EmulatorStartOptions {
  /** How long a repeated `requestId` returns the first Operation (GCE: 60 min). */
  requestIdWindowMs?: number;
  /** Longest `zoneOperations.wait` holds the request (GCE: ~2 min). */
  operationWaitCapMs?: number;
  /** How long a `timeout` fault holds a request before dropping the connection. */
  timeoutFaultMs?: number;
}

export interface GcpRunningEmulator extends RunningEmulator {
  readonly project: string;
  /** The sandbox service account's key file, `token_uri` pointing at this emulator. */
  serviceAccountKey(): ServiceAccountKeyFile;
}

export function isGcpEmulator(emulator: RunningEmulator): emulator is GcpRunningEmulator {
  return typeof (emulator as Partial<GcpRunningEmulator>).serviceAccountKey === 'function';
}

function freshState(): EmulatorState {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const sandboxKey: SandboxKeyRecord = {
    email: `skyport-sandbox@${SANDBOX_PROJECT}.iam.gserviceaccount.com`,
    project: SANDBOX_PROJECT,
    clientId: '104' + BigInt(`0x${randomBytes(8).toString('hex')}`).toString().padStart(18, '0'),
    keyId: randomBytes(20).toString('hex'),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
  return {
    version: 1,
    tokenSecret: randomBytes(32).toString('hex'),
    nextId: 0,
    instances: {},
    operations: {},
    requestIds: {},
    serviceAccounts: [
      {
        email: sandboxKey.email,
        project: sandboxKey.project,
        clientId: sandboxKey.clientId,
        keyId: sandboxKey.keyId,
        publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      },
    ],
    sandboxKey,
  };
}

interface ActiveFault {
  kind: FaultSpec['kind'];
  operation?: string;
  remaining: number;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, reply: WireReply): void {
  if (res.writableEnded || res.destroyed) return;
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(text),
    vary: 'Origin, X-Origin, Referer',
  });
  res.end(text);
}

export async function startEmulator(options: GcpEmulatorOptions = {}): Promise<GcpRunningEmulator> {
  const statePath = options.statePath;
  const state = (statePath ? loadState(statePath) : undefined) ?? freshState();
  const recordRequests = options.recordRequests ?? true;
  const timeoutFaultMs = options.timeoutFaultMs ?? 60_000;
  let faults: ActiveFault[] = [];
  let recorded: RecordedRequest[] = [];
  const heldTimers = new Set<NodeJS.Timeout>();

  let saveTimer: NodeJS.Timeout | undefined;
  const flush = () => {
    if (saveTimer) clearTimeout(saveTimer);
    saveTimer = undefined;
    if (statePath) saveState(statePath, state);
  };
  const onChange = () => {
    if (!statePath || saveTimer) return;
    saveTimer = setTimeout(flush, 200);
  };

  const clock = new EmulatorClock();
  const computeOptions: ComputeOptions = {
    transitionMs: options.transitionMs ?? 50,
    maxPageSize: options.maxPageSize ?? 500,
    requestIdWindowMs: options.requestIdWindowMs ?? 60 * 60_000,
    waitCapMs: options.operationWaitCapMs ?? 120_000,
    clock,
    onChange,
  };
  const compute = new ComputeService(state, computeOptions);

  let baseUrl = '';

  function takeFault(operation: string): ActiveFault | undefined {
    const fault = faults.find((f) => f.remaining > 0 && (f.operation === undefined || f.operation === operation));
    if (fault) fault.remaining -= 1;
    return fault;
  }

  /** Compute API answer for an injected fault (insert's quota fault is answered by its Operation). */
  function faultReply(kind: Exclude<FaultSpec['kind'], 'timeout'>, params: Record<string, string>): WireError {
    switch (kind) {
      case 'throttle':
        return rateLimitExceeded(params.project ?? '');
      case 'server_error':
        return backendError();
      case 'auth':
        return unauthenticated(false);
      case 'quota':
        return quotaExceededSync(regionOfZone(params.zone ?? '')?.name ?? params.region ?? 'global');
    }
  }

  /** Token-endpoint answer for an injected fault, in OAuth's `{error, error_description}` form. */
  function tokenFaultReply(kind: Exclude<FaultSpec['kind'], 'timeout'>): WireReply {
    switch (kind) {
      case 'throttle':
      case 'quota':
        return { status: 429, body: { error: 'rate_limit_exceeded', error_description: 'Rate limit exceeded' } };
      case 'server_error':
        return { status: 500, body: { error: 'internal_failure', error_description: 'Backend Error' } };
      case 'auth':
        return { status: 400, body: { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' } };
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator.local');
    const method = req.method ?? 'GET';
    const body = await readBody(req);
    const query = Object.fromEntries(url.searchParams);
    const isToken = method === 'POST' && url.pathname === TOKEN_PATH;
    const route = isToken ? undefined : matchRoute(method, url.pathname);
    const operation = isToken ? TOKEN_OPERATION : (route?.operation ?? `unknown:${method} ${url.pathname}`);

    if (recordRequests) {
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(', ') : value;
      }
      recorded.push({ method, path: url.pathname, operation, headers, body, query });
    }

    const fault = takeFault(operation);
    if (fault?.kind === 'timeout') {
      // Never answer; drop the connection later so nothing waits forever on the server side.
      const timer = setTimeout(() => {
        heldTimers.delete(timer);
        res.destroy();
      }, timeoutFaultMs);
      heldTimers.add(timer);
      return;
    }

    if (isToken) {
      if (fault) {
        send(res, tokenFaultReply(fault.kind));
        return;
      }
      const verdict = verifyTokenRequest(new URLSearchParams(body), state.serviceAccounts, [GOOGLE_TOKEN_AUDIENCE, `${baseUrl}${TOKEN_PATH}`], Date.now());
      if ('status' in verdict) send(res, verdict);
      else send(res, { status: 200, body: issueAccessToken(state.tokenSecret, verdict, Date.now()) });
      return;
    }

    if (!route) {
      send(res, apiError(404, 'notFound', `The requested URL ${url.pathname} was not found on this server.`));
      return;
    }
    const project = route.params.project ?? '';
    const quotaOnInsert = fault?.kind === 'quota' && operation === 'compute.instances.insert';
    if (fault && !quotaOnInsert) {
      send(res, faultReply(fault.kind, route.params));
      return;
    }

    const authorization = req.headers.authorization ?? '';
    const bearer = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
    const caller = bearer ? verifyAccessToken(state.tokenSecret, bearer, Date.now()) : undefined;
    if (!caller) {
      send(res, unauthenticated(!bearer));
      return;
    }
    const readsPublicImages = operation.startsWith('compute.images.') && PUBLIC_IMAGE_PROJECTS.has(project);
    if (project !== caller.project && !readsPublicImages) {
      send(res, permissionDenied(operation, `projects/${project}`));
      return;
    }

    let parsedBody: unknown;
    if (body.length > 0) {
      try {
        parsedBody = JSON.parse(body);
      } catch {
        send(res, apiError(400, 'parseError', 'Parse Error'));
        return;
      }
    }
    const reply = await compute.handle({ operation, params: route.params, query, body: parsedBody, caller, quotaFault: quotaOnInsert });
    send(res, reply);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      send(res, apiError(500, 'backendError', `Emulator failure: ${error instanceof Error ? error.message : String(error)}`));
    });
  });
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  baseUrl = `http://${address.address}:${address.port}`;

  return {
    url: baseUrl,
    project: state.sandboxKey.project,
    serviceAccountKey(): ServiceAccountKeyFile {
      const key = state.sandboxKey;
      return {
        type: 'service_account',
        project_id: key.project,
        private_key_id: key.keyId,
        private_key: key.privateKeyPem,
        client_email: key.email,
        client_id: key.clientId,
        auth_uri: 'https://accounts.google.com/o/oauth2/auth',
        token_uri: `${baseUrl}${TOKEN_PATH}`,
        auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
        client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${encodeURIComponent(key.email)}`,
        universe_domain: 'googleapis.com',
      };
    },
    injectFault(fault: FaultSpec) {
      faults.push({ kind: fault.kind, operation: fault.operation, remaining: fault.times ?? 1 });
    },
    clearFaults() {
      faults = [];
    },
    pendingFaults: () => faults.reduce((sum, f) => sum + f.remaining, 0),
    clock,
    setVcpuLimit(limit) {
      computeOptions.vcpuLimit = limit;
    },
    seedVms({ region, count, namePrefix, createdAt }: EmulatorSeedOptions) {
      compute.seed(state.sandboxKey.project, region, count, namePrefix ?? `seed-${randomUUID().slice(0, 4)}`, createdAt);
    },
    vmCount: () => compute.vmCount(),
    requests: () => [...recorded],
    clearRequests() {
      recorded = [];
    },
    async close() {
      compute.close();
      for (const timer of heldTimers) clearTimeout(timer);
      heldTimers.clear();
      flush();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** Regions the sandbox account offers (the emulator serves a few more). */
export const SANDBOX_REGIONS = ['us-central1', 'europe-west1'];

export const sandbox: ProviderSandbox<Settings, Secrets> = {
  kind: 'gcp',
  startEmulator: (options) => startEmulator(options),
  sandboxAccount(emulator) {
    if (!isGcpEmulator(emulator)) throw new Error('sandboxAccount needs an emulator started by the GCP provider');
    const key = emulator.serviceAccountKey();
    return {
      settings: { projectId: key.project_id, apiEndpoint: emulator.url },
      secrets: { serviceAccountKeyJson: JSON.stringify(key) },
      regions: SANDBOX_REGIONS,
    };
  },
};
