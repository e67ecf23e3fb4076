import { handle } from '@/lib/api/handler';
import { resetUserPassword } from '@/lib/api/operations/users';
import * as users from '@/lib/users/service';

export const POST = handle(resetUserPassword, async ({ db, principal, params, body, audit }) =>
  users.resetUserPassword(db, principal, params.userId, body, audit),
);
