import { handle } from '@/lib/api/handler';
import { getProject, updateProject } from '@/lib/api/operations/projects';
import * as projects from '@/lib/projects/service';

export const dynamic = 'force-dynamic';

export const GET = handle(getProject, async ({ db, principal, params }) => {
  return projects.getProject(db, principal, params.projectId);
});

export const PATCH = handle(updateProject, async ({ db, principal, params, body, audit }) => {
  return projects.updateProject(db, principal, params.projectId, body, audit);
});
