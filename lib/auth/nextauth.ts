// next-auth (v4) configuration: local accounts (credentials provider "credentials", fields
// `email` and `password`) and, when configured, one OIDC provider ("oidc"). Sessions are signed,
// encrypted JWT cookies (httpOnly, SameSite=Lax, Secure whenever the portal is served over https)
// carrying only the user id; roles and memberships are read fresh per request (principal.ts).
import type { AuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import type { OAuthConfig } from 'next-auth/providers/oauth';
import { z } from 'zod';
import { db } from '../db/client';
import { verifyCredentials } from './credentials';
import { oidcSettingsFromEnv, upsertOidcUser, type OidcSettings } from './oidc';

export const SESSION_MAX_AGE_SECONDS = 8 * 60 * 60;

const credentialsSchema = z.object({
  email: z.string().trim().min(1).max(320),
  password: z.string().min(1).max(1024),
});

/** Thrown from authorize(); next-auth passes the message to the sign-in page as ?error=. */
export const LOCKED_ERROR_PREFIX = 'locked:';

function oidcProvider(settings: OidcSettings): OAuthConfig<Record<string, unknown>> {
  return {
    id: 'oidc',
    name: settings.displayName,
    type: 'oauth',
    wellKnown: `${settings.issuer}/.well-known/openid-configuration`,
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    authorization: { params: { scope: settings.scope } },
    idToken: true,
    checks: ['pkce', 'state', 'nonce'],
    async profile(claims) {
      const user = await upsertOidcUser(db(), claims, settings);
      return { id: user.id, email: user.email, name: user.name };
    },
  };
}

export function buildAuthOptions(env: NodeJS.ProcessEnv = process.env): AuthOptions {
  const oidc = oidcSettingsFromEnv(env);
  // Decided here from the public URL rather than left to next-auth's guess, and tested
  // (session-cookie.test.ts): under https the cookie is `__Secure-` prefixed and Secure.
  const publicUrl = env.SKYPORT_PUBLIC_URL ?? env.NEXTAUTH_URL ?? '';
  return {
    secret: env.NEXTAUTH_SECRET,
    useSecureCookies: publicUrl.startsWith('https://'),
    session: { strategy: 'jwt', maxAge: SESSION_MAX_AGE_SECONDS },
    pages: { signIn: '/signin', error: '/signin' },
    providers: [
      CredentialsProvider({
        id: 'credentials',
        name: 'Email and password',
        credentials: {
          email: { label: 'Email', type: 'email' },
          password: { label: 'Password', type: 'password' },
        },
        async authorize(raw, req) {
          const parsed = credentialsSchema.safeParse(raw);
          if (!parsed.success) return null;
          const forwarded = req?.headers?.['x-forwarded-for'];
          const ip = typeof forwarded === 'string' ? forwarded.split(',')[0]?.trim() : undefined;
          const result = await verifyCredentials(db(), { ...parsed.data, ip });
          if (result.ok) {
            const user = await db().user.findUniqueOrThrow({ where: { id: result.userId } });
            return { id: user.id, email: user.email, name: user.name };
          }
          if (result.reason === 'locked') throw new Error(`${LOCKED_ERROR_PREFIX}${result.retryAfterSeconds}`);
          return null;
        },
      }),
      ...(oidc ? [oidcProvider(oidc)] : []),
    ],
    callbacks: {
      async signIn({ user }) {
        const found = await db().user.findUnique({ where: { id: user.id } });
        return found?.status === 'active';
      },
      async jwt({ token, user }) {
        if (user) token.sub = user.id;
        return token;
      },
      async session({ session, token }) {
        if (session.user && token.sub) (session.user as { id?: string }).id = token.sub;
        return session;
      },
    },
    events: {},
  };
}

export function isOidcConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.OIDC_ISSUER);
}

export function oidcDisplayName(env: NodeJS.ProcessEnv = process.env): string {
  return env.OIDC_DISPLAY_NAME ?? 'Single sign-on';
}
