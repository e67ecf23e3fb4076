import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { protos } from '@google-cloud/compute';
import { describe, expect, it } from 'vitest';
import { VM_STATES } from '../types';
import type { DiscoveryDocument } from './discovery-schema';
import { observedVm, parseVmRef, providerIdFor, stateForStatus } from './state';
import { decodeRegionCursor, encodeRegionCursor, nextRegionCursor } from './paging';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const fixturesDir = path.join(process.env.SKYPORT_SHARED_DIR ?? path.resolve(repoRoot, '../shared'), 'data/provider-fixtures/gcp-compute');
const read = (name: string): unknown => JSON.parse(readFileSync(path.join(fixturesDir, name), 'utf8'));

describe('instance status → VmState', () => {
  it('gives every Instance.status of the discovery enum a known state', () => {
    const doc = read('discovery/compute.v1.subset.json') as DiscoveryDocument;
    const statuses = doc.schemas.Instance?.properties?.status?.enum ?? [];
    expect(statuses.length).toBeGreaterThan(5);
    for (const status of statuses) {
      const state = stateForStatus(status);
      expect(VM_STATES).toContain(state);
      expect(state, status).not.toBe('unknown');
    }
  });

  it('treats TERMINATED as stopped (GCE keeps the VM), PROVISIONING/STAGING as pending', () => {
    expect(stateForStatus('TERMINATED')).toBe('stopped');
    expect(stateForStatus('PROVISIONING')).toBe('pending');
    expect(stateForStatus('STAGING')).toBe('pending');
    expect(stateForStatus('SOMETHING_NEW')).toBe('unknown');
    expect(stateForStatus(undefined)).toBe('unknown');
  });
});

describe('observedVm', () => {
  it('reads libcloud\'s captured instance: zone, region, size, IPs, creation time; no Skyport owner', () => {
    const instance = read('libcloud-gce-fixtures/zones_us-central1-a_instances_node-name.json') as protos.google.cloud.compute.v1.IInstance;
    const vm = observedVm(instance, (zone, type) => (type === 'n1-standard-1' ? { id: type, name: type, vcpus: 1, memoryMiB: 3840 } : undefined));
    expect(vm).toMatchObject({
      providerId: 'zones/us-central1-a/instances/node-name',
      name: 'node-name',
      region: 'us-central1',
      zone: 'us-central1-a',
      size: 'n1-standard-1',
      vcpus: 1,
      memoryMiB: 3840,
      state: 'running',
      providerState: 'RUNNING',
      privateIp: '10.240.72.75',
      publicIp: '23.236.58.15',
      skyport: null,
    });
    expect(vm.createdAt?.toISOString()).toBe('2013-12-13T18:45:23.351Z');
  });
});

describe('VM references', () => {
  it('round-trips the provider id and accepts a bare name with a zone', () => {
    expect(parseVmRef({ providerId: providerIdFor('europe-west1-b', 'vm-1'), region: 'europe-west1' })).toEqual({ zone: 'europe-west1-b', name: 'vm-1' });
    expect(parseVmRef({ providerId: 'projects/p/zones/us-east1-b/instances/vm-2', region: 'us-east1' })).toEqual({ zone: 'us-east1-b', name: 'vm-2' });
    expect(parseVmRef({ providerId: 'vm-3', region: 'us-east1', zone: 'us-east1-c' })).toEqual({ zone: 'us-east1-c', name: 'vm-3' });
    expect(() => parseVmRef({ providerId: 'vm-4', region: 'us-east1' })).toThrow(/Not a GCE instance reference/);
  });
});

describe('region page cursor', () => {
  it('walks a zone\'s GCE pages, then the next zone, then ends', () => {
    const first = decodeRegionCursor(undefined);
    expect(first).toEqual({ zoneIndex: 0 });
    const inZone = nextRegionCursor(first, 'gce-token', 3)!;
    expect(decodeRegionCursor(encodeRegionCursor(inZone))).toEqual({ zoneIndex: 0, zonePageToken: 'gce-token' });
    const nextZone = nextRegionCursor(inZone, undefined, 3)!;
    expect(nextZone).toEqual({ zoneIndex: 1 });
    expect(nextRegionCursor({ zoneIndex: 2 }, '', 3)).toBeUndefined();
  });

  it('rejects tokens that are not ours as invalid_request', () => {
    expect(() => decodeRegionCursor('not-a-token')).toThrow(expect.objectContaining({ code: 'invalid_request' }));
    expect(() => decodeRegionCursor(Buffer.from('{"z":-1}').toString('base64url'))).toThrow(expect.objectContaining({ code: 'invalid_request' }));
  });
});
