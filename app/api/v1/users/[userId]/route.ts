import { handle } from '@/lib/api/handler';
import { getUser, updateUser } from '@/lib/api/operations/users';
import * as users from '@/lib/users/service';

export const dynamic = 'force-dynamic';

export const GET = handle(getUser, async ({ db, principal, params }) => users.getUser(db, principal, params.userId));

export const PATCH = handle(updateUser, async ({ db, principal, params, body, audit }) =>
  users.updateUser(db, principal, params.userId, body, audit),
);
