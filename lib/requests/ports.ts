// The requests area's view of the other areas' contracts (CONTRACTS.md 3, 5, 6, 9): everything the
// request pipeline needs from catalog, governance, engine and billing is imported here, so a
// contract change is a change in this file only.
export { getTemplateDefinition } from '../catalog/templates';
export { loadPriceContext, priceVm, mappingFor, type PriceContext, type VmPrice } from '../catalog/pricing';
export { parseParameterValues } from '../catalog/parameters';
export type { TemplateDefinition, TemplateSize, TemplateParameter } from '../catalog/schemas';
export { evaluatePolicies, evaluatePolicySet } from '../policy/evaluate';
export { loadPolicyDefinitions } from '../policy/store';
import type { loadPolicyDefinitions } from '../policy/store';
export type PolicyDefinitions = Awaited<ReturnType<typeof loadPolicyDefinitions>>;
export type { PolicyEvaluation, RequestFacts } from '../policy/schemas';
export { startApprovalChain } from '../approvals/chain';
export { onRequestApproved } from '../provisioning/handoff';
export { itemProgress } from '../provisioning/progress';
export { projectBudgetStatus } from '../billing/budget-status';

import type { getTemplateDefinition } from '../catalog/templates';
export type TemplateDefinitionResult = Awaited<ReturnType<typeof getTemplateDefinition>>;
