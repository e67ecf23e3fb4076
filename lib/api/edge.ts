// What the Next.js proxy (proxy.ts) does before any route runs: refuse paths Next cannot decode
// (it would answer a 500 text/plain page), and give every page a fresh CSP nonce. Kept free of
// server-only imports so the proxy bundle stays small, and framework-free so tests call it directly.
const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** True when every segment of the path decodes (Next decodes dynamic segments and throws on %ZZ). */
export function isDecodablePath(pathname: string): boolean {
  try {
    for (const segment of pathname.split('/')) decodeURIComponent(segment);
    return true;
  } catch {
    return false;
  }
}

export function malformedPathResponse(pathname: string, requestId: string): Response {
  const problem = {
    type: 'https://skyport.dev/problems/validation-error',
    title: 'Invalid request',
    status: 400,
    detail: 'The URL path has malformed percent-encoding (e.g. "%ZZ").',
    instance: pathname.slice(0, 2000),
    requestId,
    errors: [{ field: 'path', message: 'Malformed percent-encoding in the URL path.' }],
  };
  return new Response(JSON.stringify(problem), {
    status: 400,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, 'cache-control': 'no-store', 'x-request-id': requestId },
  });
}

export interface CspOptions {
  nonce: string;
  /** `next dev` needs eval (React's debug stacks) and inline styles from the dev overlay. */
  development: boolean;
  /** Upgrade http subresources only where the site itself is served over https. */
  https: boolean;
  /** Extra origins a form may post / redirect to (the OIDC issuer). */
  formActions?: string[];
}

/** A strict CSP (nonce + strict-dynamic, no unsafe-eval outside development). */
export function contentSecurityPolicy(options: CspOptions): string {
  const { nonce, development } = options;
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ''}`,
    development ? "style-src 'self' 'unsafe-inline'" : `style-src 'self' 'nonce-${nonce}'`,
    // React renders style="" attributes (charts, progress bars); attributes cannot run script.
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self' data:",
    `connect-src 'self'${development ? ' ws: wss:' : ''}`,
    "object-src 'none'",
    "base-uri 'self'",
    `form-action 'self'${(options.formActions ?? []).map((o) => ` ${o}`).join('')}`,
    "frame-ancestors 'none'",
    ...(options.https ? ['upgrade-insecure-requests'] : []),
  ];
  return directives.join('; ');
}

export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}
