import { describe, expect, it } from 'vitest';
import { encodeLabelValue } from '../shared/tags';
import { instanceNameForKey, labelKeyFor, labelsFor, requestIdForKey, tagsFromLabels } from './naming';

const RFC1035 = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const tags = { owner: 'Ann.Lee@example.com', project: 'proj-web', request: 'REQ-42', skyportId: 'vm_01HZX' };

describe('requestIdForKey', () => {
  it('is a version-5, RFC 4122-variant UUID that GCE accepts as requestId', () => {
    const id = requestIdForKey('sp-abc');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(id).not.toBe('00000000-0000-0000-0000-000000000000');
  });

  it('is the same for the same key and different for different keys', () => {
    expect(requestIdForKey('sp-abc')).toBe(requestIdForKey('sp-abc'));
    expect(requestIdForKey('sp-abc')).not.toBe(requestIdForKey('sp-abd'));
    expect(requestIdForKey('SP-ABC')).not.toBe(requestIdForKey('sp-abc'));
  });
});

describe('instanceNameForKey', () => {
  it('gives RFC 1035 names of at most 63 characters for awkward keys', () => {
    for (const key of ['sp-ok', '123-starts-with-digit', 'UPPER_and.dots', '-----', 'é€😀', 'x'.repeat(500)]) {
      const name = instanceNameForKey(key);
      expect(name, key).toMatch(RFC1035);
      expect(name.length).toBeLessThanOrEqual(63);
    }
  });

  it('keeps keys that slug alike apart (case, punctuation, truncation)', () => {
    expect(instanceNameForKey('Req.1')).not.toBe(instanceNameForKey('req-1'));
    const long = 'k'.repeat(80);
    expect(instanceNameForKey(`${long}a`)).not.toBe(instanceNameForKey(`${long}b`));
    expect(instanceNameForKey('sp-abc')).toBe(instanceNameForKey('sp-abc'));
  });
});

describe('labels', () => {
  it('writes the four Skyport labels with encoded values that decode back', () => {
    const labels = labelsFor(tags, { 'Cost Centre': 'CC-100' });
    expect(labels['skyport-owner']).toBe(encodeLabelValue(tags.owner));
    for (const [key, value] of Object.entries(labels)) {
      expect(key).toMatch(/^[a-z][a-z0-9_-]{0,62}$/);
      expect(value).toMatch(/^[a-z0-9_-]{0,63}$/);
    }
    const read = tagsFromLabels(labels);
    expect(read.skyport).toEqual(tags);
    expect(read.tags.cost_centre).toBe('CC-100');
  });

  it('never lets a user tag override a Skyport label, and drops keys GCE cannot hold', () => {
    const labels = labelsFor(tags, { 'Skyport-Owner': 'mallory', '9lives': 'x' });
    expect(tagsFromLabels(labels).skyport?.owner).toBe(tags.owner);
    expect(labelKeyFor('9lives')).toBeUndefined();
    expect(Object.keys(labels)).not.toContain('9lives');
  });

  it('reads VMs made outside Skyport as unowned', () => {
    expect(tagsFromLabels({ env: 'prod' })).toEqual({ tags: { env: 'prod' }, skyport: null });
    expect(tagsFromLabels(undefined).skyport).toBeNull();
  });
});
