// The approver inbox and decisions.
import { z } from 'zod';
import {
  approvalListSchema,
  bulkDecisionInputSchema,
  bulkDecisionResultSchema,
  decisionInputSchema,
  decisionResultSchema,
  listApprovalsQuerySchema,
} from '@/lib/approvals/schemas';
import { capability, defineOperation, type Operation } from '../operation';

const TAG = 'Approvals';

export const listApprovals = defineOperation({
  operationId: 'listApprovals',
  method: 'GET',
  path: '/api/v1/approvals',
  summary: "Approvals waiting on the caller, each with the request's full context (never the caller's own requests)",
  tag: TAG,
  access: capability('approval:decide'),
  query: listApprovalsQuerySchema,
  response: approvalListSchema,
});

export const decideApproval = defineOperation({
  operationId: 'decideApproval',
  method: 'POST',
  path: '/api/v1/approvals/{approvalId}/decision',
  summary: 'Approve or reject (a rejection needs a comment); a decided approval cannot be decided again (409)',
  tag: TAG,
  access: capability('approval:decide'),
  params: z.object({ approvalId: z.string().min(1).max(100) }),
  body: decisionInputSchema,
  exampleBody: { decision: 'approve', comment: 'Fine for the launch.' },
  response: decisionResultSchema,
});

export const decideApprovals = defineOperation({
  operationId: 'decideApprovals',
  method: 'POST',
  path: '/api/v1/approvals/decisions',
  summary: 'Decide several approvals at once; each succeeds or fails on its own',
  tag: TAG,
  access: capability('approval:decide'),
  body: bulkDecisionInputSchema,
  exampleBody: { approvalIds: ['<approval id>'], decision: 'approve' },
  response: bulkDecisionResultSchema,
});

export const operations: Operation[] = [listApprovals, decideApproval, decideApprovals];
