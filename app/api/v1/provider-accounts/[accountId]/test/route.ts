import '@/providers/all';
import { handle } from '@/lib/api/handler';
import { testProviderAccount } from '@/lib/api/operations/provider-accounts';
import * as accounts from '@/lib/provider-accounts/service';

export const dynamic = 'force-dynamic';

// 200 even when the connection fails: the outcome says why (ok: false, error.code, provider message).
export const POST = handle(testProviderAccount, async ({ db, params, audit }) => accounts.testProviderAccount(db, params.accountId, audit));
