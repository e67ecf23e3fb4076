import { handle } from '@/lib/api/handler';
import { deletePrice, updatePrice } from '@/lib/api/operations/catalog';
import * as priceBook from '@/lib/catalog/price-book';

export const dynamic = 'force-dynamic';

export const PATCH = handle(updatePrice, async ({ db, params, body, audit }) => priceBook.updateRate(db, params.rateId, body, audit));

export const DELETE = handle(deletePrice, async ({ db, params, audit }) => {
  await priceBook.deleteRate(db, params.rateId, audit);
  return null;
});
