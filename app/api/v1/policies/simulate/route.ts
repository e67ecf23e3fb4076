import { handle } from '@/lib/api/handler';
import { simulatePolicies } from '@/lib/api/operations/policies';
import * as simulation from '@/lib/policy/simulate';

export const dynamic = 'force-dynamic';

export const POST = handle(simulatePolicies, async ({ db, body }) => simulation.simulatePolicies(db, body));
