import { handle } from '@/lib/api/handler';
import { exportShowback } from '@/lib/api/operations/costs';
import { costScopeFor } from '@/lib/billing/scope';
import { showbackCsv } from '@/lib/billing/showback';

export const dynamic = 'force-dynamic';

export const GET = handle(exportShowback, async ({ db, principal, query }) => {
  const rows = showbackCsv(db, costScopeFor(principal), query);
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await rows.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
  });
  return new Response(body, {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="showback-${query.month}-${query.by}.csv"`,
    },
  });
});
