// Public surface of lib/approvals (contract 5).
export { startApprovalChain, resolveApprovers } from './chain';
export { decideApproval, decideApprovals } from './decide';
export { listApprovals } from './inbox';
export { processApprovalTimeouts } from './timeouts';
