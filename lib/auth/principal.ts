import type { Actor } from '../audit/record';
import type { Db } from '../db/client';
import type { ProjectRole, Role } from '@/generated/prisma/enums';

/** Who is acting: a signed-in user, or a user acting through one of their API tokens. */
export interface Principal {
  via: 'session' | 'api_token';
  userId: string;
  email: string;
  name: string;
  roles: Role[];
  /** Project id → the user's role in it. Scopes what a requester sees. */
  projects: Record<string, ProjectRole>;
  /** Set when via = api_token. */
  tokenId?: string;
  scopes?: string[];
}

/**
 * Load a principal fresh from the database on every request, so role changes, membership changes
 * and disabled accounts take effect immediately (the session cookie only carries the user id).
 */
export async function loadPrincipal(
  db: Db,
  userId: string,
  via: Principal['via'],
  token?: { id: string; scopes: string[] },
): Promise<Principal | null> {
  const user = await db.user.findUnique({
    where: { id: userId },
    include: { memberships: { select: { projectId: true, role: true } } },
  });
  if (!user || user.status !== 'active') return null;
  return {
    via,
    userId: user.id,
    email: user.email,
    name: user.name,
    roles: user.roles,
    projects: Object.fromEntries(user.memberships.map((m) => [m.projectId, m.role])),
    tokenId: token?.id,
    scopes: token?.scopes,
  };
}

/** The audit actor for a principal. Lives here (not in lib/audit) so imports run auth → audit only. */
export function actorOf(principal: Principal): Actor {
  return principal.via === 'api_token'
    ? { type: 'api_token', id: principal.userId, label: `${principal.email} (token ${principal.tokenId ?? '?'})` }
    : { type: 'user', id: principal.userId, label: principal.email };
}
