// Sign-in through any standard OpenID Connect provider (Entra ID, Okta, Keycloak…), configured from
// the environment. Users are created on first sign-in; their roles follow the IdP's group/role
// claim on every sign-in, through OIDC_ROLE_MAP.
import { z } from 'zod';
import type { Db } from '../db/client';
import type { Role } from '@/generated/prisma/enums';
import { auditContext, recordAudit } from '../audit/record';
import { normalizeEmail } from './credentials';

const ROLE_NAMES = ['requester', 'approver', 'admin'] as const;

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Button label on the sign-in page. */
  displayName: string;
  scope: string;
  /** Claim holding the user's groups or roles (string or string[]), e.g. "groups" or "roles". */
  rolesClaim: string;
  /** IdP group/role value → Skyport role. */
  roleMap: Record<string, Role>;
  /** Roles for users whose claims match nothing in roleMap. */
  defaultRoles: Role[];
}

const envSchema = z.object({
  OIDC_ISSUER: z.string().url('OIDC_ISSUER must be the issuer URL, e.g. https://login.example.com/realms/corp'),
  OIDC_CLIENT_ID: z.string().min(1, 'OIDC_CLIENT_ID is required when OIDC_ISSUER is set'),
  OIDC_CLIENT_SECRET: z.string().min(1, 'OIDC_CLIENT_SECRET is required when OIDC_ISSUER is set'),
  OIDC_DISPLAY_NAME: z.string().min(1).default('Single sign-on'),
  OIDC_SCOPE: z.string().min(1).default('openid email profile'),
  OIDC_ROLES_CLAIM: z.string().min(1).default('groups'),
  OIDC_ROLE_MAP: z.string().default(''),
  OIDC_DEFAULT_ROLES: z.string().default('requester'),
});

function parseRoles(list: string, variable: string): Role[] {
  const roles = list.split(',').map((r) => r.trim()).filter(Boolean);
  for (const role of roles) {
    if (!(ROLE_NAMES as readonly string[]).includes(role)) {
      throw new Error(`${variable}: unknown role "${role}" (use ${ROLE_NAMES.join(', ')})`);
    }
  }
  return roles as Role[];
}

/** OIDC settings from the environment, or null when OIDC_ISSUER is not set. */
export function oidcSettingsFromEnv(env: Record<string, string | undefined>): OidcSettings | null {
  if (!env.OIDC_ISSUER) return null;
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join('; '));
  const e = parsed.data;
  const roleMap: Record<string, Role> = {};
  // "skyport-admins=admin,skyport-approvers=approver"
  for (const pair of e.OIDC_ROLE_MAP.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [claimValue, role] = pair.split('=').map((s) => s.trim());
    if (!claimValue || !role) throw new Error(`OIDC_ROLE_MAP: "${pair}" is not "<group>=<role>"`);
    roleMap[claimValue] = parseRoles(role, 'OIDC_ROLE_MAP')[0]!;
  }
  return {
    issuer: e.OIDC_ISSUER.replace(/\/$/, ''),
    clientId: e.OIDC_CLIENT_ID,
    clientSecret: e.OIDC_CLIENT_SECRET,
    displayName: e.OIDC_DISPLAY_NAME,
    scope: e.OIDC_SCOPE,
    rolesClaim: e.OIDC_ROLES_CLAIM,
    roleMap,
    defaultRoles: parseRoles(e.OIDC_DEFAULT_ROLES, 'OIDC_DEFAULT_ROLES'),
  };
}

export function rolesFromClaims(claims: Record<string, unknown>, settings: OidcSettings): Role[] {
  const raw = claims[settings.rolesClaim];
  const values = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? raw.split(/[ ,]+/) : [];
  const mapped = new Set<Role>();
  for (const value of values) {
    const role = settings.roleMap[value];
    if (role) mapped.add(role);
  }
  const roles = mapped.size ? [...mapped] : [...settings.defaultRoles];
  // Every approver and admin can also request.
  if (!roles.includes('requester')) roles.unshift('requester');
  return roles;
}

export const oidcClaimsSchema = z
  .object({
    sub: z.string().min(1),
    email: z.string().email().optional(),
    email_verified: z.boolean().optional(),
    name: z.string().optional(),
    preferred_username: z.string().optional(),
  })
  .passthrough();

/**
 * Create or update the Skyport user for an OIDC identity. Linked by (issuer, subject); an existing
 * local account is linked by e-mail only when the IdP says the e-mail is verified.
 */
export async function upsertOidcUser(db: Db, claims: Record<string, unknown>, settings: OidcSettings) {
  const parsed = oidcClaimsSchema.parse(claims);
  const email = parsed.email ? normalizeEmail(parsed.email) : `${parsed.sub}@${new URL(settings.issuer).host}`;
  const name = parsed.name ?? parsed.preferred_username ?? email;
  const roles = rolesFromClaims(claims, settings);
  return db.$transaction(async (tx) => {
    let user = await tx.user.findUnique({ where: { oidcIssuer_oidcSubject: { oidcIssuer: settings.issuer, oidcSubject: parsed.sub } } });
    if (!user && parsed.email && parsed.email_verified) {
      const byEmail = await tx.user.findUnique({ where: { email } });
      if (byEmail && !byEmail.oidcSubject) user = byEmail;
    }
    const before = user ? { roles: user.roles, name: user.name } : null;
    const saved = user
      ? await tx.user.update({
          where: { id: user.id },
          data: { name, roles, oidcIssuer: settings.issuer, oidcSubject: parsed.sub, lastLoginAt: new Date() },
        })
      : await tx.user.create({
          data: { email, name, roles, oidcIssuer: settings.issuer, oidcSubject: parsed.sub, lastLoginAt: new Date() },
        });
    const context = auditContext({ type: 'user', id: saved.id, label: saved.email });
    if (!user) {
      await recordAudit(tx, context, { action: 'user.create', targetType: 'user', targetId: saved.id, after: { email, name, roles, via: 'oidc' } });
    }
    await recordAudit(tx, context, {
      action: 'auth.sign_in',
      targetType: 'user',
      targetId: saved.id,
      before,
      after: { method: 'oidc', roles },
    });
    return saved;
  });
}
