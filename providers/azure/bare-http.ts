// Minimal HTTPS client on node:https (no SDK): used by the fixture tests to speak raw ARM to the
// emulator and by the benchmark to time bare page fetches.
import { Agent, request } from 'node:https';

export interface BareResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
}

export interface BareRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  agent: Agent;
}

export function trustingAgent(caCertPem: string): Agent {
  return new Agent({ ca: caCertPem, keepAlive: true });
}

export function bareRequest(url: string, options: BareRequestOptions): Promise<BareResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers, agent: options.agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        resolve({ status: res.statusCode ?? 0, headers, text: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/** Client-credentials grant against an Entra-compatible token endpoint; returns the access token. */
export async function fetchArmToken(
  authorityHost: string,
  tenantId: string,
  clientId: string,
  clientSecret: string,
  agent: Agent,
): Promise<string> {
  const body = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: clientId,
    client_secret: clientSecret,
    scope: 'https://management.azure.com/.default',
  }).toString();
  const response = await bareRequest(`${authorityHost}/${tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
    agent,
  });
  if (response.status !== 200) throw new Error(`token request failed: ${response.status} ${response.text}`);
  const token = (JSON.parse(response.text) as { access_token?: string }).access_token;
  if (!token) throw new Error('token response without access_token');
  return token;
}
