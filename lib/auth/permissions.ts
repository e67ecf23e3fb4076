// Authorization in one place. Every route handler, server action and page asks these functions;
// nothing else decides who may do what.
import { ForbiddenError } from '../errors';
import type { Principal } from './principal';
import type { Role } from '@/generated/prisma/enums';

/** Global capabilities and the roles that hold them. */
export const CAPABILITIES = {
  'catalog:read': ['requester', 'approver', 'admin'],
  'request:create': ['requester', 'approver', 'admin'],
  'request:read-own': ['requester', 'approver', 'admin'],
  'approval:decide': ['approver', 'admin'],
  'inventory:read': ['requester', 'approver', 'admin'],
  /** Claim an unmanaged VM / re-apply a VM's tags; lib/inventory then requires admin or the project's owner. */
  'inventory:claim': ['requester', 'approver', 'admin'],
  /** engine: day-2 actions, lease extension, retrying a failed request item; lib/vms then requires owner, project owner or admin. */
  'vm:operate': ['requester', 'approver', 'admin'],
  /** engine: the admin jobs page, retry/cancel of any job. */
  'admin:jobs': ['admin'],
  'cost:read': ['admin'],
  /** billing: the cost explorer scoped to the projects one owns (admins: everything, via lib/billing/scope.ts). */
  'cost:read-own': ['requester', 'approver', 'admin'],
  'cost:import': ['admin'],
  'budget:manage': ['admin'],
  'audit:read': ['admin'],
  'admin:projects': ['admin'],
  'admin:users': ['admin'],
  'admin:provider-accounts': ['admin'],
  'admin:policies': ['admin'],
  'admin:catalog': ['admin'],
  'admin:prices': ['admin'],
  'token:manage-own': ['requester', 'approver', 'admin'],
  /** Reaching member management at all; lib/projects then requires admin or the project's owner. */
  'project:manage-members': ['requester', 'approver', 'admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Capability = keyof typeof CAPABILITIES;

/** Capabilities an API token may use for each of its scopes. */
const READ_ONLY_CAPABILITIES: ReadonlySet<Capability> = new Set<Capability>([
  'catalog:read',
  'request:read-own',
  'inventory:read',
  'cost:read',
  'cost:read-own',
  'audit:read',
]);

export function hasRole(principal: Principal, role: Role): boolean {
  return principal.roles.includes(role);
}

export function isAdmin(principal: Principal): boolean {
  return hasRole(principal, 'admin');
}

export function can(principal: Principal, capability: Capability): boolean {
  const allowed: readonly Role[] = CAPABILITIES[capability];
  if (!principal.roles.some((role) => allowed.includes(role))) return false;
  if (principal.via === 'api_token') {
    const scopes = principal.scopes ?? [];
    if (scopes.includes('write')) return true;
    return scopes.includes('read') && READ_ONLY_CAPABILITIES.has(capability);
  }
  return true;
}

export function assertCan(principal: Principal, capability: Capability): void {
  if (!can(principal, capability)) {
    throw new ForbiddenError(
      principal.via === 'api_token' && principal.roles.some((r) => (CAPABILITIES[capability] as readonly Role[]).includes(r))
        ? `This API token's scopes do not allow ${capability}.`
        : `Your role does not allow ${capability}.`,
    );
  }
}

/** Admins see every project; everyone else only the projects they are members of. */
export function canAccessProject(principal: Principal, projectId: string): boolean {
  return isAdmin(principal) || projectId in principal.projects;
}

export function assertProjectAccess(principal: Principal, projectId: string): void {
  if (!canAccessProject(principal, projectId)) throw new ForbiddenError('You are not a member of this project.');
}

/** Prisma `where` fragment limiting rows with a projectId to the principal's projects. */
export function projectScope(principal: Principal): { projectId?: { in: string[] } } {
  return isAdmin(principal) ? {} : { projectId: { in: Object.keys(principal.projects) } };
}

export interface NavItem {
  href: string;
  label: string;
  capability: Capability;
}

export const NAVIGATION: readonly NavItem[] = [
  { href: '/catalog', label: 'Catalog', capability: 'catalog:read' },
  { href: '/requests', label: 'My requests', capability: 'request:read-own' },
  { href: '/approvals', label: 'Approvals', capability: 'approval:decide' },
  { href: '/inventory', label: 'Inventory', capability: 'inventory:read' },
  { href: '/costs', label: 'Costs', capability: 'cost:read' },
  { href: '/admin', label: 'Admin', capability: 'admin:projects' },
];

export const ADMIN_NAVIGATION: readonly NavItem[] = [
  { href: '/admin/projects', label: 'Projects', capability: 'admin:projects' },
  { href: '/admin/users', label: 'Users', capability: 'admin:users' },
  { href: '/admin/provider-accounts', label: 'Provider accounts', capability: 'admin:provider-accounts' },
  { href: '/admin/policies', label: 'Policies', capability: 'admin:policies' },
  { href: '/admin/catalog', label: 'Catalog', capability: 'admin:catalog' },
  { href: '/admin/price-book', label: 'Price book', capability: 'admin:prices' },
  { href: '/admin/jobs', label: 'Jobs', capability: 'admin:jobs' },
  { href: '/admin/audit', label: 'Audit log', capability: 'audit:read' },
];

export function navigationFor(principal: Principal, items: readonly NavItem[] = NAVIGATION): NavItem[] {
  return items.filter((item) => can(principal, item.capability));
}
