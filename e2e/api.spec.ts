import { expect, test } from '@playwright/test';

interface OpenApiDocument {
  paths: Record<string, Record<string, { operationId: string; security?: unknown[] }>>;
}

test('anonymous API calls get 401 problem+json', async ({ request }) => {
  const document = (await (await request.get('/api/v1/openapi.json')).json()) as OpenApiDocument;
  // Every protected GET without path parameters, called without a session or token.
  const protectedGets = Object.entries(document.paths)
    .filter(([path, methods]) => !path.includes('{') && methods.get && !methods.get.security)
    .map(([path]) => path);
  expect(protectedGets.length, 'the API has protected operations').toBeGreaterThan(0);

  for (const path of protectedGets) {
    const response = await request.get(path, { maxRedirects: 0 });
    expect(response.status(), path).toBe(401);
    expect(response.headers()['content-type'], path).toContain('application/problem+json');
    const problem = (await response.json()) as { status: number; title: string; type: string; detail: string };
    expect(problem.status).toBe(401);
    expect(problem.type).toMatch(/^https?:\/\//);
    expect(problem.title).toBeTruthy();
  }

  // A bogus bearer token is refused the same way.
  const withToken = await request.get(protectedGets[0]!, { headers: { authorization: 'Bearer skp_not-a-real-token' } });
  expect(withToken.status()).toBe(401);
  expect(withToken.headers()['content-type']).toContain('application/problem+json');
});
