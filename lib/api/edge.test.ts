// The proxy (proxy.ts) called directly: malformed percent-encoding → 400 problem+json before Next
// would answer its 500 text/plain page; pages get a fresh nonce CSP without unsafe-eval.
import { NextRequest } from 'next/server';
import { describe, expect, it } from 'vitest';
import { proxy } from '@/proxy';
import { contentSecurityPolicy, isDecodablePath } from './edge';

describe('malformed percent-encoding in the path', () => {
  it.each(['/api/v1/users/%ZZ', '/api/v1/projects/%E0%A4%A/members', '/inventory/%', '/api/v1/me/tokens/%C0%AF'])('%s → 400 problem+json naming the path', async (path) => {
    const response = proxy(new NextRequest(`http://localhost${path}`));
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    const problem = (await response.json()) as { status: number; errors: { field: string }[] };
    expect(problem.status).toBe(400);
    expect(problem.errors[0]?.field).toBe('path');
  });

  it('well-formed paths pass through (including encoded ones)', () => {
    for (const path of ['/api/v1/users/abc', '/api/v1/users/a%20b', '/catalog']) {
      expect(isDecodablePath(path)).toBe(true);
      expect(proxy(new NextRequest(`http://localhost${path}`)).status).toBe(200);
    }
  });
});

describe('Content-Security-Policy', () => {
  it('pages get a strict nonce CSP, a new nonce per request, set on the request for Next and on the response', () => {
    const first = proxy(new NextRequest('http://localhost/catalog'));
    const second = proxy(new NextRequest('http://localhost/catalog'));
    const csp = first.headers.get('content-security-policy') ?? '';
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(second.headers.get('content-security-policy')).not.toContain(nonce);
    expect(csp).toContain("script-src 'self' 'nonce-");
    expect(csp).toContain("'strict-dynamic'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    // NextResponse.next({ request: { headers } }) forwards overridden request headers this way.
    expect(first.headers.get('x-middleware-request-content-security-policy')).toBe(csp);
    expect(first.headers.get('x-middleware-request-x-nonce')).toBe(nonce);
  });

  it('API routes get no page CSP (they are JSON)', () => {
    expect(proxy(new NextRequest('http://localhost/api/v1/me')).headers.get('content-security-policy')).toBeNull();
  });

  it('unsafe-eval only in development; upgrade-insecure-requests only over https', () => {
    expect(contentSecurityPolicy({ nonce: 'n', development: true, https: false })).toContain("'unsafe-eval'");
    expect(contentSecurityPolicy({ nonce: 'n', development: false, https: false })).not.toContain('upgrade-insecure-requests');
    expect(contentSecurityPolicy({ nonce: 'n', development: false, https: true })).toContain('upgrade-insecure-requests');
    expect(contentSecurityPolicy({ nonce: 'n', development: false, https: false, formActions: ['https://idp.example'] })).toContain("form-action 'self' https://idp.example");
  });
});
