import '@/providers/all';
import { handle } from '@/lib/api/handler';
import { getProviderAccount, updateProviderAccount } from '@/lib/api/operations/provider-accounts';
import * as accounts from '@/lib/provider-accounts/service';

export const dynamic = 'force-dynamic';

export const GET = handle(getProviderAccount, async ({ db, params }) => accounts.getProviderAccount(db, params.accountId));

export const PATCH = handle(updateProviderAccount, async ({ db, params, body, audit }) =>
  accounts.updateProviderAccount(db, params.accountId, body, audit),
);
