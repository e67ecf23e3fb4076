import { handle } from '@/lib/api/handler';
import { createUser, listUsers } from '@/lib/api/operations/users';
import * as users from '@/lib/users/service';

export const dynamic = 'force-dynamic';

export const GET = handle(listUsers, async ({ db, principal, query }) => users.listUsers(db, principal, query));

export const POST = handle(createUser, async ({ db, principal, body, audit }) => users.createUser(db, principal, body, audit));
