import { handle } from '@/lib/api/handler';
import { getCostImport } from '@/lib/api/operations/costs';
import * as imports from '@/lib/billing/imports';

export const dynamic = 'force-dynamic';

export const GET = handle(getCostImport, async ({ db, params }) => imports.getCostImport(db, params.importId));
