import { handle } from '@/lib/api/handler';
import { createPolicy, listPolicies } from '@/lib/api/operations/policies';
import * as policies from '@/lib/policy/service';

export const dynamic = 'force-dynamic';

export const GET = handle(listPolicies, async ({ db }) => ({ policies: await policies.listPolicies(db) }));

export const POST = handle(createPolicy, async ({ db, body, audit }) => policies.createPolicy(db, body, audit));
