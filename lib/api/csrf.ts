// Cross-site request forgery defence for cookie-authenticated API writes. A browser attaches the
// session cookie to any request it sends to us, even one a page on another origin (another port on
// this host, a sibling subdomain) makes; SameSite=Lax does not stop those. So a write authenticated
// by the cookie must (1) come from our own origin, as the browser's Origin or Sec-Fetch-Site header
// says, and (2) carry exactly application/json (or multipart/form-data for a declared upload): a
// cross-site page can only send those with a CORS preflight, which we never grant. Bearer-token
// calls need neither: a browser never attaches a token by itself.
import { ForbiddenError, ValidationError } from '../errors';

export type BodyType = 'json' | 'multipart';

/** The origin users reach Skyport at (SKYPORT_PUBLIC_URL; start.ts also exports it as NEXTAUTH_URL). */
export function publicOrigin(env: Record<string, string | undefined> = process.env): string {
  const configured = env.SKYPORT_PUBLIC_URL ?? env.NEXTAUTH_URL ?? `http://localhost:${env.PORT ?? 3000}`;
  try {
    return new URL(configured).origin;
  } catch {
    return 'http://localhost:3000';
  }
}

/** The media type of a Content-Type header without parameters, lower-cased ('' when absent). */
export function mediaType(contentType: string | null): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

export const MEDIA_TYPES: Record<BodyType, string> = { json: 'application/json', multipart: 'multipart/form-data' };

export class UnsupportedMediaTypeError extends ValidationError {
  override readonly status = 415;
  constructor(expected: string) {
    super([{ field: '(body)', message: `Send the body with Content-Type: ${expected}.` }], `Unsupported Content-Type: send ${expected}.`);
  }
}

/** Throws ForbiddenError (403) unless the request provably comes from our own origin. */
export function assertSameOrigin(headers: Headers, origin: string = publicOrigin()): void {
  const sent = headers.get('origin');
  if (sent !== null) {
    if (sent === origin) return;
    throw new ForbiddenError(`Cross-origin request refused: Origin ${sent.slice(0, 200)} is not ${origin}.`);
  }
  if (headers.get('sec-fetch-site') === 'same-origin') return;
  throw new ForbiddenError(`Cookie-authenticated writes must come from ${origin} (send an Origin header), or use an API token.`);
}

/**
 * The whole CSRF rule for one cookie-authenticated write. POST is the method a cross-site <form>
 * (or a "simple" fetch) can send, so a POST must declare the exact media type even without a body;
 * PUT/PATCH/DELETE always need a CORS preflight cross-site, so for them only a declared type is checked.
 */
export function assertSessionWriteAllowed(headers: Headers, method: string, bodyType: BodyType = 'json', origin: string = publicOrigin()): void {
  assertSameOrigin(headers, origin);
  const expected = MEDIA_TYPES[bodyType];
  const sent = headers.get('content-type');
  if ((method === 'POST' || sent !== null) && mediaType(sent) !== expected) throw new UnsupportedMediaTypeError(expected);
}
