// A real next-auth session cookie for tests (the same encrypted JWT the sign-in sets), so tests can
// call routes and server actions as a signed-in browser, not only with Bearer tokens.
import { encode } from 'next-auth/jwt';

export const TEST_NEXTAUTH_SECRET = 'test-nextauth-secret-for-skyport-unit-tests';

/** Sets NEXTAUTH_SECRET for this test process (idempotent) and returns it. */
export function useTestSessionSecret(): string {
  process.env.NEXTAUTH_SECRET ??= TEST_NEXTAUTH_SECRET;
  return process.env.NEXTAUTH_SECRET;
}

/** `Cookie` header value of a session for `userId` (http: next-auth.session-token). */
export async function sessionCookie(userId: string): Promise<string> {
  const secret = useTestSessionSecret();
  const value = await encode({ token: { sub: userId }, secret });
  return `next-auth.session-token=${value}`;
}
