import { handle } from '@/lib/api/handler';
import { createPriceRule, listPriceRules } from '@/lib/api/operations/catalog';
import * as priceBook from '@/lib/catalog/price-book';

export const dynamic = 'force-dynamic';

export const GET = handle(listPriceRules, async ({ db }) => ({ rules: await priceBook.listPriceRules(db) }));

export const POST = handle(createPriceRule, async ({ db, body, audit }) => priceBook.createPriceRule(db, body, audit));
