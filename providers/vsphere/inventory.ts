// Locating things in the vCenter inventory: datacenters (regions), the folder / pool / datastore a
// clone goes to, templates (images), and the custom field definitions (Skyport's tags).
import { isProviderError, ProviderError } from '../errors';
import type { VsphereSettings } from './config';
import type { VimClient } from './soap/client';
import { boolOf, customFieldDefsOf, PropertyCollector, textOf } from './soap/property-collector';
import { child, moRefElement, type MoRef, textElement, toMoRef } from './soap/xml';

export interface DatacenterInfo {
  name: string;
  ref: MoRef;
  vmFolder: MoRef;
  hostFolder: MoRef;
}

export interface Placement {
  folder: MoRef;
  pool: MoRef;
  datastore?: MoRef;
}

export interface TemplateInfo {
  name: string;
  ref: MoRef;
  guestFullName?: string;
}

const TEMPLATE_CACHE_MS = 60_000;
const FIELD_REFRESH_MS = 5_000;

export class Inventory {
  readonly collector: PropertyCollector;
  private datacenters: Promise<Map<string, DatacenterInfo>> | undefined;
  private readonly placements = new Map<string, Promise<Placement>>();
  private readonly targetFolders = new Map<string, Promise<MoRef>>();
  private readonly templates = new Map<string, { at: number; list: Promise<TemplateInfo[]> }>();
  private fieldNames = new Map<number, string>();
  private fieldKeys = new Map<string, number>();
  private fieldDefsLoadedAt = 0;

  constructor(
    private readonly client: VimClient,
    private readonly settings: VsphereSettings,
  ) {
    this.collector = new PropertyCollector(client);
  }

  async listDatacenters(): Promise<Map<string, DatacenterInfo>> {
    if (!this.datacenters) {
      this.datacenters = this.loadDatacenters();
      this.datacenters.catch(() => {
        this.datacenters = undefined;
      });
    }
    return this.datacenters;
  }

  private async loadDatacenters(): Promise<Map<string, DatacenterInfo>> {
    const { rootFolder } = await this.client.serviceContent();
    const found = await this.collector.listUnder(rootFolder, 'Datacenter', ['name', 'vmFolder', 'hostFolder']);
    const byName = new Map<string, DatacenterInfo>();
    for (const dc of found) {
      const name = textOf(dc.props.get('name'));
      const vmFolder = toMoRef(dc.props.get('vmFolder'));
      const hostFolder = toMoRef(dc.props.get('hostFolder'));
      if (name && vmFolder && hostFolder) byName.set(name, { name, ref: dc.obj, vmFolder, hostFolder });
    }
    return byName;
  }

  async datacenter(region: string): Promise<DatacenterInfo> {
    const dc = (await this.listDatacenters()).get(region);
    if (!dc) throw new ProviderError('not_found', `vSphere datacenter "${region}" not found`, { providerCode: 'NotFound' });
    return dc;
  }

  /** SearchIndex.FindChild: one name inside one folder / datacenter / compute resource / pool. */
  async findChild(parent: MoRef, name: string): Promise<MoRef | null> {
    const { searchIndex } = await this.client.serviceContent();
    const response = await this.client.invoke('FindChild', searchIndex, moRefElement('entity', parent) + textElement('name', name));
    return toMoRef(child(response, 'returnval')) ?? null;
  }

  private async walk(start: MoRef, path: string, what: string): Promise<MoRef> {
    let current = start;
    for (const segment of path.split('/').filter(Boolean)) {
      const next = await this.findChild(current, segment);
      if (!next) throw new ProviderError('not_found', `vSphere ${what} "${path}": "${segment}" not found`, { providerCode: 'NotFound' });
      current = next;
    }
    return current;
  }

  /** The folder Skyport clones into (and looks VMs up in by name). */
  async targetFolder(region: string): Promise<MoRef> {
    let folder = this.targetFolders.get(region);
    if (!folder) {
      folder = this.datacenter(region).then((dc) => (this.settings.vmFolder ? this.walk(dc.vmFolder, this.settings.vmFolder, 'VM folder') : dc.vmFolder));
      folder.catch(() => this.targetFolders.delete(region));
      this.targetFolders.set(region, folder);
    }
    return folder;
  }

  async placement(region: string): Promise<Placement> {
    let placement = this.placements.get(region);
    if (!placement) {
      placement = this.resolvePlacement(region);
      placement.catch(() => this.placements.delete(region));
      this.placements.set(region, placement);
    }
    return placement;
  }

  private async resolvePlacement(region: string): Promise<Placement> {
    const dc = await this.datacenter(region);
    const folder = await this.targetFolder(region);
    let pool: MoRef | undefined;
    if (this.settings.resourcePool) {
      pool = await this.walk(dc.hostFolder, this.settings.resourcePool, 'resource pool');
    } else {
      const computes = await this.collector.listUnder(dc.hostFolder, 'ComputeResource', ['name', 'resourcePool']);
      computes.sort((a, b) => (textOf(a.props.get('name')) ?? '').localeCompare(textOf(b.props.get('name')) ?? ''));
      pool = computes.map((c) => toMoRef(c.props.get('resourcePool'))).find((p) => p !== undefined);
    }
    if (!pool) throw new ProviderError('invalid_request', `datacenter "${region}" has no cluster or host with a resource pool`);
    let datastore: MoRef | undefined;
    if (this.settings.datastore) {
      const stores = await this.collector.listUnder(dc.ref, 'Datastore', ['name']);
      datastore = stores.find((s) => textOf(s.props.get('name')) === this.settings.datastore)?.obj;
      if (!datastore) throw new ProviderError('not_found', `datastore "${this.settings.datastore}" not found in "${region}"`);
    }
    return { folder, pool, datastore };
  }

  async listTemplates(region: string): Promise<TemplateInfo[]> {
    const cached = this.templates.get(region);
    if (cached && Date.now() - cached.at < TEMPLATE_CACHE_MS) return cached.list;
    const list = this.loadTemplates(region);
    list.catch(() => this.templates.delete(region));
    this.templates.set(region, { at: Date.now(), list });
    return list;
  }

  private async loadTemplates(region: string): Promise<TemplateInfo[]> {
    const dc = await this.datacenter(region);
    const vms = await this.collector.listUnder(dc.vmFolder, 'VirtualMachine', ['name', 'config.template', 'config.guestFullName']);
    return vms
      .filter((vm) => boolOf(vm.props.get('config.template')) === true)
      .map((vm) => ({ name: textOf(vm.props.get('name')) ?? vm.obj.value, ref: vm.obj, guestFullName: textOf(vm.props.get('config.guestFullName')) }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async template(region: string, image: string): Promise<TemplateInfo> {
    const template = (await this.listTemplates(region)).find((t) => t.name === image || t.ref.value === image);
    if (!template) throw new ProviderError('invalid_request', `no VM template "${image}" in datacenter "${region}"`, { providerCode: 'NotFound' });
    return template;
  }

  // ---- custom attributes ----

  /**
   * Field key → name. `refresh` (a VM carries a key we have not seen) reloads at most every few
   * seconds, so keys of non-VM fields never cause a reload per listed VM.
   */
  async fieldNameMap(refresh = false): Promise<ReadonlyMap<number, string>> {
    const stale = Date.now() - this.fieldDefsLoadedAt > FIELD_REFRESH_MS;
    if (this.fieldDefsLoadedAt === 0 || (refresh && stale)) await this.loadFieldDefs();
    return this.fieldNames;
  }

  private async loadFieldDefs(): Promise<void> {
    const { customFieldsManager } = await this.client.serviceContent();
    if (!customFieldsManager) {
      this.fieldDefsLoadedAt = Date.now();
      return;
    }
    const content = await this.collector.read(customFieldsManager, ['field']);
    const names = new Map<number, string>();
    const keys = new Map<string, number>();
    for (const def of customFieldDefsOf(content?.props.get('field'))) {
      if (def.moType && def.moType !== 'VirtualMachine') continue;
      names.set(def.key, def.name);
      keys.set(def.name, def.key);
    }
    this.fieldNames = names;
    this.fieldKeys = keys;
    this.fieldDefsLoadedAt = Date.now();
  }

  /** The key of the VM custom attribute `name`, defining it first when it does not exist. */
  async fieldKey(name: string): Promise<number> {
    let key = this.fieldKeys.get(name);
    if (key !== undefined) return key;
    const { customFieldsManager } = await this.client.serviceContent();
    if (!customFieldsManager) throw new ProviderError('invalid_request', 'this endpoint has no CustomFieldsManager (ESXi without vCenter?)');
    try {
      const response = await this.client.invoke(
        'AddCustomFieldDef',
        customFieldsManager,
        textElement('name', name) + textElement('moType', 'VirtualMachine'),
      );
      key = Number.parseInt(child(child(response, 'returnval'), 'key')?.text ?? '', 10);
    } catch (error) {
      // Someone (another Skyport worker) defined it meanwhile.
      if (!(isProviderError(error) && error.providerCode === 'DuplicateName')) throw error;
    }
    if (key === undefined || !Number.isFinite(key)) {
      await this.loadFieldDefs();
      key = this.fieldKeys.get(name);
    } else {
      this.fieldKeys.set(name, key);
      this.fieldNames.set(key, name);
    }
    if (key === undefined) throw new ProviderError('conflict', `custom attribute "${name}" could not be defined`);
    return key;
  }

  async setField(entity: MoRef, name: string, value: string): Promise<void> {
    const { customFieldsManager } = await this.client.serviceContent();
    if (!customFieldsManager) throw new ProviderError('invalid_request', 'this endpoint has no CustomFieldsManager');
    const key = await this.fieldKey(name);
    await this.client.invoke(
      'SetField',
      customFieldsManager,
      moRefElement('entity', entity) + textElement('key', key) + textElement('value', value),
    );
  }
}

