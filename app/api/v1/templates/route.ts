import { handle } from '@/lib/api/handler';
import { createTemplate, listTemplates } from '@/lib/api/operations/catalog';
import { can } from '@/lib/auth/permissions';
import * as templates from '@/lib/catalog/templates';
import { ForbiddenError } from '@/lib/errors';

export const dynamic = 'force-dynamic';

export const GET = handle(listTemplates, async ({ db, principal, query }) => {
  if (query.status !== 'active' && !can(principal, 'admin:catalog')) throw new ForbiddenError('Only catalog administrators see archived templates.');
  return templates.listTemplates(db, query);
});

export const POST = handle(createTemplate, async ({ db, body, audit }) => templates.createTemplate(db, body, audit));
