import { handle } from '@/lib/api/handler';
import { unlockUser } from '@/lib/api/operations/users';
import * as users from '@/lib/users/service';

export const POST = handle(unlockUser, async ({ db, principal, params, audit }) => users.unlockUser(db, principal, params.userId, audit));
