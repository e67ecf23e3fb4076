import { handle } from '@/lib/api/handler';
import { buildOpenApiDocument } from '@/lib/api/openapi';
import { ALL_OPERATIONS } from '@/lib/api/operations';
import { getOpenApiDocument } from '@/lib/api/operations/system';

export const dynamic = 'force-dynamic';

export const GET = handle(getOpenApiDocument, async () => buildOpenApiDocument(ALL_OPERATIONS));
