import { handle } from '@/lib/api/handler';
import { removeProjectMember, updateProjectMember } from '@/lib/api/operations/projects';
import * as projects from '@/lib/projects/service';

export const PATCH = handle(updateProjectMember, async ({ db, principal, params, body, audit }) => {
  return projects.updateProjectMember(db, principal, params.projectId, params.userId, body, audit);
});

export const DELETE = handle(removeProjectMember, async ({ db, principal, params, audit }) => {
  await projects.removeProjectMember(db, principal, params.projectId, params.userId, audit);
  return null;
});
