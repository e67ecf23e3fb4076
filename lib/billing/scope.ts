// Who sees which costs: admins everything; everyone else only the projects they own. A requester
// never sees another project's costs, nor unallocated ones.
import type { Principal } from '../auth/principal';
import { isAdmin } from '../auth/permissions';
import { ForbiddenError } from '../errors';

export type CostScope = { all: true } | { all: false; projectIds: string[] };

export function costScopeFor(principal: Principal): CostScope {
  if (isAdmin(principal)) return { all: true };
  return { all: false, projectIds: Object.entries(principal.projects).filter(([, role]) => role === 'owner').map(([id]) => id) };
}

export function assertCostProjectAccess(scope: CostScope, projectId: string): void {
  if (!scope.all && !scope.projectIds.includes(projectId)) throw new ForbiddenError('You can only see the costs of projects you own.');
}
