import '@/providers/all';
import { handle } from '@/lib/api/handler';
import { syncProviderAccount } from '@/lib/api/operations/provider-accounts';
import * as sync from '@/lib/provider-accounts/sync';

export const dynamic = 'force-dynamic';

// Provider failures propagate as ProviderError; handle() turns them into problem+json.
export const POST = handle(syncProviderAccount, async ({ db, params, audit }) => sync.syncProviderAccount(db, params.accountId, audit));
