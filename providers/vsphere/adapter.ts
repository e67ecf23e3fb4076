// The vSphere adapter: vim25 SOAP against vCenter (CloneVM_Task from templates, power and
// reconfigure tasks, PropertyCollector inventory with server-side paging, custom attributes for
// Skyport's ownership tags).
import { isProviderError, ProviderError } from '../errors';
import { resolveRuntime } from '../shared/runtime';
import { skyportTagMap } from '../shared/tags';
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
import { sdkUrl, type VsphereSecrets, type VsphereSettings } from './config';
import { Inventory } from './inventory';
import { annotationFor, vmNameForKey } from './naming';
import { isTemplate, observedVmFrom, unknownFieldKeys, VM_PROPERTY_PATHS } from './state';
import { decodePageToken, encodePageToken } from './paging';
import { sizeById, VSPHERE_SIZES } from './sizes';
import { VimClient } from './soap/client';
import { containerViewObjectSpecXml, type ObjectContent, propertySpecXml, taskRefOf, textOf } from './soap/property-collector';
import { element, moRefElement, type MoRef, textElement, toMoRef } from './soap/xml';

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;

export interface VsphereAdapterInput {
  settings: VsphereSettings;
  secrets: VsphereSecrets;
  runtime?: AdapterRuntimeOptions;
}

const vmRef = (providerId: string): MoRef => ({ type: 'VirtualMachine', value: providerId });

function hasCode(error: unknown, ...providerCodes: string[]): boolean {
  return isProviderError(error) && providerCodes.includes(error.providerCode ?? '');
}

export class VsphereAdapter implements ProviderAdapter {
  readonly kind = 'vsphere' as const;
  private readonly client: VimClient;
  private readonly inventory: Inventory;
  private readonly pollIntervalMs: number;
  private readonly operationTimeoutMs: number;

  constructor({ settings, secrets, runtime: options = {} }: VsphereAdapterInput) {
    const runtime = resolveRuntime(options);
    this.client = new VimClient({
      endpoint: sdkUrl(settings.endpoint),
      username: secrets.username,
      password: secrets.password,
      trust: { caCertPem: settings.caCertPem, thumbprint: settings.thumbprint, insecure: settings.insecure },
      requestTimeoutMs: runtime.requestTimeoutMs,
      callTimeoutMs: runtime.callTimeoutMs,
      maxRetries: runtime.maxRetries,
      retryBaseDelayMs: Math.min(200, runtime.pollIntervalMs),
    });
    this.inventory = new Inventory(this.client, settings);
    this.pollIntervalMs = runtime.pollIntervalMs;
    this.operationTimeoutMs = runtime.operationTimeoutMs;
  }

  capabilities(): ProviderCapabilities {
    return {
      actions: ['start', 'stop', 'reboot', 'resize', 'delete'],
      // CPU/memory hot-add is off by default on vSphere VMs; resizing a stopped VM always works.
      resizeRequiresStop: true,
      idempotency: 'VM name derived from the key (unique per vCenter folder: DuplicateName), plus the skyport-id custom attribute',
    };
  }

  async testConnection(): Promise<ConnectionTestResult> {
    const content = await this.client.serviceContent();
    await this.client.login();
    const session = await this.inventory.collector.read(content.sessionManager, ['currentSession']);
    const user = session?.props.get('currentSession')?.children.find((c) => c.name === 'userName')?.text ?? 'unknown user';
    const datacenters = await this.inventory.listDatacenters();
    return {
      detail: `authenticated as ${user} on ${content.about.fullName} (API ${content.about.apiVersion}); ${datacenters.size} datacenter(s) visible`,
    };
  }

  async listRegions(): Promise<ProviderRegion[]> {
    const datacenters = await this.inventory.listDatacenters();
    return [...datacenters.values()].map((dc) => ({ id: dc.name, name: dc.name }));
  }

  async listSizes(region: string): Promise<ProviderSize[]> {
    await this.inventory.datacenter(region);
    return [...VSPHERE_SIZES];
  }

  async listImages(region: string): Promise<ProviderImage[]> {
    const templates = await this.inventory.listTemplates(region);
    return templates.map((t) => ({ id: t.name, name: t.name, os: t.guestFullName }));
  }

  // ---- reading VMs ----

  private async toObserved(content: ObjectContent, region: string): Promise<ObservedVm> {
    let names = await this.inventory.fieldNameMap();
    if (unknownFieldKeys(content, names).length > 0) names = await this.inventory.fieldNameMap(true);
    return observedVmFrom(content, region, names);
  }

  private async readVm(ref: MoRef, region: string): Promise<ObservedVm | null> {
    const content = await this.inventory.collector.read(ref, VM_PROPERTY_PATHS);
    if (!content || isTemplate(content)) return null;
    return this.toObserved(content, region);
  }

  private async findByName(region: string, name: string): Promise<MoRef | null> {
    const folder = await this.inventory.targetFolder(region);
    const found = await this.inventory.findChild(folder, name);
    return found && found.type === 'VirtualMachine' ? found : null;
  }

  async observe(idempotencyKey: string, region: string): Promise<ObservedVm | null> {
    const ref = await this.findByName(region, vmNameForKey(idempotencyKey));
    return ref ? this.readVm(ref, region) : null;
  }

  async get(ref: VmRef): Promise<ObservedVm | null> {
    return this.readVm(vmRef(ref.providerId), ref.region);
  }

  async listVms(region: string, options: ListVmsOptions = {}): Promise<ListVmsPage> {
    const collector = this.inventory.collector;
    let view: MoRef;
    let page;
    if (options.pageToken) {
      const token = decodePageToken(options.pageToken);
      view = { type: 'ContainerView', value: token.view };
      page = await collector.continueRetrieve(token.token);
    } else {
      const dc = await this.inventory.datacenter(region);
      view = await collector.createContainerView(dc.vmFolder, ['VirtualMachine']);
      const pageSize = Math.min(Math.max(1, options.pageSize ?? DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE);
      page = await collector.retrieve(propertySpecXml('VirtualMachine', VM_PROPERTY_PATHS), containerViewObjectSpecXml(view), pageSize);
    }
    if (!page.token) await collector.destroyView(view).catch(() => undefined);
    const vms: ObservedVm[] = [];
    for (const content of page.objects) {
      if (!isTemplate(content)) vms.push(await this.toObserved(content, region));
    }
    return { vms, nextPageToken: page.token ? encodePageToken({ token: page.token, view: view.value }) : undefined };
  }

  // ---- create ----

  async create(spec: CreateVmSpec): Promise<ObservedVm> {
    const size = sizeById(spec.size);
    if (!size) throw new ProviderError('invalid_request', `unknown vSphere size "${spec.size}"`);
    const name = vmNameForKey(spec.idempotencyKey);

    let ref = await this.findByName(spec.region, name);
    const cloned = ref === null;
    if (!ref) ref = await this.cloneFromTemplate(spec, name, size.vcpus, size.memoryMiB);

    let vm = await this.readVm(ref, spec.region);
    if (!vm) throw new ProviderError('conflict', `VM ${name} vanished right after it was created`, { retryable: true });
    if (vm.skyport && vm.skyport.skyportId !== spec.tags.skyportId) {
      throw new ProviderError('conflict', `VM name ${name} is taken by Skyport VM ${vm.skyport.skyportId}`, { retryable: false });
    }
    const firstCompletion = cloned || vm.skyport === null;
    // Some servers (govmomi's simulator) ignore the clone spec's hardware: make the size true.
    if (firstCompletion && (vm.vcpus !== size.vcpus || vm.memoryMiB !== size.memoryMiB)) {
      if (vm.state === 'running') await this.powerOffAndWait(ref);
      await this.reconfigure(ref, size.vcpus, size.memoryMiB);
    }
    const wanted = skyportTagMap(spec.tags, spec.extraTags);
    for (const [key, value] of Object.entries(wanted)) {
      if (vm.tags[key] !== value) await this.inventory.setField(ref, key, value);
    }
    if (firstCompletion) {
      vm = await this.readVm(ref, spec.region);
      if (vm && vm.state === 'stopped') await this.start({ providerId: ref.value, region: spec.region });
    }
    const final = await this.readVm(ref, spec.region);
    if (!final) throw new ProviderError('conflict', `VM ${name} vanished while being tagged`, { retryable: true });
    return final;
  }

  private async cloneFromTemplate(spec: CreateVmSpec, name: string, vcpus: number, memoryMiB: number): Promise<MoRef> {
    const template = await this.inventory.template(spec.region, spec.image);
    const placement = await this.inventory.placement(spec.region);
    const location =
      moRefElement('pool', placement.pool) + (placement.datastore ? moRefElement('datastore', placement.datastore) : '');
    const config =
      textElement('numCPUs', vcpus) + textElement('memoryMB', memoryMiB) + textElement('annotation', annotationFor(spec.idempotencyKey, spec.name));
    const cloneSpec =
      element('location', location) + textElement('template', false) + element('config', config) + textElement('powerOn', true);
    const args = moRefElement('folder', placement.folder) + textElement('name', name) + element('spec', cloneSpec);
    try {
      const response = await this.client.invoke('CloneVM_Task', template.ref, args);
      const result = await this.inventory.collector.waitForTask(taskRefOf(response), this.taskWait());
      const created = toMoRef(result);
      if (created) return created;
      const byName = await this.findByName(spec.region, name);
      if (byName) return byName;
      throw new ProviderError('conflict', `clone of ${name} finished without a VM`, { retryable: true });
    } catch (error) {
      // The name is taken: an earlier attempt (maybe still cloning, after a crash) made it.
      if (!hasCode(error, 'DuplicateName')) throw error;
      return this.waitForName(spec.region, name);
    }
  }

  private async waitForName(region: string, name: string): Promise<MoRef> {
    const deadline = Date.now() + this.operationTimeoutMs;
    for (;;) {
      const ref = await this.findByName(region, name);
      if (ref) return ref;
      if (Date.now() > deadline) throw new ProviderError('conflict', `VM name ${name} is reserved but no VM appeared`);
      await new Promise((resolve) => setTimeout(resolve, this.pollIntervalMs));
    }
  }

  // ---- day 2 ----

  private taskWait() {
    return { pollIntervalMs: this.pollIntervalMs, timeoutMs: this.operationTimeoutMs };
  }

  private async runTask(method: string, self: MoRef, argsXml = ''): Promise<void> {
    const response = await this.client.invoke(method, self, argsXml);
    await this.inventory.collector.waitForTask(taskRefOf(response), this.taskWait());
  }

  private async powerState(ref: MoRef): Promise<{ powerState: string; toolsRunning: boolean } | null> {
    const content = await this.inventory.collector.read(ref, ['runtime.powerState', 'guest.toolsRunningStatus', 'config.template']);
    if (!content) return null;
    // Templates are images: a VmRef pointing at one must never power it or destroy it.
    if (isTemplate(content)) throw new ProviderError('invalid_request', `${ref.value} is a template, not a VM`);
    return {
      powerState: textOf(content.props.get('runtime.powerState')) ?? 'unknown',
      toolsRunning: textOf(content.props.get('guest.toolsRunningStatus')) === 'guestToolsRunning',
    };
  }

  private async requirePowerState(ref: VmRef) {
    const state = await this.powerState(vmRef(ref.providerId));
    if (!state) throw new ProviderError('not_found', `VM ${ref.providerId} not found`, { providerCode: 'ManagedObjectNotFound' });
    return state;
  }

  /** Run a power task; a concurrent change that already reached `target` counts as success. */
  private async powerTask(ref: MoRef, method: string, target: string): Promise<void> {
    try {
      await this.runTask(method, ref);
    } catch (error) {
      if (!hasCode(error, 'InvalidPowerState')) throw error;
      const state = await this.powerState(ref);
      if (state?.powerState !== target) throw error;
    }
  }

  async start(ref: VmRef): Promise<void> {
    const { powerState } = await this.requirePowerState(ref);
    if (powerState === 'poweredOn') return;
    await this.powerTask(vmRef(ref.providerId), 'PowerOnVM_Task', 'poweredOn');
  }

  async stop(ref: VmRef): Promise<void> {
    const { powerState } = await this.requirePowerState(ref);
    if (powerState === 'poweredOff') return;
    await this.powerOffAndWait(vmRef(ref.providerId));
  }

  private powerOffAndWait(ref: MoRef): Promise<void> {
    return this.powerTask(ref, 'PowerOffVM_Task', 'poweredOff');
  }

  async reboot(ref: VmRef): Promise<void> {
    const { powerState, toolsRunning } = await this.requirePowerState(ref);
    if (powerState !== 'poweredOn') return this.start(ref);
    // A guest reboot is clean but needs VMware Tools; without them only a hard reset is possible.
    if (toolsRunning) {
      try {
        await this.client.invoke('RebootGuest', vmRef(ref.providerId));
        return;
      } catch (error) {
        // Tools stopped between the read and the call: fall back to a reset.
        if (!hasCode(error, 'ToolsUnavailable', 'InvalidState', 'NotSupported')) throw error;
      }
    }
    await this.runTask('ResetVM_Task', vmRef(ref.providerId));
  }

  private reconfigure(ref: MoRef, vcpus: number, memoryMiB: number): Promise<void> {
    const spec = textElement('numCPUs', vcpus) + textElement('memoryMB', memoryMiB);
    return this.runTask('ReconfigVM_Task', ref, element('spec', spec));
  }

  async resize(ref: VmRef, sizeId: string): Promise<void> {
    const size = sizeById(sizeId);
    if (!size) throw new ProviderError('invalid_request', `unknown vSphere size "${sizeId}"`);
    const vm = await this.get(ref);
    if (!vm) throw new ProviderError('not_found', `VM ${ref.providerId} not found`, { providerCode: 'ManagedObjectNotFound' });
    if (vm.vcpus === size.vcpus && vm.memoryMiB === size.memoryMiB) return;
    await this.reconfigure(vmRef(ref.providerId), size.vcpus, size.memoryMiB);
  }

  async delete(ref: VmRef): Promise<void> {
    const target = vmRef(ref.providerId);
    try {
      const state = await this.powerState(target);
      if (!state) return;
      if (state.powerState !== 'poweredOff') await this.powerOffAndWait(target);
      await this.runTask('Destroy_Task', target);
    } catch (error) {
      if (hasCode(error, 'ManagedObjectNotFound')) return;
      throw error;
    }
  }

  /** Custom attributes are per key, so SetField for each changed key is a merge by nature. */
  async setTags(ref: VmRef, tags: Record<string, string>): Promise<void> {
    const target = vmRef(ref.providerId);
    const vm = await this.readVm(target, ref.region);
    if (!vm) throw new ProviderError('not_found', `VM ${ref.providerId} not found`, { providerCode: 'ManagedObjectNotFound' });
    for (const [key, value] of Object.entries(tags)) {
      if (vm.tags[key] !== value) await this.inventory.setField(target, key, value);
    }
  }

  /** End the vCenter session (sessions are a limited resource on vCenter) and close the agent. */
  async close(): Promise<void> {
    await this.client.close();
  }
}

export function createVsphereAdapter(input: VsphereAdapterInput): VsphereAdapter {
  return new VsphereAdapter(input);
}
