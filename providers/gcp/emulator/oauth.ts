// Google's OAuth 2.0 token endpoint for service accounts (JWT bearer grant, RFC 7523) and the
// access tokens it hands out. Tokens are HMAC-signed so they need no server-side table.
import { createHmac, createPublicKey, timingSafeEqual, verify } from 'node:crypto';
import type { ServiceAccountRecord } from './state';

export const GOOGLE_TOKEN_AUDIENCE = 'https://oauth2.googleapis.com/token';
const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const ACCEPTED_SCOPES = ['https://www.googleapis.com/auth/cloud-platform', 'https://www.googleapis.com/auth/compute'];
const TOKEN_LIFETIME_S = 3599;
/** Google tolerates a little clock skew on iat/exp. */
const CLOCK_SKEW_S = 300;

export interface OAuthError {
  status: number;
  body: { error: string; error_description: string };
}

export interface AccessTokenClaims {
  email: string;
  project: string;
  exp: number;
}

const oauthError = (error: string, description: string, status = 400): OAuthError => ({
  status,
  body: { error, error_description: description },
});

function decodeSegment(segment: string | undefined): Record<string, unknown> | undefined {
  if (!segment) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Check a token request the way oauth2.googleapis.com does and return the service account it
 * authenticates, or the error Google would answer with.
 */
export function verifyTokenRequest(
  form: URLSearchParams,
  accounts: readonly ServiceAccountRecord[],
  acceptedAudiences: readonly string[],
  nowMs: number,
): ServiceAccountRecord | OAuthError {
  const grantType = form.get('grant_type');
  if (grantType !== JWT_BEARER_GRANT) {
    return oauthError('unsupported_grant_type', `Invalid grant_type: ${grantType ?? ''}`);
  }
  const assertion = form.get('assertion') ?? '';
  const [headerPart, claimsPart, signaturePart] = assertion.split('.');
  const header = decodeSegment(headerPart);
  const claims = decodeSegment(claimsPart);
  if (!header || !claims || !signaturePart) return oauthError('invalid_grant', 'Invalid JWT: Malformed assertion.');
  if (header.alg !== 'RS256') return oauthError('invalid_grant', 'Invalid JWT Signature.');

  const account = accounts.find((candidate) => candidate.email === claims.iss);
  if (!account) return oauthError('invalid_grant', 'Invalid grant: account not found');

  const signed = verify(
    'RSA-SHA256',
    Buffer.from(`${headerPart}.${claimsPart}`),
    createPublicKey(account.publicKeyPem),
    Buffer.from(signaturePart, 'base64url'),
  );
  if (!signed) return oauthError('invalid_grant', 'Invalid JWT Signature.');

  if (typeof claims.aud !== 'string' || !acceptedAudiences.includes(claims.aud)) {
    return oauthError('invalid_grant', `Invalid JWT: Failed audience check. The expected value was ${GOOGLE_TOKEN_AUDIENCE}`);
  }
  const nowS = Math.floor(nowMs / 1000);
  const iat = typeof claims.iat === 'number' ? claims.iat : NaN;
  const exp = typeof claims.exp === 'number' ? claims.exp : NaN;
  if (!(iat <= nowS + CLOCK_SKEW_S && exp >= nowS - CLOCK_SKEW_S && exp - iat <= 3600)) {
    return oauthError(
      'invalid_grant',
      'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.',
    );
  }
  const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ') : [];
  if (!scopes.some((scope) => ACCEPTED_SCOPES.includes(scope))) {
    return oauthError('invalid_scope', 'Invalid OAuth scope or ID token audience provided.');
  }
  return account;
}

export function issueAccessToken(secret: string, account: ServiceAccountRecord, nowMs: number) {
  const claims: AccessTokenClaims = {
    email: account.email,
    project: account.project,
    exp: Math.floor(nowMs / 1000) + TOKEN_LIFETIME_S,
  };
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const mac = createHmac('sha256', secret).update(payload).digest('base64url');
  return { access_token: `ya29.${payload}.${mac}`, expires_in: TOKEN_LIFETIME_S, token_type: 'Bearer' };
}

/** The claims of a valid, unexpired access token; undefined for anything else. */
export function verifyAccessToken(secret: string, token: string, nowMs: number): AccessTokenClaims | undefined {
  const match = /^ya29\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(token);
  if (!match) return undefined;
  const [, payload, mac] = match as unknown as [string, string, string];
  const expected = createHmac('sha256', secret).update(payload).digest();
  const given = Buffer.from(mac, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const claims = decodeSegment(payload);
  if (!claims || typeof claims.email !== 'string' || typeof claims.project !== 'string' || typeof claims.exp !== 'number') {
    return undefined;
  }
  if (claims.exp * 1000 <= nowMs) return undefined;
  return { email: claims.email, project: claims.project, exp: claims.exp };
}
