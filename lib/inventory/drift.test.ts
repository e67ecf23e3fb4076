import { describe, expect, it } from 'vitest';
import { detectDrift, type DriftInput } from './drift';

const base: DriftInput = {
  wasManaged: true,
  hasSkyportTags: true,
  observedSize: 'm5.large',
  observedState: 'running',
  expectedSize: 'm5.large',
  lastPowerJob: 'start_vm',
  jobInFlight: false,
};

describe('detectDrift', () => {
  it('finds nothing on an unmanaged VM or one that matches', () => {
    expect(detectDrift({ ...base, wasManaged: false, hasSkyportTags: false, observedSize: 'x', observedState: 'stopped' })).toEqual([]);
    expect(detectDrift(base)).toEqual([]);
  });
  it('flags removed tags, a changed size and a state Skyport did not set', () => {
    expect(detectDrift({ ...base, hasSkyportTags: false })).toEqual(['tags_removed']);
    expect(detectDrift({ ...base, observedSize: 'm5.xlarge' })).toEqual(['size_changed']);
    expect(detectDrift({ ...base, observedState: 'stopped' })).toEqual(['state_changed']);
    expect(detectDrift({ ...base, lastPowerJob: 'stop_vm', observedState: 'running' })).toEqual(['state_changed']);
  });
  it('tolerates stopped vs deallocated, transitional states and Skyport jobs in flight', () => {
    expect(detectDrift({ ...base, lastPowerJob: 'stop_vm', observedState: 'deallocated' })).toEqual([]);
    expect(detectDrift({ ...base, observedState: 'stopping' })).toEqual([]);
    expect(detectDrift({ ...base, observedState: 'stopped', observedSize: 'x', jobInFlight: true })).toEqual([]);
    expect(detectDrift({ ...base, lastPowerJob: null, observedState: 'stopped' })).toEqual([]);
  });
});
