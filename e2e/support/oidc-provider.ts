// A real OpenID Connect provider (npm `oidc-provider`) for the browser tests, on plain-http
// loopback. It uses the library's built-in development interactions: a login form that accepts any
// login/password, then a consent screen. Every login becomes an account whose `groups` claim maps
// to a Skyport role through OIDC_ROLE_MAP (see global-setup.ts).
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Configuration } from 'oidc-provider';

export const OIDC_CLIENT_ID = 'skyport-e2e';
export const OIDC_CLIENT_SECRET = 'skyport-e2e-client-secret-0123456789';

/** Test accounts by login; any other login is a plain member of no group. */
export const OIDC_ACCOUNTS: Record<string, { email: string; name: string; groups: string[] }> = {
  'oidc-admin': { email: 'oidc-admin@idp.example', name: 'Olive OIDC-Admin', groups: ['skyport-admins'] },
  'oidc-approver': { email: 'oidc-approver@idp.example', name: 'Oscar OIDC-Approver', groups: ['skyport-approvers'] },
};

export interface RunningOidcProvider {
  issuer: string;
  port: number;
  close(): Promise<void>;
}

export async function startOidcProvider(options: { port?: number; redirectUris: string[] }): Promise<RunningOidcProvider> {
  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://localhost:${port}`;

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'e2e-rs256', alg: 'RS256', use: 'sig' };

  const configuration: Configuration = {
    clients: [
      {
        client_id: OIDC_CLIENT_ID,
        client_secret: OIDC_CLIENT_SECRET,
        application_type: 'web',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: options.redirectUris,
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: ['skyport-e2e-cookie-key-0123456789abcdef'] },
    pkce: { required: () => true },
    // Put the scope's claims into the ID token too: next-auth reads the profile from it.
    conformIdTokenClaims: false,
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'groups'],
    },
    features: { devInteractions: { enabled: true } },
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, AuthorizationCode: 60, IdToken: 600 },
    async findAccount(_ctx, id) {
      const known = OIDC_ACCOUNTS[id];
      const account = known ?? { email: `${id}@idp.example`, name: id, groups: [] };
      return {
        accountId: id,
        async claims() {
          return { sub: id, email: account.email, email_verified: true, name: account.name, groups: account.groups };
        },
      };
    },
  };

  const provider = new Provider(issuer, configuration);
  server.on('request', provider.callback());
  return {
    issuer,
    port,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
