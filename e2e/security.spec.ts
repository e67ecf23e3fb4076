// Security headers and the CSRF rule in a real browser against the production server (issue 10
// defects 3, 6, 7): every page renders and hydrates under the nonce CSP with no violation; the
// malformed-path, CSRF and no-store behaviour hold on the real server, not only in unit tests.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { signInAs } from './support/helpers';

const APP = path.resolve(import.meta.dirname, '../app');

/** Every page route of the app: static ones, and dynamic ones ("/admin/users/[userId]") as patterns. */
function pageRoutes(dir = APP, prefix = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isFile()) return entry.name === 'page.tsx' ? [prefix || '/'] : [];
    if (!entry.isDirectory() || entry.name.startsWith('_') || entry.name === 'api') return [];
    const segment = /^\(.*\)$/.test(entry.name) ? '' : `/${entry.name}`;
    return pageRoutes(path.join(dir, entry.name), prefix + segment);
  });
}

async function collectViolations(page: Page): Promise<string[]> {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to (load|execute|apply|connect|evaluate)/i.test(message.text())) violations.push(message.text());
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const store = ((window as unknown as { __csp?: string[] }).__csp ??= []);
      store.push(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  return violations;
}

test('every page renders and hydrates under a nonce CSP with no violation', async ({ page }) => {
  test.setTimeout(300_000);
  const consoleViolations = await collectViolations(page);
  await signInAs(page, 'admin');
  const routes = pageRoutes().filter((r) => r !== '/' && r !== '/signin');
  const visited: string[] = [];
  const problems: string[] = [];
  for (const route of routes) {
    let url = route;
    if (route.includes('[')) {
      // A dynamic page: open the first matching link on its parent list page.
      const parent = route.slice(0, route.lastIndexOf('/'));
      if (parent.includes('[')) continue;
      await page.goto(parent);
      const pattern = new RegExp(`^${parent.replaceAll('/', '\\/')}\\/(?!new$)[^/?#]+$`);
      const hrefs = await page.locator(`a[href^="${parent}/"]`).evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''));
      const href = hrefs.find((h) => pattern.test(h));
      if (!href) continue;
      url = href;
    }
    const response = await page.goto(url);
    const status = response?.status() ?? 0;
    const csp = response?.headers()['content-security-policy'] ?? '';
    if (status >= 400) problems.push(`${url}: HTTP ${status}`);
    if (!/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/.test(csp) || csp.includes('unsafe-eval')) problems.push(`${url}: CSP ${csp}`);
    // React hydrated the page (its scripts ran under the CSP): an element carries React's props.
    const hydrated = await page
      .waitForFunction(() => [...document.querySelectorAll('a,button')].some((el) => Object.keys(el).some((k) => k.startsWith('__reactProps$'))), undefined, { timeout: 15_000 })
      .then(() => true, () => false);
    if (!hydrated) problems.push(`${url}: not hydrated`);
    const violations = await page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []);
    if (violations.length) problems.push(`${url}: CSP violations ${violations.join(', ')}`);
    visited.push(url);
  }
  // Every page is checked before failing, so one run lists every page that breaks.
  expect(problems).toEqual([]);
  expect(visited.length).toBeGreaterThanOrEqual(routes.filter((r) => !r.includes('[')).length);
  expect(consoleViolations).toEqual([]);
});

test('malformed percent-encoding answers 400 problem+json; authenticated API answers are no-store', async ({ page, request }) => {
  const malformed = await request.get('/api/v1/users/%ZZ');
  expect(malformed.status()).toBe(400);
  expect(malformed.headers()['content-type']).toBe('application/problem+json');
  expect(((await malformed.json()) as { errors: { field: string }[] }).errors[0]?.field).toBe('path');
  await signInAs(page, 'admin');
  const me = await page.request.get('/api/v1/me');
  expect(me.status()).toBe(200);
  expect(me.headers()['cache-control']).toBe('no-store');
});

test('cookie-authenticated API writes: same-origin JSON passes, other content types and origins are refused', async ({ page }) => {
  await signInAs(page, 'admin');
  await page.goto('/profile');
  const statuses = await page.evaluate(async () => {
    const post = (headers: Record<string, string>, body: string) => fetch('/api/v1/me/tokens', { method: 'POST', headers, body }).then((r) => r.status);
    return {
      json: await post({ 'content-type': 'application/json' }, JSON.stringify({ name: 'e2e-csrf', scopes: ['read'], expiresInDays: 1 })),
      textPlain: await post({ 'content-type': 'text/plain;charset=json' }, JSON.stringify({ name: 'e2e-csrf-2', scopes: ['read'] })),
    };
  });
  expect(statuses).toEqual({ json: 201, textPlain: 415 });
  // The same cookie from another origin (Playwright's request context sends the cookie, and this Origin).
  const crossSite = await page.request.post('/api/v1/me/tokens', {
    headers: { origin: 'http://evil.example', 'content-type': 'application/json' },
    data: { name: 'e2e-csrf-3', scopes: ['read'] },
  });
  expect(crossSite.status()).toBe(403);
});
