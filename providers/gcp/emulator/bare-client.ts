// SDK-free access to the emulator for fixture tests and the benchmark: the JWT bearer grant done
// by hand with node:crypto, then plain fetch.
import { createSign } from 'node:crypto';
import type { ServiceAccountKeyFile } from './index';
import { GOOGLE_TOKEN_AUDIENCE } from './oauth';

export function signAssertion(key: Pick<ServiceAccountKeyFile, 'client_email' | 'private_key' | 'private_key_id'>, nowMs = Date.now(), audience = GOOGLE_TOKEN_AUDIENCE): string {
  const iat = Math.floor(nowMs / 1000);
  const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: key.private_key_id })).toString('base64url');
  const claims = Buffer.from(
    JSON.stringify({ iss: key.client_email, scope: 'https://www.googleapis.com/auth/cloud-platform', aud: audience, iat, exp: iat + 3600 }),
  ).toString('base64url');
  const signature = createSign('RSA-SHA256').update(`${header}.${claims}`).sign(key.private_key, 'base64url');
  return `${header}.${claims}.${signature}`;
}

export async function fetchAccessToken(key: ServiceAccountKeyFile): Promise<string> {
  const response = await fetch(key.token_uri, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: signAssertion(key) }),
  });
  const body = (await response.json()) as { access_token?: string };
  if (!response.ok || !body.access_token) throw new Error(`token request failed: ${response.status} ${JSON.stringify(body)}`);
  return body.access_token;
}
