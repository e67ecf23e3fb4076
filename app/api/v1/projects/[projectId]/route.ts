import { handle } from '@/lib/api/handler';
import { getProject, updateProject } from '@/lib/api/operations/projects';
import { assertProjectAccess } from '@/lib/auth/permissions';
import * as projects from '@/lib/projects/service';

export const dynamic = 'force-dynamic';

export const GET = handle(getProject, async ({ db, principal, params }) => {
  assertProjectAccess(principal, params.projectId);
  return projects.getProject(db, principal, params.projectId);
});

export const PATCH = handle(updateProject, async ({ db, principal, params, body, audit }) => {
  assertProjectAccess(principal, params.projectId);
  return projects.updateProject(db, principal, params.projectId, body, audit);
});
