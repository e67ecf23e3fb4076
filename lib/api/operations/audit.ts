// The audit trail, newest first, keyset-paged (GET /api/v1/audit-events).
import { auditEventPageSchema, auditFilterSchema } from '../../audit/query';
import { capability, defineOperation, type Operation } from '../operation';

export const listAuditEvents = defineOperation({
  operationId: 'listAuditEvents',
  method: 'GET',
  path: '/api/v1/audit-events',
  summary: 'List audit events, newest first',
  description:
    'Filters: actor (substring of the e-mail/label), action (prefix, e.g. "provider_account."), targetType, targetId, from/to (ISO instants; a bare date for `to` includes the whole day). Page with `cursor` = the previous page\'s nextCursor.',
  tag: 'Audit',
  access: capability('audit:read'),
  query: auditFilterSchema,
  response: auditEventPageSchema,
});

export const operations: Operation[] = [listAuditEvents];
