// The inventory API (contract 8, inventory side): list with filters/sort/keyset paging, one VM,
// CSV export, claim an unmanaged VM, re-apply Skyport tags. The engine owns /vms/{vmId}/actions and /lease.
import { z } from 'zod';
import {
  claimVmSchema,
  listVmsQuerySchema,
  listVmsResponseSchema,
  SORT_VALUES,
  tagWriteResultSchema,
  vmFilterSchema,
  vmParamsSchema,
  vmViewSchema,
} from '../../inventory/schemas';
import { capability, defineOperation, type Operation } from '../operation';

const TAG = 'Inventory';
const READ = capability('inventory:read');
const CLAIM = capability('inventory:claim');

export const listVms = defineOperation({
  operationId: 'listVms',
  method: 'GET',
  path: '/api/v1/vms',
  summary: 'List VMs across providers, accounts and regions (filters, sort, keyset paging)',
  description:
    'Admins see every VM; others the VMs of their projects, and owners of a project also the unmanaged VMs (no project yet; read-only, to claim them). ' +
    '`sort` is a column name, `-name` for descending; `cost` sorts by the stored monthly cost (`monthlyCostSource`: billing forecast or price book). ' +
    '`costMin` / `costMax` filter on that figure (inclusive). ' +
    'Pass `nextCursor` back as `cursor` for the next page (same filters and sort); rows are never repeated or skipped across pages. ' +
    '`total` counts every VM matching the filters. `tag` is `key` or `key=value`; `q` searches name, IPs and provider id.',
  tag: TAG,
  access: READ,
  query: listVmsQuerySchema,
  response: listVmsResponseSchema,
});

export const exportVms = defineOperation({
  operationId: 'exportVms',
  method: 'GET',
  path: '/api/v1/vms/export',
  summary: 'Export the VMs matching the filters as CSV (header row; streamed)',
  tag: TAG,
  access: READ,
  query: vmFilterSchema.extend({ sort: z.preprocess((v) => (v === '' ? undefined : v), z.enum(SORT_VALUES).default('name')) }),
  response: z.string().describe('text/csv'),
});

export const getVm = defineOperation({
  operationId: 'getVm',
  method: 'GET',
  path: '/api/v1/vms/{vmId}',
  summary: 'Get one VM (properties, tags, owner/project/request, lease, monthly cost, cost to date and forecast, pending action)',
  description:
    'A VM outside your projects answers 404 (an unmanaged VM is visible to owners of any project). `costToDate` is this month\'s billed (effective) cost of the VM from billing rows linked to it, ' +
    'with the month-end forecast of the cost explorer (month to date ÷ days elapsed × days in the month); null when no billing row is linked — then `monthlyCost` is the price-book estimate.',
  tag: TAG,
  access: READ,
  params: vmParamsSchema,
  response: vmViewSchema,
});

export const claimVm = defineOperation({
  operationId: 'claimVm',
  method: 'POST',
  path: '/api/v1/vms/{vmId}/claim',
  summary: "Claim an unmanaged VM into a project with an owner; writes Skyport's tags to the provider",
  description: "Admins, or the target project's owner. 409 when the VM is already managed. The provider's tags/labels/custom attributes are written first; a provider failure changes nothing.",
  tag: TAG,
  access: CLAIM,
  projectScoped: true,
  params: vmParamsSchema,
  body: claimVmSchema,
  exampleBody: { projectId: 'project-id', ownerId: 'user-id' },
  response: tagWriteResultSchema,
});

export const reapplyVmTags = defineOperation({
  operationId: 'reapplyVmTags',
  method: 'POST',
  path: '/api/v1/vms/{vmId}/reapply-tags',
  summary: "Re-apply Skyport's tags to a drifted managed VM and accept its current size",
  description: "Admins, or the owner of the VM's project. Clears tags_removed and size_changed drift; state drift clears when the state agrees again.",
  tag: TAG,
  access: CLAIM,
  params: vmParamsSchema,
  response: tagWriteResultSchema,
});

export const operations: Operation[] = [listVms, exportVms, getVm, claimVm, reapplyVmTags];
