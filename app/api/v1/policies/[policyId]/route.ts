import { handle } from '@/lib/api/handler';
import { deletePolicy, updatePolicy } from '@/lib/api/operations/policies';
import * as policies from '@/lib/policy/service';

export const dynamic = 'force-dynamic';

export const PATCH = handle(updatePolicy, async ({ db, params, body, audit }) => policies.updatePolicy(db, params.policyId, body, audit));

export const DELETE = handle(deletePolicy, async ({ db, params, audit }) => {
  await policies.deletePolicy(db, params.policyId, audit);
  return null;
});
