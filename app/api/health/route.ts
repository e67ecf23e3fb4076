import { handle } from '@/lib/api/handler';
import { getHealth } from '@/lib/api/operations/system';
import { checkHealth } from '@/lib/system/health';

export const dynamic = 'force-dynamic';

export const GET = handle(getHealth, async ({ db }) => {
  const health = await checkHealth(db);
  return new Response(JSON.stringify(health), {
    status: health.status === 'ok' ? 200 : 503,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  });
});
