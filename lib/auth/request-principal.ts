// Resolve who is calling from a Request: a Bearer API token, or the next-auth session cookie.
import { getToken } from 'next-auth/jwt';
import type { Db } from '../db/client';
import { resolveApiToken } from './api-tokens';
import { loadPrincipal, type Principal } from './principal';

function parseCookies(header: string | null): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const index = part.indexOf('=');
    if (index <= 0) continue;
    const raw = part.slice(index + 1).trim();
    try {
      cookies[part.slice(0, index).trim()] = decodeURIComponent(raw);
    } catch {
      // A malformed cookie (bad percent-encoding) is someone else's cookie or garbage: keep it raw.
      cookies[part.slice(0, index).trim()] = raw;
    }
  }
  return cookies;
}

/** The session's user id from the next-auth JWT cookie, or null. */
export async function sessionUserId(headers: Headers, secret: string | undefined): Promise<string | null> {
  if (!secret) return null;
  const cookieHeader = headers.get('cookie');
  if (!cookieHeader) return null;
  const token = await getToken({
    // getToken reads `cookies` and `headers` from Next's request shapes; a plain object suffices.
    req: { headers: Object.fromEntries(headers.entries()), cookies: parseCookies(cookieHeader) } as unknown as Parameters<typeof getToken>[0]['req'],
    secret,
    // The same rule as buildAuthOptions' useSecureCookies: __Secure-next-auth.session-token under https.
    secureCookie: (process.env.SKYPORT_PUBLIC_URL ?? process.env.NEXTAUTH_URL ?? '').startsWith('https://'),
  });
  return typeof token?.sub === 'string' ? token.sub : null;
}

export type PrincipalResolution =
  | { principal: Principal }
  | { principal: null; reason: 'anonymous' | 'invalid_token' };

export async function principalFromHeaders(db: Db, headers: Headers, secret = process.env.NEXTAUTH_SECRET): Promise<PrincipalResolution> {
  const authorization = headers.get('authorization');
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    const token = match ? await resolveApiToken(db, match[1]!) : null;
    if (!token) return { principal: null, reason: 'invalid_token' };
    const principal = await loadPrincipal(db, token.userId, 'api_token', token);
    return principal ? { principal } : { principal: null, reason: 'invalid_token' };
  }
  const userId = await sessionUserId(headers, secret);
  if (!userId) return { principal: null, reason: 'anonymous' };
  const principal = await loadPrincipal(db, userId, 'session');
  return principal ? { principal } : { principal: null, reason: 'anonymous' };
}
