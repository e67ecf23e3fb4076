// Render state records as the JSON ARM returns (shapes follow the rest-api-specs examples).
import type { CatalogLocation, CatalogSize } from './catalog';
import type { NicRecord, PowerState, ProvisioningState, VmRecord } from './state';

export interface ArmScope {
  subscriptionId: string;
}

export function vmId(scope: ArmScope, resourceGroup: string, name: string): string {
  return `/subscriptions/${scope.subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Compute/virtualMachines/${name}`;
}

export function nicId(scope: ArmScope, resourceGroup: string, name: string): string {
  return `/subscriptions/${scope.subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Network/networkInterfaces/${name}`;
}

const POWER_DISPLAY: Record<PowerState, string> = {
  starting: 'VM starting',
  running: 'VM running',
  stopping: 'VM stopping',
  stopped: 'VM stopped',
  deallocating: 'VM deallocating',
  deallocated: 'VM deallocated',
};

const PROVISIONING_DISPLAY: Record<ProvisioningState, string> = {
  Creating: 'Creating',
  Updating: 'Updating',
  Succeeded: 'Provisioning succeeded',
  Failed: 'Provisioning failed',
  Deleting: 'Deleting',
};

export function instanceView(vm: VmRecord) {
  const now = new Date().toISOString();
  return {
    computerName: vm.computerName,
    osName: vm.osType === 'Windows' ? 'Windows Server 2022 Datacenter' : vm.imageReference.offer,
    hyperVGeneration: vm.imageReference.sku.includes('gen1') ? 'V1' : 'V2',
    disks: [
      {
        name: vm.osDiskName,
        statuses: [{ code: 'ProvisioningState/succeeded', level: 'Info', displayStatus: 'Provisioning succeeded', time: vm.timeCreated }],
      },
    ],
    statuses: [
      {
        code: `ProvisioningState/${vm.provisioningState.toLowerCase()}`,
        level: vm.provisioningState === 'Failed' ? 'Error' : 'Info',
        displayStatus: PROVISIONING_DISPLAY[vm.provisioningState],
        time: now,
      },
      { code: `PowerState/${vm.powerState}`, level: 'Info', displayStatus: POWER_DISPLAY[vm.powerState] },
    ],
  };
}

export function virtualMachine(scope: ArmScope, vm: VmRecord, options: { withInstanceView?: boolean } = {}) {
  const id = vmId(scope, vm.resourceGroup, vm.name);
  const osConfiguration =
    vm.osType === 'Windows'
      ? { windowsConfiguration: { provisionVMAgent: true, enableAutomaticUpdates: true, patchSettings: { patchMode: 'AutomaticByOS', assessmentMode: 'ImageDefault' } } }
      : { linuxConfiguration: { disablePasswordAuthentication: false, provisionVMAgent: true, patchSettings: { patchMode: 'ImageDefault', assessmentMode: 'ImageDefault' } } };
  const body: Record<string, unknown> = {
    name: vm.name,
    id,
    type: 'Microsoft.Compute/virtualMachines',
    location: vm.location,
    tags: vm.tags,
    properties: {
      vmId: vm.vmId,
      hardwareProfile: { vmSize: vm.vmSize },
      storageProfile: {
        imageReference: { ...vm.imageReference, exactVersion: '1.0.20240101' },
        osDisk: {
          osType: vm.osType,
          name: vm.osDiskName,
          createOption: 'FromImage',
          caching: 'ReadWrite',
          managedDisk: {
            storageAccountType: vm.storageAccountType,
            id: `/subscriptions/${scope.subscriptionId}/resourceGroups/${vm.resourceGroup.toUpperCase()}/providers/Microsoft.Compute/disks/${vm.osDiskName}`,
          },
          deleteOption: vm.osDiskDeleteOption,
          diskSizeGB: 30,
        },
        dataDisks: [],
      },
      osProfile: {
        computerName: vm.computerName,
        adminUsername: vm.adminUsername,
        ...osConfiguration,
        secrets: [],
        allowExtensionOperations: true,
        requireGuestProvisionSignal: true,
      },
      networkProfile: {
        networkInterfaces: vm.nics.map((nic) => ({ id: nic.id, properties: { primary: nic.primary, deleteOption: nic.deleteOption } })),
      },
      provisioningState: vm.provisioningState,
      ...(options.withInstanceView ? { instanceView: instanceView(vm) } : {}),
      timeCreated: vm.timeCreated,
    },
  };
  if (vm.zones && vm.zones.length > 0) body.zones = vm.zones;
  return body;
}

export function networkInterface(scope: ArmScope, nic: NicRecord) {
  const id = nicId(scope, nic.resourceGroup, nic.name);
  return {
    name: nic.name,
    id,
    etag: 'W/"00000000-0000-0000-0000-000000000001"',
    type: 'Microsoft.Network/networkInterfaces',
    location: nic.location,
    tags: nic.tags,
    properties: {
      provisioningState: 'Succeeded',
      resourceGuid: '6b1e0f53-2a0c-4d4a-9c1e-000000000000',
      ipConfigurations: [
        {
          name: 'ipconfig1',
          id: `${id}/ipConfigurations/ipconfig1`,
          type: 'Microsoft.Network/networkInterfaces/ipConfigurations',
          properties: {
            provisioningState: 'Succeeded',
            privateIPAddress: nic.privateIPAddress,
            privateIPAllocationMethod: 'Dynamic',
            subnet: { id: nic.subnetId },
            primary: true,
            privateIPAddressVersion: 'IPv4',
          },
        },
      ],
      dnsSettings: { dnsServers: [], appliedDnsServers: [] },
      macAddress: nic.macAddress,
      enableAcceleratedNetworking: false,
      vnetEncryptionSupported: false,
      enableIPForwarding: false,
      ...(nic.virtualMachineId ? { virtualMachine: { id: nic.virtualMachineId }, primary: true } : {}),
      nicType: 'Standard',
    },
  };
}

export function location(scope: ArmScope, loc: CatalogLocation) {
  return {
    id: `/subscriptions/${scope.subscriptionId}/locations/${loc.name}`,
    name: loc.name,
    type: 'Region',
    displayName: loc.displayName,
    regionalDisplayName: loc.regionalDisplayName,
    metadata: {
      regionType: 'Physical',
      regionCategory: 'Recommended',
      geography: loc.geographyGroup,
      geographyGroup: loc.geographyGroup,
      longitude: loc.longitude,
      latitude: loc.latitude,
      physicalLocation: loc.physicalLocation,
      pairedRegion: [{ name: loc.pairedRegion, id: `/subscriptions/${scope.subscriptionId}/locations/${loc.pairedRegion}` }],
    },
    ...(loc.zones.length > 0
      ? { availabilityZoneMappings: loc.zones.map((z) => ({ logicalZone: z, physicalZone: `${loc.name}-az${z}` })) }
      : {}),
  };
}

export function vmSize(size: CatalogSize) {
  return { ...size };
}
