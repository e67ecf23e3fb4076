import { handle } from '@/lib/api/handler';
import { removeProjectMember, updateProjectMember } from '@/lib/api/operations/projects';
import { assertProjectAccess } from '@/lib/auth/permissions';
import * as projects from '@/lib/projects/service';

export const PATCH = handle(updateProjectMember, async ({ db, principal, params, body, audit }) => {
  assertProjectAccess(principal, params.projectId);
  return projects.updateProjectMember(db, principal, params.projectId, params.userId, body, audit);
});

export const DELETE = handle(removeProjectMember, async ({ db, principal, params, audit }) => {
  assertProjectAccess(principal, params.projectId);
  await projects.removeProjectMember(db, principal, params.projectId, params.userId, audit);
  return null;
});
