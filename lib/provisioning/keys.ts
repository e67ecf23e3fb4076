// Names derived from a request item and the VM's index in it. The adapter key is stable across
// retries, crashes and retryRequestItem, so the provider never makes a second VM for it.

/** The key handed to the adapter (bound to EC2 ClientToken, GCE requestId, ARM/vSphere names). */
export function vmIdempotencyKey(itemId: string, index: number): string {
  return `${itemId}-${index}`;
}

/** ProvisioningJob.idempotencyKey of the create job for one VM. */
export function createJobKey(itemId: string, index: number): string {
  return `create_vm:${vmIdempotencyKey(itemId, index)}`;
}

/** graphile-worker job_key of a ProvisioningJob's execution (one waiting execution at a time). */
export function workerJobKey(provisioningJobId: string): string {
  return `pj:${provisioningJobId}`;
}

/** VM name of the index-th VM of an item: the item's name, suffixed when the item asks for several. */
export function vmName(itemName: string, quantity: number, index: number): string {
  return quantity > 1 ? `${itemName}-${index + 1}` : itemName;
}

export const CREATE_VM_TASK = 'provisioning.create_vm';
