import '@/providers/all';
import { handle } from '@/lib/api/handler';
import { createProviderAccount, listProviderAccounts } from '@/lib/api/operations/provider-accounts';
import * as accounts from '@/lib/provider-accounts/service';

export const dynamic = 'force-dynamic';

export const GET = handle(listProviderAccounts, async ({ db }) => ({ accounts: await accounts.listProviderAccounts(db) }));

export const POST = handle(createProviderAccount, async ({ db, body, audit }) => accounts.createProviderAccount(db, body, audit));
