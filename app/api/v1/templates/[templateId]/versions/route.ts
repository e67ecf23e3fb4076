import { handle } from '@/lib/api/handler';
import { listTemplateVersions } from '@/lib/api/operations/catalog';
import * as templates from '@/lib/catalog/templates';

export const dynamic = 'force-dynamic';

export const GET = handle(listTemplateVersions, async ({ db, params }) => {
  const { templateId } = await templates.getTemplateDefinition(db, params.templateId);
  return { versions: await templates.templateHistory(db, templateId) };
});
