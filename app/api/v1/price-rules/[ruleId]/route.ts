import { handle } from '@/lib/api/handler';
import { deletePriceRule, updatePriceRule } from '@/lib/api/operations/catalog';
import * as priceBook from '@/lib/catalog/price-book';

export const dynamic = 'force-dynamic';

export const PATCH = handle(updatePriceRule, async ({ db, params, body, audit }) => priceBook.updatePriceRule(db, params.ruleId, body, audit));

export const DELETE = handle(deletePriceRule, async ({ db, params, audit }) => {
  await priceBook.deletePriceRule(db, params.ruleId, audit);
  return null;
});
