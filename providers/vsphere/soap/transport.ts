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
    readonly kind: 'timeout' | 'network' | 'tls',
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
 */
class PinnedAgent extends https.Agent {
  constructor(private readonly thumbprint: string) {
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
    const fail = (error: Error) => {
      socket.destroy();
      callback?.(error, socket);
    };
    socket.once('error', fail);
    socket.once('secureConnect', () => {
      socket.removeListener('error', fail);
      const cert = socket.getPeerCertificate();
      if (!certificateMatchesThumbprint(cert, this.thumbprint)) {
        fail(
          new TransportError(
            `server certificate (SHA-256 ${cert.fingerprint256}) does not match the pinned thumbprint`,
            'tls',
          ),
        );
        return;
      }
      callback?.(null, socket);
    });
    return undefined;
  }
}

export function createAgent(trust: TlsTrust): https.Agent {
  if (trust.thumbprint) return new PinnedAgent(trust.thumbprint);
  if (trust.insecure) return new https.Agent({ keepAlive: true, maxSockets: 8, rejectUnauthorized: false });
  return new https.Agent({ keepAlive: true, maxSockets: 8, ca: trust.caCertPem || undefined });
}

export function postXml(
  agent: https.Agent,
  url: URL,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
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
        response.on('end', () => {
          clearTimeout(timer);
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') });
        });
        response.on('error', (error) => {
          clearTimeout(timer);
          reject(new TransportError(error.message, 'network', { cause: error }));
        });
      },
    );
    // A deadline for the whole exchange, not just socket idleness: a server that trickles bytes
    // must not hold a job forever.
    const timer = setTimeout(() => {
      request.destroy(new TransportError(`no complete reply within ${timeoutMs} ms`, 'timeout'));
    }, timeoutMs);
    request.on('error', (error) => {
      clearTimeout(timer);
      if (error instanceof TransportError) reject(error);
      else reject(new TransportError(error.message, 'network', { cause: error }));
    });
    request.end(payload);
  });
}
