// Next.js proxy (formerly middleware): runs before every route. See lib/api/edge.ts.
import { NextResponse, type NextRequest } from 'next/server';
import { contentSecurityPolicy, isDecodablePath, malformedPathResponse, newNonce } from '@/lib/api/edge';

function originOf(url: string | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

export function proxy(request: NextRequest): Response {
  const pathname = request.nextUrl.pathname;
  if (!isDecodablePath(pathname)) {
    return malformedPathResponse(pathname, request.headers.get('x-request-id')?.slice(0, 100) || crypto.randomUUID());
  }
  // API answers are JSON, not documents: they need no CSP nonce (handle() sets their headers).
  if (pathname.startsWith('/api/')) return NextResponse.next();

  const nonce = newNonce();
  const publicUrl = process.env.SKYPORT_PUBLIC_URL ?? process.env.NEXTAUTH_URL ?? request.nextUrl.origin;
  const issuer = originOf(process.env.OIDC_ISSUER);
  const csp = contentSecurityPolicy({
    nonce,
    development: process.env.NODE_ENV === 'development',
    https: publicUrl.startsWith('https:'),
    formActions: issuer ? [issuer] : [],
  });
  // Next reads the nonce from the request's CSP header and puts it on its own scripts and styles.
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('x-nonce', nonce);
  requestHeaders.set('content-security-policy', csp);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('content-security-policy', csp);
  return response;
}

export const config = {
  matcher: [
    {
      // Not the cost upload: Next buffers a request body in memory to hand it to the proxy (and
      // cuts it at 10 MB); importCosts streams its multipart body to disk itself (lib/billing/multipart.ts).
      source: '/((?!_next/static|_next/image|favicon.ico|api/v1/costs/imports/?$).*)',
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
};
