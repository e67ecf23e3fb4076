// Approval policies (admin): ordered rules, their CRUD and a what-if simulation.
import { z } from 'zod';
import { policyInputSchema, policyPatchSchema, policyViewSchema, simulateInputSchema, simulationResultSchema } from '@/lib/policy/schemas';
import { capability, defineOperation, type Operation } from '../operation';

const TAG = 'Policies';
const policyParams = z.object({ policyId: z.string().min(1).max(100).describe('Policy id') });

export const listPolicies = defineOperation({
  operationId: 'listPolicies',
  method: 'GET',
  path: '/api/v1/policies',
  summary: 'Every approval policy in evaluation order (priority, then name)',
  tag: TAG,
  access: capability('admin:policies'),
  response: z.object({ policies: z.array(policyViewSchema) }),
});

export const createPolicy = defineOperation({
  operationId: 'createPolicy',
  method: 'POST',
  path: '/api/v1/policies',
  summary: 'Create a policy: conditions → auto-approve, an approval chain, or reject',
  tag: TAG,
  access: capability('admin:policies'),
  body: policyInputSchema,
  exampleBody: {
    name: 'Large requests',
    priority: 50,
    conditions: { minMonthlyCost: 150 },
    action: 'require_approval',
    levels: [{ name: 'Project owner', mode: 'any', approvers: [{ type: 'project_owner' }], timeoutHours: 48, timeoutAction: 'escalate' }, { name: 'Admins', mode: 'any', approvers: [{ type: 'role', role: 'admin' }] }],
  },
  response: policyViewSchema,
  successStatus: 201,
});

export const updatePolicy = defineOperation({
  operationId: 'updatePolicy',
  method: 'PATCH',
  path: '/api/v1/policies/{policyId}',
  summary: 'Change any fields of a policy (e.g. enabled: false); the result is validated as a whole',
  tag: TAG,
  access: capability('admin:policies'),
  params: policyParams,
  body: policyPatchSchema,
  exampleBody: { enabled: false },
  response: policyViewSchema,
});

export const deletePolicy = defineOperation({
  operationId: 'deletePolicy',
  method: 'DELETE',
  path: '/api/v1/policies/{policyId}',
  summary: 'Delete a policy (requests it routed keep its name and reason)',
  tag: TAG,
  access: capability('admin:policies'),
  params: policyParams,
  response: z.null(),
  successStatus: 204,
});

export const simulatePolicies = defineOperation({
  operationId: 'simulatePolicies',
  method: 'POST',
  path: '/api/v1/policies/simulate',
  summary: 'Replay the last N submitted requests through a draft policy set; shows which would route differently',
  tag: TAG,
  access: capability('admin:policies'),
  body: simulateInputSchema,
  exampleBody: { policies: [{ name: 'Everything auto', action: 'auto_approve', conditions: {} }], last: 100 },
  response: simulationResultSchema,
});

export const operations: Operation[] = [listPolicies, createPolicy, updatePolicy, deletePolicy, simulatePolicies];
