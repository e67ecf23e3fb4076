// Engine operations: day-2 actions and leases on VMs, retrying a failed request item, and the
// admin view of jobs (retry / cancel).
import { z } from 'zod';
import { jobFilterSchema, jobPageSchema } from '../../jobs/schemas';
import { extendLeaseResultSchema, extendLeaseSchema, resizeOptionSchema, runVmActionResultSchema, runVmActionSchema, vmActionsViewSchema } from '../../vms/schemas';
import { capability, defineOperation, type Operation } from '../operation';

const VMS = 'VMs';
const JOBS = 'Jobs';
const OPERATE = capability('vm:operate');
const ADMIN_JOBS = capability('admin:jobs');
const id = z.string().min(1).max(100);
const vmParams = z.object({ vmId: id });
const jobParams = z.object({ jobId: id });

export const runVmAction = defineOperation({
  operationId: 'runVmAction',
  method: 'POST',
  path: '/api/v1/vms/{vmId}/actions',
  summary: 'Start, stop, reboot, resize or delete a VM (runs as a job)',
  description:
    'Allowed for the VM’s owner, the project’s owner and admins, and only for actions the provider supports. Answers 202 with the job id; the same action sent again while it runs returns the same job (a double click is one action). Another action in progress → 409. ' +
    'Day-2 policies (scope vm_action) are evaluated first: when one requires approval nothing runs and the answer is 202 `{ jobId: null, approvalRequired: true, requestId, requestNumber, approvalId }` (the approval goes through the same chain and inbox as requests; the job is enqueued once, on the last approval); the same action sent again returns the same approval. A rejecting policy → 409 with its reason; a resize that takes the project over a hard quota → 409 naming the quota.',
  tag: VMS,
  access: OPERATE,
  params: vmParams,
  body: runVmActionSchema,
  response: runVmActionResultSchema,
  successStatus: 202,
  exampleBody: { action: 'stop' },
});

export const getVmActions = defineOperation({
  operationId: 'getVmActions',
  method: 'GET',
  path: '/api/v1/vms/{vmId}/actions',
  summary: 'Actions offered on a VM for the caller, the action in progress and the last one',
  tag: VMS,
  access: OPERATE,
  params: vmParams,
  response: vmActionsViewSchema,
});

export const listVmResizeOptions = defineOperation({
  operationId: 'listVmResizeOptions',
  method: 'GET',
  path: '/api/v1/vms/{vmId}/sizes',
  summary: 'Sizes a VM can be resized to, each with its monthly price',
  tag: VMS,
  access: OPERATE,
  params: vmParams,
  response: z.object({ sizes: z.array(resizeOptionSchema) }),
});

export const extendLease = defineOperation({
  operationId: 'extendLease',
  method: 'POST',
  path: '/api/v1/vms/{vmId}/lease',
  summary: 'Extend a VM’s lease by a number of days',
  description:
    'Within the effective maximum lease (the smaller of the template’s and the project’s) the owner or project owner extends at once, unless a day-2 policy on extend_lease requires approval. Beyond it the extension becomes an approval (same chain and inbox as requests): the answer then has `approvalRequired: true`, `requestId`, `approvalId` and the unchanged `leaseExpiresAt`; the lease is extended on the last approval. Admins extend beyond the maximum at once.',
  tag: VMS,
  access: OPERATE,
  params: vmParams,
  body: extendLeaseSchema,
  response: extendLeaseResultSchema,
  exampleBody: { days: 7 },
});

export const retryRequestItem = defineOperation({
  operationId: 'retryRequestItem',
  method: 'POST',
  path: '/api/v1/requests/{requestId}/items/{itemId}/retry',
  summary: 'Retry a failed request item with the same idempotency keys',
  description: 'VMs the provider already made for the item are found again instead of duplicated. Only a failed item can be retried (409 otherwise).',
  tag: 'Requests',
  access: OPERATE,
  params: z.object({ requestId: id, itemId: id }),
  response: z.object({ requeued: z.number().int() }),
  successStatus: 202,
});

export const listJobs = defineOperation({
  operationId: 'listJobs',
  method: 'GET',
  path: '/api/v1/jobs',
  summary: 'Background jobs: queued, running, retrying (next attempt), failed (error), succeeded',
  tag: JOBS,
  access: ADMIN_JOBS,
  query: jobFilterSchema,
  response: jobPageSchema,
});

export const retryJob = defineOperation({
  operationId: 'retryJob',
  method: 'POST',
  path: '/api/v1/jobs/{jobId}/retry',
  summary: 'Run a failed or cancelled job again',
  tag: JOBS,
  access: ADMIN_JOBS,
  params: jobParams,
  response: z.object({ jobId: z.string() }),
  successStatus: 202,
});

export const cancelJob = defineOperation({
  operationId: 'cancelJob',
  method: 'POST',
  path: '/api/v1/jobs/{jobId}/cancel',
  summary: 'Cancel a job that has not started yet',
  tag: JOBS,
  access: ADMIN_JOBS,
  params: jobParams,
  response: z.object({ jobId: z.string() }),
});

export const operations: readonly Operation[] = [runVmAction, getVmActions, listVmResizeOptions, extendLease, retryRequestItem, listJobs, retryJob, cancelJob];
