import { handle } from '@/lib/api/handler';
import { getCurrentUser } from '@/lib/api/operations/me';
import { describePrincipal } from '@/lib/users/me';

export const dynamic = 'force-dynamic';

export const GET = handle(getCurrentUser, async ({ db, principal }) => describePrincipal(db, principal));
