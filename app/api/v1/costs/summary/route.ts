import { handle } from '@/lib/api/handler';
import { getCostSummary } from '@/lib/api/operations/costs';
import * as costs from '@/lib/billing/costs';
import { costScopeFor } from '@/lib/billing/scope';

export const dynamic = 'force-dynamic';

export const GET = handle(getCostSummary, async ({ db, principal, query }) => costs.getCostSummary(db, costScopeFor(principal), query));
