import { handle } from '@/lib/api/handler';
import { createPrice, listPrices } from '@/lib/api/operations/catalog';
import * as priceBook from '@/lib/catalog/price-book';

export const dynamic = 'force-dynamic';

export const GET = handle(listPrices, async ({ db, query }) => priceBook.listPrices(db, query));

export const POST = handle(createPrice, async ({ db, body, audit }) => {
  const { priceBookId, ...rate } = body;
  return priceBook.upsertRate(db, priceBookId ?? (await priceBook.requireCurrentPriceBookId(db)), rate, audit);
});
