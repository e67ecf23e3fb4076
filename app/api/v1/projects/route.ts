import { handle } from '@/lib/api/handler';
import { createProject, listProjects } from '@/lib/api/operations/projects';
import * as projects from '@/lib/projects/service';

export const dynamic = 'force-dynamic';

export const GET = handle(listProjects, async ({ db, principal, query }) => ({
  items: await projects.listProjects(db, principal, { q: query.q, includeArchived: query.includeArchived ? 'true' : 'false' }),
}));

export const POST = handle(createProject, async ({ db, principal, body, audit }) => projects.createProject(db, principal, body, audit));
