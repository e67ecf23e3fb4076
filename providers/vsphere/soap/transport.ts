// HTTPS transport for the vim25 endpoint: one keep-alive agent per client, trust configured as a
// CA PEM, a pinned certificate thumbprint, or (explicitly) none; a hard timeout per request.
import https from 'node:https';
import type { ClientRequestArgs, IncomingHttpHeaders } from 'node:http';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';

export interface TlsTrust {
  /** PEM bundle to trust instead of the system CAs (self-signed vCenter). */
  caCertPem?: string;
  /** SHA-256 (64 hex) or SHA-1 (40 hex) fingerprint of the server's leaf certificate, colons optional. */
  thumbprint?: string;
  /** Skip verification entirely. Only for labs; the settings UI warns about it. */
  insecure?: boolean;
}

export interface HttpReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export class TransportError extends Error {
  constructor(
    message: string,
    /** `pin_mismatch` and `certificate` are configuration errors: retrying cannot fix them. */
    readonly kind: 'timeout' | 'network' | 'pin_mismatch' | 'certificate',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TransportError';
  }
}

export function normalizeThumbprint(value: string): string {
  return value.replace(/[^0-9a-fA-F]/g, '').toUpperCase();
}

/** True when the certificate's SHA-256 or SHA-1 fingerprint equals the pinned thumbprint. */
export function certificateMatchesThumbprint(cert: tls.PeerCertificate, thumbprint: string): boolean {
  const wanted = normalizeThumbprint(thumbprint);
  const candidates = [cert.fingerprint256, cert.fingerprint].filter((f): f is string => typeof f === 'string');
  return candidates.some((fingerprint) => normalizeThumbprint(fingerprint) === wanted);
}

/**
 * With a pinned thumbprint the chain is self-signed, so Node's chain verification (and with it
 * checkServerIdentity) cannot be used. The socket is handed to the HTTP layer only after the
 * handshake and the fingerprint check, so no request byte (credentials!) reaches an impostor.
 * Sockets still in their handshake are tracked, so destroy() (the adapter's close) ends them too;
 * each handshake also has its own timer, since no HTTP-level timer runs before a socket exists.
 */
class PinnedAgent extends https.Agent {
  private readonly handshaking = new Set<tls.TLSSocket>();

  constructor(
    private readonly thumbprint: string,
    private readonly handshakeTimeoutMs: number,
  ) {
    super({ keepAlive: true, maxSockets: 8 });
  }

  override createConnection(
    options: ClientRequestArgs & { servername?: string },
    callback?: (error: Error | null, socket: Duplex) => void,
  ): Duplex | undefined {
    const socket = tls.connect({
      host: options.host ?? undefined,
      port: Number(options.port),
      servername: options.servername || undefined,
      rejectUnauthorized: false,
    });
    this.handshaking.add(socket);
    let settled = false;
    const finish = (error: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      this.handshaking.delete(socket);
      socket.removeListener('error', fail);
      if (error) socket.destroy();
      callback?.(error, socket);
    };
    const fail = (error: Error) => finish(error);
    const timer = setTimeout(
      () => finish(new TransportError(`TLS handshake not completed within ${this.handshakeTimeoutMs} ms`, 'timeout')),
      this.handshakeTimeoutMs,
    );
    socket.once('error', fail);
    socket.once('close', () => finish(new TransportError('connection closed during the TLS handshake', 'network')));
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      if (!certificateMatchesThumbprint(cert, this.thumbprint)) {
        finish(new TransportError(`server certificate (SHA-256 ${cert.fingerprint256}) does not match the pinned thumbprint`, 'pin_mismatch'));
        return;
      }
      finish(null);
    });
    return undefined;
  }

  override destroy(): void {
    for (const socket of this.handshaking) socket.destroy();
    this.handshaking.clear();
    super.destroy();
  }
}

export function createAgent(trust: TlsTrust, handshakeTimeoutMs = 15_000): https.Agent {
  if (trust.thumbprint) return new PinnedAgent(trust.thumbprint, handshakeTimeoutMs);
  if (trust.insecure) return new https.Agent({ keepAlive: true, maxSockets: 8, rejectUnauthorized: false });
  return new https.Agent({ keepAlive: true, maxSockets: 8, ca: trust.caCertPem || undefined });
}

/** Node's codes for a certificate that fails verification against the configured CA. */
const CERTIFICATE_ERROR_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * POST one request. The deadline covers the whole exchange — connect, TLS handshake, request and
 * the complete reply — and rejects by itself: a request destroyed before it has a socket emits
 * nothing, so relying on the request's own error event would hang.
 */
export function postXml(
  agent: https.Agent,
  url: URL,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    let done = false;
    const settle = (outcome: { reply: HttpReply } | { error: TransportError }) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if ('reply' in outcome) resolve(outcome.reply);
      else reject(outcome.error);
    };
    const payload = Buffer.from(body, 'utf8');
    const request = https.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { ...headers, 'Content-Type': 'text/xml; charset=utf-8', 'Content-Length': String(payload.length) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          settle({ reply: { status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') } }),
        );
        response.on('error', (error) => settle({ error: new TransportError(error.message, 'network', { cause: error }) }));
      },
    );
    const timer = setTimeout(() => {
      const error = new TransportError(`no complete reply within ${timeoutMs} ms (connect, TLS handshake and response)`, 'timeout');
      settle({ error });
      request.destroy(error);
    }, timeoutMs);
    request.on('error', (error) => {
      if (error instanceof TransportError) return settle({ error });
      const code = (error as NodeJS.ErrnoException).code ?? '';
      const kind = CERTIFICATE_ERROR_CODES.has(code) ? 'certificate' : 'network';
      settle({ error: new TransportError(error.message, kind, { cause: error }) });
    });
    request.end(payload);
  });
}
