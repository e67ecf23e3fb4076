import { handle } from '@/lib/api/handler';
import { getTemplate, updateTemplate } from '@/lib/api/operations/catalog';
import * as templates from '@/lib/catalog/templates';

export const dynamic = 'force-dynamic';

export const GET = handle(getTemplate, async ({ db, params, query }) => templates.getTemplate(db, params.templateId, query.version));

export const PATCH = handle(updateTemplate, async ({ db, params, body, audit }) => {
  const { templateId } = await templates.getTemplateDefinition(db, params.templateId);
  return templates.updateTemplate(db, templateId, body, audit);
});
