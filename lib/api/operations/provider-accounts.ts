// Provider accounts (admin): the cloud connections Skyport brokers through. Credentials go in
// (create/update) but never come back out: views list only the names of the stored secret fields.
import { z } from 'zod';
import {
  connectionTestOutcomeSchema,
  createProviderAccountSchema,
  providerAccountViewSchema,
  updateProviderAccountSchema,
} from '../../provider-accounts/service';
import { syncProgressSchema, syncRequestResultSchema } from '../../provider-accounts/sync-request';
import { capability, defineOperation, type Operation } from '../operation';

const TAG = 'Provider accounts';
const ADMIN = capability('admin:provider-accounts');
const accountParams = z.object({ accountId: z.string().min(1).max(100) });

export const listProviderAccounts = defineOperation({
  operationId: 'listProviderAccounts',
  method: 'GET',
  path: '/api/v1/provider-accounts',
  summary: 'List provider accounts with status, regions and VM counts',
  tag: TAG,
  access: ADMIN,
  response: z.object({ accounts: z.array(providerAccountViewSchema) }),
});

export const createProviderAccount = defineOperation({
  operationId: 'createProviderAccount',
  method: 'POST',
  path: '/api/v1/provider-accounts',
  summary: "Create a provider account; settings and secrets are validated against the provider's schemas",
  description: 'Secrets are stored encrypted (AES-256-GCM) and are never returned; responses list only `secretFields`.',
  tag: TAG,
  access: ADMIN,
  body: createProviderAccountSchema,
  response: providerAccountViewSchema,
  successStatus: 201,
});

export const getProviderAccount = defineOperation({
  operationId: 'getProviderAccount',
  method: 'GET',
  path: '/api/v1/provider-accounts/{accountId}',
  summary: 'Get one provider account',
  tag: TAG,
  access: ADMIN,
  params: accountParams,
  response: providerAccountViewSchema,
});

export const updateProviderAccount = defineOperation({
  operationId: 'updateProviderAccount',
  method: 'PATCH',
  path: '/api/v1/provider-accounts/{accountId}',
  summary: 'Update a provider account (name, settings, credentials, enabled regions)',
  description:
    'Fields left out are unchanged. `secrets` is merged over the stored credentials: a given field replaces, a blank or omitted one keeps, null removes. Changing settings or secrets resets the status to unknown until the next test.',
  tag: TAG,
  access: ADMIN,
  params: accountParams,
  body: updateProviderAccountSchema,
  response: providerAccountViewSchema,
});

export const testProviderAccount = defineOperation({
  operationId: 'testProviderAccount',
  method: 'POST',
  path: '/api/v1/provider-accounts/{accountId}/test',
  summary: 'Test the connection and discover regions',
  description: 'Answers 200 whether or not the connection works: see `ok`, and `error` (normalized code, provider message) when it does not.',
  tag: TAG,
  access: ADMIN,
  params: accountParams,
  response: connectionTestOutcomeSchema,
});

export const syncProviderAccount = defineOperation({
  operationId: 'syncProviderAccount',
  method: 'POST',
  path: '/api/v1/provider-accounts/{accountId}/sync',
  summary: 'Queue a sync of every enabled region into the inventory (answers 202 at once)',
  description:
    'Queues the same background job the schedule runs and answers 202 with its `jobId`. A sync of the account already waiting or running is the answer instead of a second one (`state`: queued | running), so repeating the call does not sync twice. Follow it with GET on `statusUrl` (getProviderAccountSyncStatus). 400 when no region is enabled, 409 when the account is disabled.',
  tag: TAG,
  access: ADMIN,
  params: accountParams,
  response: syncRequestResultSchema,
  successStatus: 202,
});

export const getProviderAccountSyncStatus = defineOperation({
  operationId: 'getProviderAccountSyncStatus',
  method: 'GET',
  path: '/api/v1/provider-accounts/{accountId}/sync',
  summary: 'Sync progress and status of an account: running / regions done / VMs seen, then per account and region the last success, last error, duration and counts',
  tag: TAG,
  access: ADMIN,
  params: accountParams,
  response: syncProgressSchema,
});

export const operations: Operation[] = [
  listProviderAccounts,
  createProviderAccount,
  getProviderAccount,
  updateProviderAccount,
  testProviderAccount,
  syncProviderAccount,
  getProviderAccountSyncStatus,
];
