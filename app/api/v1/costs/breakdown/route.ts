import { handle } from '@/lib/api/handler';
import { getCostBreakdown } from '@/lib/api/operations/costs';
import * as costs from '@/lib/billing/costs';
import { costScopeFor } from '@/lib/billing/scope';

export const dynamic = 'force-dynamic';

export const GET = handle(getCostBreakdown, async ({ db, principal, query }) => {
  const { groupBy, pivot, limit, ...filters } = query;
  return costs.getCostBreakdown(db, costScopeFor(principal), filters, { groupBy, pivot, limit, tagKey: filters.tagKey });
});
