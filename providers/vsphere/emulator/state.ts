// The emulator's in-memory vCenter inventory: datacenters with folders, one cluster + host + root
// resource pool + datastore each, templates and VMs, custom field definitions. Objects are kept
// by moref value; every managed object answers property paths as xsi:typed wire values.
import { randomUUID } from 'node:crypto';
import type { MoRef } from '../soap/xml';
import { faults, text, values, type WireValue } from './wire';

export interface EmulatedVm {
  id: string;
  name: string;
  folderId: string;
  datacenterId: string;
  template: boolean;
  numCPU: number;
  memoryMB: number;
  powerState: 'poweredOn' | 'poweredOff' | 'suspended';
  guestFullName: string;
  annotation: string;
  ipAddress?: string;
  toolsRunning: boolean;
  createdAt: string;
  uuid: string;
  customValues: Record<string, string>;
}

export interface EmulatedFolder {
  id: string;
  name: string;
  parentId: string;
  childType: 'VirtualMachine' | 'ComputeResource' | 'Datastore' | 'Network' | 'Datacenter';
  children: string[];
}

export interface EmulatedDatacenter {
  id: string;
  name: string;
  vmFolderId: string;
  hostFolderId: string;
  datastoreFolderId: string;
  networkFolderId: string;
  clusterId: string;
  hostId: string;
  poolId: string;
  datastoreId: string;
}

export interface CustomFieldDef {
  key: number;
  name: string;
  moType: string;
}

export const ROOT_FOLDER_ID = 'group-d1';

/** Supertypes, so a propSet/view for `ComputeResource` or `ManagedEntity` matches subtypes. */
const SUPERTYPE: Record<string, string> = {
  ClusterComputeResource: 'ComputeResource',
  ComputeResource: 'ManagedEntity',
  Folder: 'ManagedEntity',
  Datacenter: 'ManagedEntity',
  VirtualMachine: 'ManagedEntity',
  ResourcePool: 'ManagedEntity',
  HostSystem: 'ManagedEntity',
  Datastore: 'ManagedEntity',
  Network: 'ManagedEntity',
};

export function isA(type: string, wanted: string): boolean {
  for (let t: string | undefined = type; t; t = SUPERTYPE[t]) if (t === wanted) return true;
  return false;
}

export interface SerializedInventory {
  nextId: number;
  nextFieldKey: number;
  datacenters: EmulatedDatacenter[];
  folders: EmulatedFolder[];
  vms: EmulatedVm[];
  fields: CustomFieldDef[];
}

export class EmulatedInventory {
  nextId = 10;
  nextFieldKey = 101;
  readonly datacenters = new Map<string, EmulatedDatacenter>();
  readonly folders = new Map<string, EmulatedFolder>();
  readonly vms = new Map<string, EmulatedVm>();
  readonly fields: CustomFieldDef[] = [];

  constructor() {
    this.folders.set(ROOT_FOLDER_ID, { id: ROOT_FOLDER_ID, name: 'Datacenters', parentId: '', childType: 'Datacenter', children: [] });
  }

  id(prefix: string): string {
    this.nextId += 1;
    return `${prefix}-${this.nextId}`;
  }

  addDatacenter(name: string): EmulatedDatacenter {
    const dc: EmulatedDatacenter = {
      id: this.id('datacenter'),
      name,
      vmFolderId: this.id('group-v'),
      hostFolderId: this.id('group-h'),
      datastoreFolderId: this.id('group-s'),
      networkFolderId: this.id('group-n'),
      clusterId: this.id('domain-c'),
      hostId: this.id('host'),
      poolId: this.id('resgroup'),
      datastoreId: this.id('datastore'),
    };
    const folder = (id: string, folderName: string, childType: EmulatedFolder['childType'], children: string[] = []) =>
      this.folders.set(id, { id, name: folderName, parentId: dc.id, childType, children });
    folder(dc.vmFolderId, 'vm', 'VirtualMachine');
    folder(dc.hostFolderId, 'host', 'ComputeResource', [dc.clusterId]);
    folder(dc.datastoreFolderId, 'datastore', 'Datastore', [dc.datastoreId]);
    folder(dc.networkFolderId, 'network', 'Network');
    this.datacenters.set(dc.id, dc);
    this.folders.get(ROOT_FOLDER_ID)!.children.push(dc.id);
    return dc;
  }

  datacenterByName(name: string): EmulatedDatacenter | undefined {
    for (const dc of this.datacenters.values()) if (dc.name === name) return dc;
    return undefined;
  }

  addVm(input: Omit<EmulatedVm, 'id' | 'uuid' | 'createdAt' | 'customValues'> & { customValues?: Record<string, string>; createdAt?: Date }): EmulatedVm {
    const { createdAt, ...fields } = input;
    const vm: EmulatedVm = { ...fields, id: this.id('vm'), uuid: randomUUID(), createdAt: (createdAt ?? new Date()).toISOString(), customValues: input.customValues ?? {} };
    this.vms.set(vm.id, vm);
    this.folders.get(vm.folderId)?.children.push(vm.id);
    return vm;
  }

  removeVm(id: string): void {
    const vm = this.vms.get(id);
    if (!vm) return;
    this.vms.delete(id);
    const folder = this.folders.get(vm.folderId);
    if (folder) folder.children = folder.children.filter((c) => c !== id);
  }

  /** The managed-object type of an inventory moref value; undefined when it does not exist. */
  typeOf(id: string): string | undefined {
    if (this.vms.has(id)) return 'VirtualMachine';
    if (this.folders.has(id)) return 'Folder';
    if (this.datacenters.has(id)) return 'Datacenter';
    for (const dc of this.datacenters.values()) {
      if (dc.clusterId === id) return 'ClusterComputeResource';
      if (dc.hostId === id) return 'HostSystem';
      if (dc.poolId === id) return 'ResourcePool';
      if (dc.datastoreId === id) return 'Datastore';
    }
    return undefined;
  }

  private dcOwning(id: string): EmulatedDatacenter | undefined {
    for (const dc of this.datacenters.values()) {
      if ([dc.clusterId, dc.hostId, dc.poolId, dc.datastoreId].includes(id)) return dc;
    }
    return undefined;
  }

  ref(id: string): MoRef | undefined {
    const type = this.typeOf(id);
    return type ? { type, value: id } : undefined;
  }

  /** Direct children for FindChild and ContainerView containment. */
  childrenOf(id: string): string[] {
    const folder = this.folders.get(id);
    if (folder) return folder.children;
    const dc = this.datacenters.get(id);
    if (dc) return [dc.vmFolderId, dc.hostFolderId, dc.datastoreFolderId, dc.networkFolderId];
    const owner = this.dcOwning(id);
    if (owner && owner.clusterId === id) return [owner.poolId, owner.hostId];
    return [];
  }

  nameOf(id: string): string | undefined {
    const vm = this.vms.get(id);
    if (vm) return vm.name;
    const folder = this.folders.get(id);
    if (folder) return folder.name;
    const dc = this.datacenters.get(id);
    if (dc) return dc.name;
    const owner = this.dcOwning(id);
    if (!owner) return undefined;
    if (owner.clusterId === id) return 'cluster-1';
    if (owner.hostId === id) return `esxi-01.${owner.name.toLowerCase()}.local`;
    if (owner.poolId === id) return 'Resources';
    return 'datastore1';
  }

  /** Everything below `id` (not `id` itself), depth-first. */
  descendants(id: string, recursive: boolean): string[] {
    const out: string[] = [];
    const walk = (parent: string) => {
      for (const childId of this.childrenOf(parent)) {
        out.push(childId);
        if (recursive) walk(childId);
      }
    };
    walk(id);
    return out;
  }

  datacenterOfFolder(folderId: string): EmulatedDatacenter | undefined {
    let current = this.folders.get(folderId);
    while (current) {
      const dc = this.datacenters.get(current.parentId);
      if (dc) return dc;
      current = this.folders.get(current.parentId);
    }
    return undefined;
  }

  fieldByKey(key: number): CustomFieldDef | undefined {
    return this.fields.find((f) => f.key === key);
  }

  // ---- properties ----

  /** A property of an inventory object; undefined = unset (omitted from propSet); throws InvalidProperty. */
  property(id: string, path: string): WireValue | undefined {
    const vm = this.vms.get(id);
    if (vm) return this.vmProperty(vm, path);
    const folder = this.folders.get(id);
    if (folder) {
      switch (path) {
        case 'name':
          return values.string(folder.name);
        case 'parent':
          return folder.parentId ? values.moRef(this.ref(folder.parentId)!) : undefined;
        case 'childEntity':
          return values.moRefs(folder.children.map((c) => this.ref(c)).filter((r): r is MoRef => r !== undefined));
        case 'childType':
          return values.strings(['Folder', folder.childType]);
      }
      throw faults.invalidProperty(path);
    }
    const dc = this.datacenters.get(id);
    if (dc) {
      const refs: Record<string, string> = {
        vmFolder: dc.vmFolderId,
        hostFolder: dc.hostFolderId,
        datastoreFolder: dc.datastoreFolderId,
        networkFolder: dc.networkFolderId,
      };
      if (path === 'name') return values.string(dc.name);
      if (path === 'parent') return values.moRef({ type: 'Folder', value: ROOT_FOLDER_ID });
      const folderId = refs[path];
      if (folderId) return values.moRef({ type: 'Folder', value: folderId });
      if (path === 'datastore') return values.moRefs([{ type: 'Datastore', value: dc.datastoreId }]);
      throw faults.invalidProperty(path);
    }
    const owner = this.dcOwning(id);
    if (owner) return this.infrastructureProperty(owner, id, path);
    throw faults.notFound({ type: 'ManagedEntity', value: id });
  }

  private infrastructureProperty(dc: EmulatedDatacenter, id: string, path: string): WireValue | undefined {
    if (path === 'name') return values.string(this.nameOf(id) ?? id);
    if (id === dc.clusterId) {
      if (path === 'parent') return values.moRef({ type: 'Folder', value: dc.hostFolderId });
      if (path === 'resourcePool') return values.moRef({ type: 'ResourcePool', value: dc.poolId });
      if (path === 'host') return values.moRefs([{ type: 'HostSystem', value: dc.hostId }]);
      if (path === 'datastore') return values.moRefs([{ type: 'Datastore', value: dc.datastoreId }]);
    } else if (id === dc.poolId) {
      if (path === 'parent' || path === 'owner') return values.moRef({ type: 'ClusterComputeResource', value: dc.clusterId });
      if (path === 'resourcePool') return values.moRefs([]);
    } else if (id === dc.hostId) {
      if (path === 'parent') return values.moRef({ type: 'ClusterComputeResource', value: dc.clusterId });
    } else if (id === dc.datastoreId) {
      if (path === 'parent') return values.moRef({ type: 'Folder', value: dc.datastoreFolderId });
      if (path === 'summary.freeSpace') return values.long(8 * 1024 ** 4);
    }
    throw faults.invalidProperty(path);
  }

  private vmProperty(vm: EmulatedVm, path: string): WireValue | undefined {
    const dc = this.datacenters.get(vm.datacenterId);
    switch (path) {
      case 'name':
      case 'config.name':
        return values.string(vm.name);
      case 'parent':
        return values.moRef({ type: 'Folder', value: vm.folderId });
      case 'resourcePool':
        return vm.template || !dc ? undefined : values.moRef({ type: 'ResourcePool', value: dc.poolId });
      case 'config.template':
      case 'summary.config.template':
        return values.boolean(vm.template);
      case 'config.hardware.numCPU':
        return values.int(vm.numCPU);
      case 'config.hardware.memoryMB':
        return values.int(vm.memoryMB);
      case 'config.guestFullName':
        return values.string(vm.guestFullName);
      case 'config.annotation':
        return values.string(vm.annotation);
      case 'config.uuid':
      case 'config.instanceUuid':
        return values.string(vm.uuid);
      case 'config.createDate':
        return values.dateTime(new Date(vm.createdAt));
      case 'runtime.powerState':
        return values.enumValue('VirtualMachinePowerState', vm.powerState);
      case 'runtime.host':
        return dc ? values.moRef({ type: 'HostSystem', value: dc.hostId }) : undefined;
      case 'guest.ipAddress':
        return vm.ipAddress && vm.powerState === 'poweredOn' ? values.string(vm.ipAddress) : undefined;
      case 'guest.toolsRunningStatus':
        return values.string(vm.toolsRunning && vm.powerState === 'poweredOn' ? 'guestToolsRunning' : 'guestToolsNotRunning');
      case 'customValue':
        return values.data(
          'ArrayOfCustomFieldValue',
          Object.entries(vm.customValues)
            .map(([key, value]) => `<CustomFieldValue xsi:type="CustomFieldStringValue">${text('key', key)}${text('value', value)}</CustomFieldValue>`)
            .join(''),
        );
      case 'availableField':
        return this.fieldDefsValue();
    }
    throw faults.invalidProperty(path);
  }

  fieldDefsValue(): WireValue {
    return values.data(
      'ArrayOfCustomFieldDef',
      this.fields
        .map(
          (f) =>
            `<CustomFieldDef>${text('key', f.key)}${text('name', f.name)}${text('type', 'string')}` +
            `${text('managedObjectType', f.moType)}</CustomFieldDef>`,
        )
        .join(''),
    );
  }

  toJSON(): SerializedInventory {
    return {
      nextId: this.nextId,
      nextFieldKey: this.nextFieldKey,
      datacenters: [...this.datacenters.values()],
      folders: [...this.folders.values()],
      vms: [...this.vms.values()],
      fields: this.fields,
    };
  }

  static fromJSON(data: SerializedInventory): EmulatedInventory {
    const inventory = new EmulatedInventory();
    inventory.nextId = data.nextId;
    inventory.nextFieldKey = data.nextFieldKey;
    for (const dc of data.datacenters) inventory.datacenters.set(dc.id, dc);
    for (const folder of data.folders) inventory.folders.set(folder.id, folder);
    for (const vm of data.vms) inventory.vms.set(vm.id, vm);
    inventory.fields.push(...data.fields);
    return inventory;
  }
}

