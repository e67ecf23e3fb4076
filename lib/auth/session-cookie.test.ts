// The session cookie a real sign-in sets (next-auth's own handler, our options): httpOnly,
// SameSite=Lax, path /, and under https Secure with the __Secure- prefix (issue 11 §4).
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { db as appDb, type Db } from '../db/client';
import { createTestDatabase } from '../testing/db';
import { buildAuthOptions } from './nextauth';
import { hashPassword } from './password';

// next-auth's framework-free core (what its Next route handler calls); not in its "exports" map.
interface SetCookie {
  name: string;
  value: string;
  options: Record<string, unknown>;
}
interface InternalResponse {
  body?: unknown;
  cookies?: SetCookie[];
}
type AuthHandlerFn = (params: { req: Record<string, unknown>; options: ReturnType<typeof buildAuthOptions> }) => Promise<InternalResponse>;
const { AuthHandler } = createRequire(import.meta.url)(path.resolve('node_modules/next-auth/core/index.js')) as { AuthHandler: AuthHandlerFn };

let db: Db;
const saved = { ...process.env };
beforeAll(async () => {
  const test = await createTestDatabase();
  db = test.db;
  // buildAuthOptions' authorize() uses the app's db(); point it at this test database.
  process.env.DATABASE_URL = test.url;
  await db.user.create({ data: { email: 'cookie@test.skyport', name: 'Cookie', passwordHash: await hashPassword('correct horse') } });
});
afterAll(async () => {
  await appDb().$disconnect();
});
afterEach(() => {
  for (const key of ['NEXTAUTH_URL', 'SKYPORT_PUBLIC_URL']) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
});

async function signIn(publicUrl: string) {
  process.env.NEXTAUTH_URL = publicUrl;
  const env = { ...process.env, NEXTAUTH_SECRET: 'session-cookie-test-secret', SKYPORT_PUBLIC_URL: publicUrl };
  const options = buildAuthOptions(env);
  const host = new URL(publicUrl).host;
  const csrf = await AuthHandler({ req: { action: 'csrf', method: 'GET', headers: { host }, cookies: {} }, options });
  const csrfCookie = csrf.cookies?.find((c) => c.name.endsWith('next-auth.csrf-token'));
  expect(csrfCookie).toBeDefined();
  const csrfToken = (csrf.body as { csrfToken: string }).csrfToken;
  const result = await AuthHandler({
    req: {
      action: 'callback',
      providerId: 'credentials',
      method: 'POST',
      headers: { host, 'content-type': 'application/x-www-form-urlencoded' },
      cookies: { [csrfCookie!.name]: csrfCookie!.value },
      body: { csrfToken, email: 'cookie@test.skyport', password: 'correct horse', json: 'true' },
    },
    options,
  });
  const session = result.cookies?.find((c) => c.name.endsWith('next-auth.session-token'));
  expect(session, `sign-in did not set a session cookie: ${JSON.stringify(result).slice(0, 300)}`).toBeDefined();
  return session!;
}

describe('session cookie flags', () => {
  it('over http: next-auth.session-token, httpOnly, SameSite=Lax, not Secure', async () => {
    const cookie = await signIn('http://localhost:3000');
    expect(cookie.name).toBe('next-auth.session-token');
    expect(cookie.value.length).toBeGreaterThan(20);
    expect(cookie.options).toMatchObject({ httpOnly: true, sameSite: 'lax', path: '/', secure: false });
  });

  it('over https: __Secure-next-auth.session-token, httpOnly, SameSite=Lax, Secure', async () => {
    const cookie = await signIn('https://skyport.example.com');
    expect(cookie.name).toBe('__Secure-next-auth.session-token');
    expect(cookie.options).toMatchObject({ httpOnly: true, sameSite: 'lax', path: '/', secure: true });
  });
});
