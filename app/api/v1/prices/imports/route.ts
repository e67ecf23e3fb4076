import { handle } from '@/lib/api/handler';
import { importPrices } from '@/lib/api/operations/catalog';
import * as priceBook from '@/lib/catalog/price-book';

export const dynamic = 'force-dynamic';

export const POST = handle(importPrices, async ({ db, body, form, audit }) => {
  const file = await priceBook.csvFromForm(form);
  return priceBook.importPrices(db, { csv: file.text, fileName: file.name, priceBookId: body.priceBookId, mode: body.mode }, audit);
});
