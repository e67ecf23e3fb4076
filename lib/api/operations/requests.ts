// Requests: create (submit or save as draft), read, list, cancel, submit a draft, and the request
// form's live estimate. Schemas live in lib/requests/schemas.ts.
import {
  cancelRequestSchema,
  createRequestResponseSchema,
  createRequestSchema,
  estimateResponseSchema,
  estimateSchema,
  listRequestsQuerySchema,
  listRequestsResponseSchema,
  requestDetailSchema,
  requestParamsSchema,
} from '@/lib/requests/schemas';
import { capability, defineOperation, type Operation } from '../operation';

const TAG = 'Requests';

export const createRequest = defineOperation({
  operationId: 'createRequest',
  method: 'POST',
  path: '/api/v1/requests',
  summary: 'Request VMs from a catalog template; submit (default) or save as a draft (submit: false)',
  description:
    'The server re-validates size, placement, lease and parameters, prices the request, checks quota and budget and ' +
    'evaluates the policies: auto-approved, sent for approval, or rejected with the reason. Exceeding a hard quota ' +
    'answers 409 naming the quota and saves nothing.',
  tag: TAG,
  access: capability('request:create'),
  projectScoped: true,
  body: createRequestSchema,
  exampleBody: { projectId: '<project id>', templateId: '<template id>', size: 'small', providerAccountId: '<account id>', region: 'eu-west-1', count: 1, leaseDays: 30, justification: 'Load test', submit: true },
  response: createRequestResponseSchema,
  successStatus: 201,
});

export const getRequest = defineOperation({
  operationId: 'getRequest',
  method: 'GET',
  path: '/api/v1/requests/{requestId}',
  summary: 'One request: status, items with VM ids and progress, policy, approval chain and timeline',
  tag: TAG,
  access: capability('request:read-own'),
  params: requestParamsSchema,
  response: requestDetailSchema,
});

export const listRequests = defineOperation({
  operationId: 'listRequests',
  method: 'GET',
  path: '/api/v1/requests',
  summary: 'My requests (scope=mine) or my projects’ requests (scope=projects), filtered, sorted and paged on the server',
  tag: TAG,
  access: capability('request:read-own'),
  query: listRequestsQuerySchema,
  response: listRequestsResponseSchema,
});

export const cancelRequest = defineOperation({
  operationId: 'cancelRequest',
  method: 'POST',
  path: '/api/v1/requests/{requestId}/cancel',
  summary: 'Cancel a draft, pending or approved (not yet provisioning) request (requester or admin)',
  tag: TAG,
  access: capability('request:create'),
  params: requestParamsSchema,
  body: cancelRequestSchema,
  exampleBody: { reason: 'No longer needed' },
  response: requestDetailSchema,
});

export const submitRequest = defineOperation({
  operationId: 'submitRequest',
  method: 'POST',
  path: '/api/v1/requests/{requestId}/submit',
  summary: 'Submit a saved draft (re-validated and re-priced against the template version it was saved with)',
  tag: TAG,
  access: capability('request:create'),
  params: requestParamsSchema,
  response: createRequestResponseSchema,
});

export const estimatePlacements = defineOperation({
  operationId: 'estimatePlacements',
  method: 'POST',
  path: '/api/v1/estimates',
  summary: 'Every allowed placement with its monthly estimate (cheapest marked), plus quota, budget and policy preview',
  description: 'Read-only. providerAccountId + region choose the placement the quota/budget/policy preview is for (default: the cheapest).',
  tag: TAG,
  access: capability('request:create'),
  projectScoped: true,
  body: estimateSchema,
  exampleBody: { projectId: '<project id>', templateId: '<template id>', size: 'small', count: 2 },
  response: estimateResponseSchema,
});

export const operations: readonly Operation[] = [createRequest, getRequest, listRequests, cancelRequest, submitRequest, estimatePlacements];
