// A small Entra ID (Azure AD) v2.0 endpoint: OpenID discovery + client-credentials token grant.
// Tokens are HS256 JWTs signed with a per-process key, so only tokens minted here pass ARM checks.
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import {
  invalidClientSecret,
  invalidScope,
  tenantNotFound,
  unknownApplication,
  type EntraErrorResponse,
} from './cloud-errors';

export interface EntraApplication {
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

export interface AccessTokenClaims {
  aud: string;
  iss: string;
  iat: number;
  nbf: number;
  exp: number;
  appid: string;
  tid: string;
  oid: string;
  sub: string;
  idtyp: 'app';
  ver: '1.0';
}

const TOKEN_LIFETIME_S = 3599;
/** Audiences ARM accepts (the `.default` scope of either resource URI). */
const ARM_RESOURCES = ['https://management.azure.com', 'https://management.core.windows.net'];

function base64url(input: Buffer | string): string {
  return Buffer.from(input).toString('base64url');
}

export class EntraDirectory {
  private readonly signingKey = randomBytes(32);

  constructor(private readonly apps: EntraApplication[]) {}

  knowsTenant(tenantId: string): boolean {
    return this.apps.some((a) => a.tenantId.toLowerCase() === tenantId.toLowerCase());
  }

  openIdConfiguration(baseUrl: string, tenantId: string) {
    const authority = `${baseUrl}/${tenantId}`;
    return {
      token_endpoint: `${authority}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${baseUrl}/${tenantId}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${authority}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${baseUrl}/oidc/userinfo`,
      authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${authority}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${authority}/oauth2/v2.0/logout`,
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'tid', 'ver', 'at_hash', 'c_hash'],
      tenant_region_scope: 'NA',
      cloud_instance_name: 'microsoftonline.com',
      cloud_graph_host_name: 'graph.windows.net',
      msgraph_host: 'graph.microsoft.com',
      rbac_url: 'https://pas.windows.net',
    };
  }

  /** Instance discovery (`/common/discovery/instance`), for clients that do not skip it. */
  instanceDiscovery(baseUrl: string, tenantId: string) {
    const host = new URL(baseUrl).host;
    return {
      tenant_discovery_endpoint: `${baseUrl}/${tenantId}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    };
  }

  /** The client-credentials grant: `grant_type=client_credentials` + client_id/client_secret + scope. */
  issueToken(
    tenantId: string,
    form: URLSearchParams,
  ): { status: 200; body: Record<string, unknown> } | EntraErrorResponse {
    if (!this.knowsTenant(tenantId)) return tenantNotFound(tenantId);
    const clientId = form.get('client_id') ?? '';
    const app = this.apps.find(
      (a) => a.tenantId.toLowerCase() === tenantId.toLowerCase() && a.clientId.toLowerCase() === clientId.toLowerCase(),
    );
    if (!app) return unknownApplication(clientId, tenantId);
    const secret = form.get('client_secret') ?? '';
    if (!sameSecret(secret, app.clientSecret)) return invalidClientSecret(app.clientId);
    const scopes = (form.get('scope') ?? '').split(' ').filter((s) => s.length > 0 && !['openid', 'profile', 'offline_access'].includes(s));
    const scope = scopes[0] ?? '';
    const resource = scope.replace(/\/?\.default$/, '');
    if (!scope.endsWith('/.default') || !ARM_RESOURCES.includes(resource.replace(/\/$/, ''))) return invalidScope(scope);
    const now = Math.floor(Date.now() / 1000);
    const claims: AccessTokenClaims = {
      aud: `${resource.replace(/\/$/, '')}/`,
      iss: `https://sts.windows.net/${app.tenantId}/`,
      iat: now,
      nbf: now,
      exp: now + TOKEN_LIFETIME_S,
      appid: app.clientId,
      tid: app.tenantId,
      oid: randomUUID(),
      sub: app.clientId,
      idtyp: 'app',
      ver: '1.0',
    };
    return {
      status: 200,
      body: {
        token_type: 'Bearer',
        expires_in: TOKEN_LIFETIME_S,
        ext_expires_in: TOKEN_LIFETIME_S,
        access_token: this.sign(claims),
      },
    };
  }

  private sign(claims: AccessTokenClaims): string {
    const header = base64url(JSON.stringify({ typ: 'JWT', alg: 'HS256', kid: 'skyport-emulator' }));
    const payload = base64url(JSON.stringify(claims));
    const signature = createHmac('sha256', this.signingKey).update(`${header}.${payload}`).digest('base64url');
    return `${header}.${payload}.${signature}`;
  }

  /** Verify a bearer token minted here; returns its claims or null. */
  verify(token: string): AccessTokenClaims | null {
    const parts = token.split('.');
    if (parts.length !== 3) return null;
    const [header, payload, signature] = parts as [string, string, string];
    const expected = createHmac('sha256', this.signingKey).update(`${header}.${payload}`).digest();
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    let claims: AccessTokenClaims;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as AccessTokenClaims;
    } catch {
      return null;
    }
    if (claims.exp * 1000 < Date.now()) return null;
    return claims;
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
