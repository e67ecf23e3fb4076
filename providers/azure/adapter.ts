// Azure adapter: @azure/identity (client secret) + @azure/arm-compute + @azure/arm-network.
// A VM and its NIC are named from the idempotency key, so `create` is an idempotent ARM PUT and
// `observe` is a GET by that name. Long-running operations go through the SDK pollers.
import { randomBytes } from 'node:crypto';
import https from 'node:https';
import { ComputeManagementClient, type VirtualMachine } from '@azure/arm-compute';
import { NetworkManagementClient } from '@azure/arm-network';
import { ClientSecretCredential } from '@azure/identity';
import {
  createDefaultHttpClient,
  createPipelineRequest,
  RestError,
  type HttpClient,
  type PipelinePolicy,
  type PipelineRetryOptions,
  type TlsSettings,
} from '@azure/core-rest-pipeline';
import { isProviderError, ProviderError } from '../errors';
import { deadlineExceeded, withDeadline } from '../shared/deadline';
import { resolveRuntime, type ResolvedRuntime } from '../shared/runtime';
import { parseSkyportTags, skyportTagMap } from '../shared/tags';
import type {
  AdapterRuntimeOptions,
  ConnectionTestResult,
  CreateVmSpec,
  ListVmsOptions,
  ListVmsPage,
  ObservedVm,
  ProviderAdapter,
  ProviderCapabilities,
  ProviderImage,
  ProviderRegion,
  ProviderSize,
  VmRef,
} from '../types';
import type { AzureSecrets, AzureSettings } from './config';
import { toProviderError } from './errors';
import { attemptTimeoutPolicy, ownAgentPolicy } from './http-policies';
import { CURATED_OFFERS, imageUrn, parseImageUrn } from './images';
import { assertOwnPageToken } from './paging';
import { computerNameForKey, nicNameForVm, parseVmId, vmNameForKey } from './naming';
import { conditionFrom, providerStateText, vmStateFrom } from './state';

const DEFAULT_ARM_ENDPOINT = 'https://management.azure.com';
const DEFAULT_AUTHORITY_HOST = 'https://login.microsoftonline.com';
const ARM_SCOPE = 'https://management.azure.com/.default';
const SUBSCRIPTIONS_API_VERSION = '2022-12-01';
const ADMIN_USERNAME = 'skyport';

interface LocationResponse {
  value?: { name?: string; displayName?: string; metadata?: { regionType?: string }; availabilityZoneMappings?: { logicalZone?: string }[] }[];
}

export function createAzureAdapter(input: { settings: AzureSettings; secrets: AzureSecrets; runtime?: AdapterRuntimeOptions }): ProviderAdapter {
  return new AzureAdapter(input.settings, input.secrets, input.runtime ?? {});
}

/** Azure region names are lower-case without spaces ("West Europe" → "westeurope"). */
export function normalizeRegion(region: string): string {
  return region.replace(/\s+/g, '').toLowerCase();
}

/** Initial admin password: random, never stored; operators reset it through Azure when needed. */
function oneTimeAdminPassword(): string {
  // Azure demands 3 of 4 character classes; the fixed prefix guarantees them.
  return `Sp!9${randomBytes(18).toString('base64url')}`;
}

function isNotFound(error: unknown): boolean {
  return isProviderError(error) && error.code === 'not_found';
}

export class AzureAdapter implements ProviderAdapter {
  readonly kind = 'azure' as const;
  private readonly runtime: ResolvedRuntime;
  private readonly endpoint: string;
  private readonly compute: ComputeManagementClient;
  private readonly network: NetworkManagementClient;
  private readonly httpClient: HttpClient;
  private readonly tlsOptions: TlsSettings | undefined;
  /** Our own keep-alive agent for every HTTPS request (ARM and Entra ID), so close() can end its sockets. */
  private readonly agent: https.Agent;

  constructor(
    private readonly settings: AzureSettings,
    secrets: AzureSecrets,
    runtime: AdapterRuntimeOptions,
  ) {
    this.runtime = resolveRuntime(runtime);
    this.endpoint = (settings.armEndpoint ?? DEFAULT_ARM_ENDPOINT).replace(/\/+$/, '');
    const tlsOptions: TlsSettings | undefined = settings.caCertPem ? { ca: settings.caCertPem } : undefined;
    this.tlsOptions = tlsOptions;
    const retryOptions: PipelineRetryOptions = { maxRetries: this.runtime.maxRetries, retryDelayInMs: 500, maxRetryDelayInMs: 8_000 };
    const timeoutPolicy: PipelinePolicy = attemptTimeoutPolicy(this.runtime.requestTimeoutMs);
    this.agent = new https.Agent({ keepAlive: true, ...(settings.caCertPem ? { ca: settings.caCertPem } : {}) });
    const agentPolicy = ownAgentPolicy(this.agent);
    const credential = new ClientSecretCredential(settings.tenantId, secrets.clientId, secrets.clientSecret, {
      authorityHost: settings.authorityHost,
      // A custom authority (sovereign cloud, emulator) is trusted as configured.
      disableInstanceDiscovery: settings.authorityHost !== undefined,
      tlsOptions,
      retryOptions,
      additionalPolicies: [
        { policy: timeoutPolicy, position: 'perRetry' },
        { policy: agentPolicy, position: 'perCall' },
      ],
    });
    const clientOptions = {
      endpoint: this.endpoint,
      tlsOptions,
      retryOptions,
      credentials: { scopes: [ARM_SCOPE] },
    };
    this.compute = new ComputeManagementClient(credential, settings.subscriptionId, clientOptions);
    this.network = new NetworkManagementClient(credential, settings.subscriptionId, clientOptions);
    // Same per-attempt clock as the credential: after Sign, i.e. inside the retry loop.
    this.compute.pipeline.addPolicy(timeoutPolicy, { afterPhase: 'Sign' });
    this.network.pipeline.addPolicy(timeoutPolicy, { afterPhase: 'Sign' });
    this.compute.pipeline.addPolicy(agentPolicy);
    this.network.pipeline.addPolicy(agentPolicy);
    this.httpClient = createDefaultHttpClient();
  }

  capabilities(): ProviderCapabilities {
    return {
      actions: ['start', 'stop', 'deallocate', 'reboot', 'resize', 'delete'],
      resizeRequiresStop: false,
      idempotency: 'Azure resource name: the VM and its NIC are named from a hash of the idempotency key, so a repeated create is the same ARM PUT',
    };
  }

  /**
   * One SDK call under one overall deadline: `callTimeoutMs`, or for long-running operations
   * (`long`, which poll with their own abort signal) the operation timeout.
   */
  private async call<T>(what: string, run: () => Promise<T>, long = false): Promise<T> {
    const ms = long ? this.runtime.operationTimeoutMs : this.runtime.callTimeoutMs;
    try {
      return await withDeadline(ms, () => deadlineExceeded(this.endpoint, what, ms), run);
    } catch (error) {
      const mapped = toProviderError(error, this.endpoint, what);
      if (mapped.code === 'auth_failed' && /endpoints_resolution_error/.test(mapped.providerMessage ?? '')) {
        throw await this.explainAuthorityFailure(mapped);
      }
      throw mapped;
    }
  }

  /**
   * MSAL reports both "authority unreachable" and "unknown tenant" as endpoints_resolution_error.
   * One direct request to the discovery document tells them apart.
   */
  private async explainAuthorityFailure(original: ProviderError): Promise<ProviderError> {
    const authority = (this.settings.authorityHost ?? DEFAULT_AUTHORITY_HOST).replace(/\/+$/, '');
    const url = `${authority}/${encodeURIComponent(this.settings.tenantId)}/v2.0/.well-known/openid-configuration`;
    try {
      const request = createPipelineRequest({ url, method: 'GET', timeout: Math.min(this.runtime.requestTimeoutMs, 5_000), tlsSettings: this.tlsOptions });
      if (url.startsWith('https:')) request.agent = this.agent;
      const response = await this.httpClient.sendRequest(request);
      const body = response.bodyAsText ?? '';
      return new ProviderError('auth_failed', `Entra ID could not resolve tenant ${this.settings.tenantId} at ${authority} (HTTP ${response.status})`, {
        providerCode: /AADSTS\d+/.exec(body)?.[0] ?? original.providerCode,
        providerMessage: body || original.providerMessage,
        httpStatus: response.status,
        cause: original,
      });
    } catch (probeError) {
      return new ProviderError('unavailable', `Cannot reach the Entra ID authority ${authority}: ${probeError instanceof Error ? probeError.message : String(probeError)}`, {
        providerMessage: original.providerMessage,
        retryable: true,
        cause: original,
      });
    }
  }

  /** Options for one long-running operation: poll interval + overall deadline. */
  private lroOptions() {
    return { updateIntervalInMs: this.runtime.pollIntervalMs, abortSignal: AbortSignal.timeout(this.runtime.operationTimeoutMs) };
  }

  private get resourceGroup(): string {
    return this.settings.resourceGroup;
  }

  async testConnection(): Promise<ConnectionTestResult> {
    const regions = await this.listRegions();
    const subnet = this.parseSubnetId();
    const found = await this.call('Reading the configured subnet', () =>
      this.network.subnets.get(subnet.resourceGroup, subnet.vnet, subnet.subnet),
    );
    return {
      detail: `Authenticated to subscription ${this.settings.subscriptionId}; ${regions.length} regions visible; subnet ${found.name ?? subnet.subnet} (${found.addressPrefix ?? 'no prefix'}) reachable`,
    };
  }

  private parseSubnetId() {
    const match = /\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Network\/virtualNetworks\/([^/]+)\/subnets\/([^/]+)$/i.exec(this.settings.subnetId);
    if (!match) throw new ProviderError('invalid_request', `subnetId is not a subnet ARM id: ${this.settings.subnetId}`);
    return { resourceGroup: match[1]!, vnet: match[2]!, subnet: match[3]! };
  }

  async listRegions(): Promise<ProviderRegion[]> {
    // Subscriptions_ListLocations has no client in the installed SDKs; send it through the
    // compute client's pipeline, which carries auth, TLS, retries and timeouts.
    const url = `${this.endpoint}/subscriptions/${encodeURIComponent(this.settings.subscriptionId)}/locations?api-version=${SUBSCRIPTIONS_API_VERSION}`;
    const body = await this.call('Listing locations', async () => {
      const request = createPipelineRequest({ url, method: 'GET', abortSignal: AbortSignal.timeout(this.runtime.callTimeoutMs) });
      const response = await this.compute.pipeline.sendRequest(this.httpClient, request);
      const parsed: unknown = response.bodyAsText ? JSON.parse(response.bodyAsText) : {};
      if (response.status !== 200) {
        const error = new RestError(`Listing locations returned ${response.status}`, { statusCode: response.status, response, request });
        error.details = parsed;
        const inner = (parsed as { error?: { code?: string; message?: string } }).error;
        if (inner?.code) error.code = inner.code;
        throw error;
      }
      return parsed as LocationResponse;
    });
    return (body.value ?? [])
      .filter((l) => l.name && (l.metadata?.regionType ?? 'Physical') === 'Physical')
      .map((l) => {
        const zones = (l.availabilityZoneMappings ?? []).map((z) => z.logicalZone).filter((z): z is string => Boolean(z));
        return { id: l.name!, name: l.displayName ?? l.name!, ...(zones.length > 0 ? { zones } : {}) };
      });
  }

  async listSizes(region: string): Promise<ProviderSize[]> {
    return this.call('Listing VM sizes', async () => {
      const sizes: ProviderSize[] = [];
      for await (const size of this.compute.virtualMachineSizes.list(normalizeRegion(region))) {
        if (!size.name) continue;
        sizes.push({ id: size.name, name: size.name, vcpus: size.numberOfCores ?? 0, memoryMiB: size.memoryInMB ?? 0 });
      }
      return sizes;
    });
  }

  async listImages(region: string): Promise<ProviderImage[]> {
    const location = normalizeRegion(region);
    const perOffer = await Promise.all(
      CURATED_OFFERS.map(async (curated) => {
        try {
          const skus = await this.call('Listing image SKUs', () => this.compute.virtualMachineImages.listSkus(location, curated.publisher, curated.offer));
          return skus.map((sku) => ({
            id: `${curated.publisher}:${curated.offer}:${sku.name}:latest`,
            name: `${curated.publisher} ${curated.offer} ${sku.name}`,
            os: curated.os,
          }));
        } catch (error) {
          // An offer that is not published in this region is simply not offered there.
          if (isNotFound(error)) return [];
          throw error;
        }
      }),
    );
    return perOffer.flat();
  }

  private async readVm(resourceGroup: string, name: string): Promise<VirtualMachine | null> {
    try {
      return await this.call('Reading the VM', () => this.compute.virtualMachines.get(resourceGroup, name, { expand: 'instanceView' }));
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async observe(idempotencyKey: string, _region: string): Promise<ObservedVm | null> {
    // The name is unique in the resource group whatever the region, so the key alone finds it.
    const vm = await this.readVm(this.resourceGroup, vmNameForKey(idempotencyKey));
    return vm ? toObservedVm(vm) : null;
  }

  async create(spec: CreateVmSpec): Promise<ObservedVm> {
    const image = parseImageUrn(spec.image);
    if (!image) throw new ProviderError('invalid_request', `Image id must be publisher:offer:sku[:version], got "${spec.image}"`);
    const location = normalizeRegion(spec.region);
    const vmName = vmNameForKey(spec.idempotencyKey);
    const existing = await this.readVm(this.resourceGroup, vmName);
    // Already there (a retry after a crash): re-PUTting would try to change the admin password.
    if (existing) return toObservedVm(existing);

    const tags = skyportTagMap(spec.tags, spec.extraTags);
    const nicName = nicNameForVm(vmName);
    const nic = await this.call('Creating the network interface', () =>
      this.network.networkInterfaces.createOrUpdate(
        this.resourceGroup,
        nicName,
        {
          location,
          tags,
          ipConfigurations: [{ name: 'ipconfig1', subnet: { id: this.settings.subnetId }, privateIPAllocationMethod: 'Dynamic', primary: true }],
        },
        this.lroOptions(),
      ),
      true,
    );
    try {
      const created = await this.call('Creating the VM', () =>
        this.compute.virtualMachines.createOrUpdate(
          this.resourceGroup,
          vmName,
          {
            location,
            tags,
            ...(spec.zone ? { zones: [spec.zone] } : {}),
            hardwareProfile: { vmSize: spec.size },
            storageProfile: {
              imageReference: { publisher: image.publisher, offer: image.offer, sku: image.sku, version: image.version },
              osDisk: { createOption: 'FromImage', caching: 'ReadWrite', deleteOption: 'Delete', managedDisk: { storageAccountType: 'StandardSSD_LRS' } },
            },
            osProfile: { computerName: computerNameForKey(spec.idempotencyKey), adminUsername: ADMIN_USERNAME, adminPassword: oneTimeAdminPassword() },
            networkProfile: { networkInterfaces: [{ id: nic.id, primary: true, deleteOption: 'Delete' }] },
          },
          this.lroOptions(),
        ),
        true,
      );
      const observed = await this.readVm(this.resourceGroup, vmName);
      return toObservedVm(observed ?? created, nic.ipConfigurations?.[0]?.privateIPAddress);
    } catch (error) {
      await this.removeOrphanNic(nicName, error);
      throw error;
    }
  }

  /** A VM PUT that was refused for good leaves a NIC nobody uses; remove it (best effort). */
  private async removeOrphanNic(nicName: string, cause: unknown): Promise<void> {
    if (!isProviderError(cause) || cause.retryable) return;
    try {
      await this.network.networkInterfaces.delete(this.resourceGroup, nicName, this.lroOptions());
    } catch {
      // The original error is what the caller needs to see.
    }
  }

  private refOf(ref: VmRef) {
    const parsed = parseVmId(ref.providerId);
    if (!parsed) throw new ProviderError('invalid_request', `Not an Azure VM id: ${ref.providerId}`);
    return parsed;
  }

  async get(ref: VmRef): Promise<ObservedVm | null> {
    const { resourceGroup, name } = this.refOf(ref);
    const vm = await this.readVm(resourceGroup, name);
    return vm ? toObservedVm(vm) : null;
  }

  async start(ref: VmRef): Promise<void> {
    const { resourceGroup, name } = this.refOf(ref);
    await this.call('Starting the VM', () => this.compute.virtualMachines.start(resourceGroup, name, this.lroOptions()), true);
  }

  async stop(ref: VmRef, options: { deallocate?: boolean } = {}): Promise<void> {
    const { resourceGroup, name } = this.refOf(ref);
    if (options.deallocate) {
      await this.call('Deallocating the VM', () => this.compute.virtualMachines.deallocate(resourceGroup, name, this.lroOptions()), true);
    } else {
      await this.call('Powering off the VM', () => this.compute.virtualMachines.powerOff(resourceGroup, name, this.lroOptions()), true);
    }
  }

  async reboot(ref: VmRef): Promise<void> {
    const { resourceGroup, name } = this.refOf(ref);
    await this.call('Restarting the VM', () => this.compute.virtualMachines.restart(resourceGroup, name, this.lroOptions()), true);
  }

  async resize(ref: VmRef, size: string): Promise<void> {
    const { resourceGroup, name } = this.refOf(ref);
    await this.call('Resizing the VM', () =>
      this.compute.virtualMachines.update(resourceGroup, name, { hardwareProfile: { vmSize: size } }, this.lroOptions()),
      true,
    );
  }

  async delete(ref: VmRef): Promise<void> {
    const { resourceGroup, name } = this.refOf(ref);
    try {
      // The NIC and OS disk were created with deleteOption=Delete, so they go with the VM.
      await this.call('Deleting the VM', () => this.compute.virtualMachines.delete(resourceGroup, name, this.lroOptions()), true);
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
  }

  /**
   * ARM has no merge for a resource's own `tags` (a PATCH replaces the whole map), so read the VM's
   * tags, merge, and PATCH them back (VirtualMachines_Update with only `tags`).
   */
  async setTags(ref: VmRef, tags: Record<string, string>): Promise<void> {
    const { resourceGroup, name } = this.refOf(ref);
    const vm = await this.readVm(resourceGroup, name);
    if (!vm) throw new ProviderError('not_found', `VM ${ref.providerId} does not exist`, { providerCode: 'ResourceNotFound', retryable: false });
    const merged = { ...(vm.tags ?? {}), ...tags };
    await this.call('Tagging the VM', () => this.compute.virtualMachines.update(resourceGroup, name, { tags: merged }, this.lroOptions()), true);
  }

  /** Ends the keep-alive sockets of our agent; the SDK clients hold nothing else. Idempotent. */
  async close(): Promise<void> {
    this.agent.destroy();
  }

  async listVms(region: string, options: ListVmsOptions = {}): Promise<ListVmsPage> {
    const location = normalizeRegion(region);
    assertOwnPageToken(this.endpoint, options.pageToken);
    return this.call('Listing VMs', async () => {
      // ListAll is subscription-wide; statusOnly=true adds each VM's power state to the page.
      const pages = this.compute.virtualMachines.listAll({ statusOnly: 'true' }).byPage({ continuationToken: options.pageToken });
      const next = await pages.next();
      if (next.done) return { vms: [] };
      const page = next.value;
      const vms = page.filter((vm) => normalizeRegion(vm.location ?? '') === location).map((vm) => toObservedVm(vm));
      return page.continuationToken ? { vms, nextPageToken: page.continuationToken } : { vms };
    });
  }
}

export function toObservedVm(vm: VirtualMachine, privateIp?: string): ObservedVm {
  const tags = { ...(vm.tags ?? {}) };
  const condition = conditionFrom(vm.provisioningState, vm.instanceView?.statuses);
  const imageId = imageUrn(vm.storageProfile?.imageReference ?? {});
  return {
    providerId: vm.id ?? '',
    name: vm.name ?? '',
    region: normalizeRegion(vm.location ?? ''),
    ...(vm.zones?.[0] ? { zone: vm.zones[0] } : {}),
    size: vm.hardwareProfile?.vmSize ?? '',
    ...(imageId ? { imageId } : {}),
    state: vmStateFrom(condition),
    providerState: providerStateText(condition),
    tags,
    skyport: parseSkyportTags(tags),
    ...(privateIp ? { privateIp } : {}),
    ...(vm.timeCreated ? { createdAt: new Date(vm.timeCreated) } : {}),
  };
}
