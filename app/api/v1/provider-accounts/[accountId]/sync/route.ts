import { handle } from '@/lib/api/handler';
import { getProviderAccountSyncStatus, syncProviderAccount } from '@/lib/api/operations/provider-accounts';
import { requestAccountSync, syncProgress } from '@/lib/provider-accounts/sync-request';

export const dynamic = 'force-dynamic';

// The sync itself runs as a background job; POST queues it (202) and GET follows it.
export const POST = handle(syncProviderAccount, async ({ db, params, audit }) => requestAccountSync(db, params.accountId, audit));

export const GET = handle(getProviderAccountSyncStatus, async ({ db, params }) => syncProgress(db, params.accountId));
