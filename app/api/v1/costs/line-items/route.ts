import { handle } from '@/lib/api/handler';
import { listCostLineItems } from '@/lib/api/operations/costs';
import * as costs from '@/lib/billing/costs';
import { costScopeFor } from '@/lib/billing/scope';

export const dynamic = 'force-dynamic';

export const GET = handle(listCostLineItems, async ({ db, principal, query }) => {
  const { page, pageSize, ...filters } = query;
  return costs.listCostLineItems(db, costScopeFor(principal), filters, { page, pageSize });
});
