// A small vim25 SOAP client: envelopes as strings, replies parsed into XmlNode trees, the
// `vmware_soap_session` cookie, RetrieveServiceContent → SessionManager.Login, one re-login when a
// call fails with NotAuthenticated (expired/evicted session), and bounded retries of retryable
// failures (throttling, 5xx, timeouts) — vim25 has no client retry policy of its own.
import type https from 'node:https';
import { isProviderError, networkError, ProviderError } from '../../errors';
import { deadlineExceeded, withDeadline } from '../../shared/deadline';
import { withRetry } from '../../shared/retry';
import { DEFAULT_RUNTIME } from '../../shared/runtime';
import { faultToProviderError, httpStatusToProviderError, parseSoapFault } from '../errors';
import { createAgent, postXml, type TlsTrust, TransportError } from './transport';
import { child, descend, element, escapeXml, moRefElement, type MoRef, parseXml, toMoRef, type XmlNode } from './xml';

export interface VimClientOptions {
  /** The `/sdk` URL, e.g. https://vcenter.example.com/sdk. */
  endpoint: string;
  username: string;
  password: string;
  trust: TlsTrust;
  requestTimeoutMs: number;
  /** One deadline per call: every attempt, re-login and back-off together. Default 60 s. */
  callTimeoutMs?: number;
  maxRetries: number;
  /** First retry back-off; tests keep it small. */
  retryBaseDelayMs?: number;
}

/** The ServiceContent fields this client uses. */
export interface ServiceContent {
  rootFolder: MoRef;
  propertyCollector: MoRef;
  viewManager: MoRef;
  sessionManager: MoRef;
  searchIndex: MoRef;
  customFieldsManager?: MoRef;
  taskManager?: MoRef;
  about: { fullName: string; apiVersion: string; instanceUuid?: string };
}

const SERVICE_INSTANCE: MoRef = { type: 'ServiceInstance', value: 'ServiceInstance' };
const SESSION_COOKIE = 'vmware_soap_session';

export function soapEnvelope(bodyContent: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" ' +
    'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
    'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    `<soapenv:Body>${bodyContent}</soapenv:Body></soapenv:Envelope>`
  );
}

/** `<Method xmlns="urn:vim25"><_this type=…>…</_this>args</Method>` */
export function methodCall(method: string, self: MoRef, argsXml: string): string {
  return element(method, moRefElement('_this', self) + argsXml, { xmlns: 'urn:vim25' });
}

function readSessionCookie(setCookie: string[] | undefined): string | undefined {
  for (const header of setCookie ?? []) {
    const match = new RegExp(`${SESSION_COOKIE}=("[^"]*"|[^;]*)`).exec(header);
    if (match?.[1]) return match[1];
  }
  return undefined;
}

function parseServiceContent(returnval: XmlNode): ServiceContent {
  const ref = (name: string) => toMoRef(child(returnval, name));
  const required = (name: string): MoRef => {
    const value = ref(name);
    if (!value) throw new ProviderError('invalid_request', `ServiceContent has no ${name}: is this a vCenter /sdk endpoint?`);
    return value;
  };
  const about = child(returnval, 'about');
  return {
    rootFolder: required('rootFolder'),
    propertyCollector: required('propertyCollector'),
    viewManager: required('viewManager'),
    sessionManager: required('sessionManager'),
    searchIndex: required('searchIndex'),
    customFieldsManager: ref('customFieldsManager'),
    taskManager: ref('taskManager'),
    about: {
      fullName: child(about, 'fullName')?.text ?? 'vSphere',
      apiVersion: child(about, 'apiVersion')?.text ?? '6.0',
      instanceUuid: child(about, 'instanceUuid')?.text,
    },
  };
}

export class VimClient {
  private readonly url: URL;
  private readonly agent: https.Agent;
  private cookie: string | undefined;
  private content: ServiceContent | undefined;
  private loginInFlight: Promise<void> | undefined;
  private closed = false;
  /** SOAPAction version; the server's apiVersion once known (vCenter answers in that schema). */
  private soapVersion = '6.5';

  constructor(private readonly options: VimClientOptions) {
    this.url = new URL(options.endpoint);
    this.agent = createAgent(options.trust, options.requestTimeoutMs);
  }

  get endpoint(): string {
    return this.url.toString();
  }

  async serviceContent(): Promise<ServiceContent> {
    if (!this.content) {
      const response = await this.withRetries('RetrieveServiceContent', (timeoutMs) =>
        this.post('RetrieveServiceContent', methodCall('RetrieveServiceContent', SERVICE_INSTANCE, ''), timeoutMs),
      );
      const returnval = child(response, 'returnval');
      if (!returnval) throw new ProviderError('invalid_request', 'RetrieveServiceContent returned no ServiceContent');
      this.content = parseServiceContent(returnval);
      this.soapVersion = this.content.about.apiVersion;
    }
    return this.content;
  }

  /**
   * Invoke a vim25 method and return its `<MethodResponse>` element. Logs in first if needed; on
   * NotAuthenticated logs in again once and repeats the call.
   */
  async invoke(method: string, self: MoRef, argsXml = ''): Promise<XmlNode> {
    await this.serviceContent();
    return this.withRetries(method, async (timeoutMs) => {
      if (!this.cookie) await this.login(timeoutMs);
      const sessionUsed = this.cookie;
      try {
        return await this.post(method, methodCall(method, self, argsXml), timeoutMs);
      } catch (error) {
        if (!isProviderError(error) || error.providerCode !== 'NotAuthenticated') throw error;
        if (this.cookie === sessionUsed) this.cookie = undefined;
        await this.login(timeoutMs);
        return this.post(method, methodCall(method, self, argsXml), timeoutMs);
      }
    });
  }

  /** Log in (or re-login); concurrent callers share one Login call. */
  async login(timeoutMs = this.options.requestTimeoutMs): Promise<void> {
    if (!this.loginInFlight) {
      this.loginInFlight = this.doLogin(timeoutMs).finally(() => {
        this.loginInFlight = undefined;
      });
    }
    return this.loginInFlight;
  }

  private async doLogin(timeoutMs: number): Promise<void> {
    const content = await this.serviceContent();
    this.cookie = undefined;
    const args = element('userName', escapeXml(this.options.username)) + element('password', escapeXml(this.options.password));
    await this.post('Login', methodCall('Login', content.sessionManager, args), timeoutMs);
    if (!this.cookie) throw new ProviderError('auth_failed', 'vSphere Login succeeded but set no vmware_soap_session cookie');
  }

  /** SessionManager.Logout of our session (when there is one); no retries, errors swallowed by close(). */
  async logout(): Promise<void> {
    if (!this.cookie || !this.content) return;
    try {
      await this.post('Logout', methodCall('Logout', this.content.sessionManager, ''), Math.min(this.options.requestTimeoutMs, 2_000));
    } finally {
      this.cookie = undefined;
    }
  }

  /**
   * Crossplane's Disconnecter: log the session out (vCenter caps sessions per user and server)
   * and destroy the agent's sockets, including ones still in a TLS handshake. Idempotent.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.logout();
    } catch {
      // An unreachable vCenter expires the session by itself; closing must not fail.
    } finally {
      this.agent.destroy();
    }
  }

  /**
   * Retries of retryable failures inside one overall deadline: each attempt gets what is left of
   * it (at most requestTimeoutMs), and the whole call answers by the deadline whatever happens.
   */
  private withRetries<T>(what: string, call: (attemptTimeoutMs: number) => Promise<T>): Promise<T> {
    const ms = this.options.callTimeoutMs ?? DEFAULT_RUNTIME.callTimeoutMs;
    const deadline = Date.now() + ms;
    const attempt = () => call(Math.max(1, Math.min(this.options.requestTimeoutMs, deadline - Date.now())));
    return withDeadline(ms, () => deadlineExceeded(this.url.origin, what, ms), () =>
      withRetry(attempt, { maxRetries: this.options.maxRetries, baseDelayMs: this.options.retryBaseDelayMs ?? 200, deadline }),
    );
  }

  /** One HTTP exchange; every failure leaves here as a ProviderError. */
  private async post(method: string, bodyContent: string, timeoutMs: number): Promise<XmlNode> {
    const headers: Record<string, string> = { SOAPAction: `"urn:vim25/${this.soapVersion}"` };
    if (this.cookie) headers.Cookie = `${SESSION_COOKIE}=${this.cookie}`;
    let reply;
    try {
      reply = await postXml(this.agent, this.url, headers, soapEnvelope(bodyContent), timeoutMs);
    } catch (error) {
      throw this.transportFailure(method, error);
    }
    const cookie = readSessionCookie(reply.headers['set-cookie']);
    if (cookie) this.cookie = cookie;

    let envelope: XmlNode | undefined;
    try {
      envelope = reply.body ? parseXml(reply.body) : undefined;
    } catch {
      envelope = undefined;
    }
    const body = descend(envelope, 'Body');
    const fault = child(body, 'Fault');
    if (reply.status === 503) {
      // The reverse proxy sheds load with 503; whatever the body says, this is back-pressure.
      const info = fault ? parseSoapFault(fault) : { type: 'ServiceUnavailable', message: reply.body.slice(0, 200) };
      throw new ProviderError('throttled', `vSphere is busy (HTTP 503): ${info.message}`, {
        providerCode: info.type,
        providerMessage: info.message,
        httpStatus: 503,
      });
    }
    if (fault) throw faultToProviderError(parseSoapFault(fault), reply.status);
    if (reply.status !== 200 || !body) throw httpStatusToProviderError(reply.status, reply.body);
    const response = child(body, `${method}Response`);
    if (!response) throw new ProviderError('invalid_request', `vSphere reply to ${method} has no ${method}Response`);
    return response;
  }

  /** Certificate problems are configuration errors said plainly (never retried); the rest is the network. */
  private transportFailure(method: string, error: unknown): ProviderError {
    const origin = this.url.origin;
    if (error instanceof TransportError && error.kind === 'pin_mismatch') {
      return new ProviderError(
        'invalid_request',
        `The certificate of ${origin} does not match the pinned thumbprint: ${error.message}. If vCenter's certificate was replaced on purpose, update the thumbprint in the account settings; otherwise something else answers at this address.`,
        { providerCode: 'ThumbprintMismatch', providerMessage: error.message, retryable: false, cause: error },
      );
    }
    if (error instanceof TransportError && error.kind === 'certificate') {
      return new ProviderError(
        'invalid_request',
        `The certificate of ${origin} is not trusted (${error.message}): set the CA certificate or a thumbprint in the account settings.`,
        { providerCode: 'CertificateNotTrusted', providerMessage: error.message, retryable: false, cause: error },
      );
    }
    const reason = error instanceof TransportError && error.kind === 'timeout' ? `${method} timed out` : method;
    return networkError(`${origin} (${reason})`, error);
  }
}
