import { handle } from '@/lib/api/handler';
import { listAuditEvents } from '@/lib/api/operations/audit';
import * as audit from '@/lib/audit/query';

export const dynamic = 'force-dynamic';

export const GET = handle(listAuditEvents, async ({ db, query }) => audit.listAuditEvents(db, query));
