// The caller as the UI and API clients see it: identity, roles, projects and the navigation items
// (and capabilities) its roles and token scopes allow.
import { z } from 'zod';
import { ADMIN_NAVIGATION, CAPABILITIES, can, navigationFor, type Capability } from '../auth/permissions';
import type { Principal } from '../auth/principal';
import type { Db } from '../db/client';
import { ROLES } from './schemas';

const navItemSchema = z.object({ href: z.string(), label: z.string() });

export const currentUserSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  roles: z.array(z.enum(ROLES)),
  via: z.enum(['session', 'api_token']),
  /** Scopes of the API token in use (only when via = api_token). */
  scopes: z.array(z.string()).optional(),
  projects: z.array(
    z.object({ id: z.string(), key: z.string(), name: z.string(), role: z.enum(['member', 'approver', 'owner']), archived: z.boolean() }),
  ),
  capabilities: z.array(z.string()),
  navigation: z.array(navItemSchema),
  adminNavigation: z.array(navItemSchema),
});
export type CurrentUser = z.infer<typeof currentUserSchema>;

export async function describePrincipal(db: Db, principal: Principal): Promise<CurrentUser> {
  const ids = Object.keys(principal.projects);
  const projects = ids.length
    ? await db.project.findMany({ where: { id: { in: ids } }, select: { id: true, key: true, name: true, archivedAt: true }, orderBy: { name: 'asc' } })
    : [];
  const nav = (items: ReturnType<typeof navigationFor>) => items.map(({ href, label }) => ({ href, label }));
  return {
    id: principal.userId,
    email: principal.email,
    name: principal.name,
    roles: principal.roles,
    via: principal.via,
    ...(principal.via === 'api_token' ? { scopes: principal.scopes ?? [] } : {}),
    projects: projects.map((p) => ({ id: p.id, key: p.key, name: p.name, role: principal.projects[p.id]!, archived: p.archivedAt !== null })),
    capabilities: (Object.keys(CAPABILITIES) as Capability[]).filter((c) => can(principal, c)),
    navigation: nav(navigationFor(principal)),
    adminNavigation: nav(navigationFor(principal, ADMIN_NAVIGATION)),
  };
}
