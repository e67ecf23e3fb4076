// The local EC2 + STS endpoint: one HTTP server on 127.0.0.1 that verifies SigV4 like AWS does,
// routes by the signature's credential scope (service `ec2` or `sts`; the region comes from the
// scope too, so one server stands for every region), injects faults and records requests.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EmulatorClock } from '../../contract/clock';
import type { EmulatorStartOptions, FaultSpec, RecordedRequest, RunningEmulator } from '../../contract/emulator';
import { EC2_API_VERSION, REGIONS, imagesOf, isRegionEnabled } from './catalog';
import { Ec2ApiError, handleEc2Action, type Ec2Limits } from './ec2-api';
import { expandQuery, parseQueryString } from './query';
import { canonicalRequest, parseAmzDate, parseAuthorization, sha256Hex, signatureFor, signaturesMatch } from './sigv4';
import { Ec2Store } from './state';
import { StsApiError, StsSessions, getCallerIdentity, renderStsError, type Principal } from './sts-api';
import { renderDocument } from './xml';

export interface AwsEmulatorOptions extends EmulatorStartOptions {
  /** vCPUs of running+pending instances allowed per region. Default 100,000. */
  vcpuLimit?: number;
  /** How long terminated instances stay visible. Default 1 hour, as on EC2. */
  terminatedRetentionMs?: number;
}

export interface AwsRunningEmulator extends RunningEmulator {
  /** Make an assumed-role session's credentials expire now (credential refresh tests). */
  expireSession(accessKeyId: string): void;
}

const STS_ACTIONS = new Set(['AssumeRole', 'GetCallerIdentity']);
/** AWS rejects signatures dated more than 15 minutes away from its clock. */
const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

type Service = 'ec2' | 'sts';

class WireError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function ec2ErrorBody(code: string, message: string, requestId: string): string {
  return renderDocument('Response', undefined, { Errors: { Error: { Code: code, Message: message } }, RequestID: requestId });
}

function faultError(kind: FaultSpec['kind'], service: Service): WireError {
  if (service === 'sts') {
    switch (kind) {
      case 'throttle':
        return new WireError(400, 'Throttling', 'Rate exceeded');
      case 'server_error':
        return new WireError(500, 'InternalFailure', 'An internal error occurred.');
      case 'quota':
        return new WireError(400, 'LimitExceeded', 'The request was rejected because it exceeds a service limit.');
      default:
        return new WireError(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
    }
  }
  switch (kind) {
    case 'throttle':
      return new WireError(503, 'RequestLimitExceeded', 'Request limit exceeded.');
    case 'server_error':
      return new WireError(500, 'InternalError', 'An internal error has occurred');
    case 'quota':
      return new WireError(
        400,
        'VcpuLimitExceeded',
        'You have requested more vCPU capacity than your current vCPU limit of 32 allows for the instance bucket that the specified instance type belongs to. Please visit http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit.',
      );
    default:
      return new WireError(401, 'AuthFailure', 'AWS was not able to validate the provided access credentials');
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return headers;
}

interface Authenticated {
  service: Service;
  region: string;
  principal: Principal;
}

function authFailure(service: Service, kind: 'unknown-key' | 'bad-signature' | 'expired' | 'missing' | 'token'): WireError {
  if (service === 'sts') {
    if (kind === 'bad-signature') {
      return new WireError(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.');
    }
    if (kind === 'expired') return new WireError(403, 'ExpiredToken', 'The security token included in the request is expired');
    if (kind === 'missing') return new WireError(403, 'MissingAuthenticationToken', 'Request is missing Authentication Token');
    return new WireError(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
  }
  if (kind === 'bad-signature') {
    return new WireError(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.');
  }
  if (kind === 'expired') return new WireError(400, 'RequestExpired', 'Request has expired.');
  if (kind === 'missing') return new WireError(401, 'MissingAuthenticationToken', 'Request is missing Authentication Token');
  return new WireError(401, 'AuthFailure', 'AWS was not able to validate the provided access credentials');
}

function authenticate(
  req: IncomingMessage,
  headers: Record<string, string>,
  body: string,
  fallbackService: Service,
  sessions: StsSessions,
): Authenticated {
  const auth = parseAuthorization(headers.authorization);
  if (!auth) throw authFailure(fallbackService, 'missing');
  const service: Service = auth.service === 'sts' ? 'sts' : 'ec2';
  const known = sessions.lookup(auth.accessKeyId);
  if (!known) throw authFailure(service, 'unknown-key');
  const amzDate = headers['x-amz-date'] ?? '';
  const signedAt = parseAmzDate(amzDate);
  if (!signedAt || Math.abs(Date.now() - signedAt.getTime()) > MAX_CLOCK_SKEW_MS || amzDate.slice(0, 8) !== auth.date) {
    throw authFailure(service, 'expired');
  }
  const url = new URL(req.url ?? '/', 'http://emulator');
  const canonical = canonicalRequest({
    method: req.method ?? 'POST',
    path: url.pathname,
    rawQuery: url.search.slice(1),
    headers,
    signedHeaders: auth.signedHeaders,
    payloadHash: headers['x-amz-content-sha256'] ?? sha256Hex(body),
  });
  // A body whose hash differs from the signed x-amz-content-sha256 was tampered with.
  if (headers['x-amz-content-sha256'] && headers['x-amz-content-sha256'] !== sha256Hex(body)) throw authFailure(service, 'bad-signature');
  const expected = signatureFor(known.secret, auth, amzDate, canonical);
  if (!signaturesMatch(expected, auth.signature) || !auth.signedHeaders.includes('host')) throw authFailure(service, 'bad-signature');
  const session = known.principal.session;
  if (session) {
    if (headers['x-amz-security-token'] !== session.sessionToken) throw authFailure(service, 'token');
    if (session.expiresAt <= Date.now()) throw authFailure(service, 'expired');
  }
  if (service === 'ec2' && !isRegionEnabled(auth.region)) throw authFailure(service, 'unknown-key');
  return { service, region: auth.region, principal: known.principal };
}

export async function startEmulator(options: AwsEmulatorOptions = {}): Promise<AwsRunningEmulator> {
  const clock = new EmulatorClock();
  const store = new Ec2Store({
    clock,
    transitionMs: options.transitionMs ?? 50,
    terminatedRetentionMs: options.terminatedRetentionMs ?? 60 * 60 * 1000,
    statePath: options.statePath,
  });
  const sessions = new StsSessions();
  const limits: Ec2Limits = { maxPageSize: options.maxPageSize ?? 1000, vcpuLimit: options.vcpuLimit ?? 100_000 };
  const recordRequests = options.recordRequests ?? true;
  let recorded: RecordedRequest[] = [];
  let faults: Array<Required<Pick<FaultSpec, 'kind' | 'times'>> & { operation?: string }> = [];
  const hung = new Set<ServerResponse>();

  function takeFault(operation: string): FaultSpec['kind'] | undefined {
    const fault = faults.find((f) => f.times > 0 && (f.operation === undefined || f.operation === operation));
    if (!fault) return undefined;
    fault.times -= 1;
    faults = faults.filter((f) => f.times > 0);
    return fault.kind;
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const requestId = randomUUID();
    const body = await readBody(req);
    const headers = flatHeaders(req);
    const url = new URL(req.url ?? '/', 'http://emulator');
    const params = { ...parseQueryString(url.search.slice(1)), ...parseQueryString(body) };
    const action = params.Action ?? '';
    if (recordRequests) {
      recorded.push({ method: req.method ?? 'GET', path: url.pathname, operation: action, headers, body, query: params });
    }
    const fallbackService: Service = STS_ACTIONS.has(action) ? 'sts' : 'ec2';
    let service = fallbackService;
    const send = (status: number, xml: string) => {
      res.writeHead(status, {
        'content-type': 'text/xml;charset=UTF-8',
        'x-amzn-requestid': requestId,
        server: service === 'ec2' ? 'AmazonEC2' : 'AmazonSTS',
      });
      res.end(xml);
    };
    try {
      const authenticated = authenticate(req, headers, body, fallbackService, sessions);
      service = authenticated.service;
      const fault = takeFault(action);
      if (fault === 'timeout') {
        // Hold the response until the client gives up; close() ends whatever is still held.
        hung.add(res);
        res.on('close', () => hung.delete(res));
        return;
      }
      if (fault) throw faultError(fault, service);
      if (!action) throw new WireError(400, 'MissingAction', 'The request must contain the parameter Action');
      const input = expandQuery(params);
      if (service === 'sts') {
        if (action === 'AssumeRole') return send(200, sessions.assumeRole(authenticated.principal, input, requestId));
        if (action === 'GetCallerIdentity') return send(200, getCallerIdentity(authenticated.principal, requestId));
        throw new WireError(400, 'InvalidAction', `Could not find operation ${action} for version ${params.Version ?? ''}`);
      }
      if (params.Version !== EC2_API_VERSION && params.Version !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(params.Version)) {
        throw new WireError(400, 'InvalidParameterValue', `Invalid API version ${params.Version}`);
      }
      send(200, handleEc2Action(store, { action, region: authenticated.region, params, input, requestId }, limits));
    } catch (error) {
      if (error instanceof WireError || error instanceof Ec2ApiError || error instanceof StsApiError) {
        if (service === 'sts') {
          const stsError = error instanceof StsApiError ? error : new StsApiError(error.status, error.code, error.message, error.status >= 500 ? 'Receiver' : 'Sender');
          return send(error.status, renderStsError(stsError, requestId));
        }
        return send(error.status, ec2ErrorBody(error.code, error.message, requestId));
      }
      send(500, service === 'sts' ? renderStsError(new StsApiError(500, 'InternalFailure', String(error), 'Receiver'), requestId) : ec2ErrorBody('InternalError', 'An internal error has occurred', requestId));
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${host}:${port}`,
    injectFault(fault) {
      faults.push({ kind: fault.kind, operation: fault.operation, times: fault.times ?? 1 });
    },
    clearFaults() {
      faults = [];
    },
    pendingFaults: () => faults.reduce((sum, f) => sum + f.times, 0),
    clock,
    setVcpuLimit(limit) {
      limits.vcpuLimit = limit ?? options.vcpuLimit ?? 100_000;
    },
    seedVms({ region, count, namePrefix, createdAt }) {
      if (!REGIONS.some((r) => r.name === region)) throw new Error(`Unknown region ${region}`);
      const image = imagesOf(region)[0]!;
      store.seed(region, count, namePrefix ?? 'seeded', 't3.micro', image.imageId, createdAt);
    },
    vmCount: () => store.liveCount(),
    requests: () => [...recorded],
    clearRequests() {
      recorded = [];
    },
    expireSession: (accessKeyId) => sessions.expire(accessKeyId),
    async close() {
      store.close();
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
