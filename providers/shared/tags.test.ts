import { describe, expect, it } from 'vitest';
import { decodeLabelValue, encodeLabelValue, parseSkyportTags, skyportTagMap } from './tags';

describe('skyport tags', () => {
  it('round-trips ownership through the tag map and never lets user tags override it', () => {
    const tags = { owner: 'a@b.c', project: 'p1', request: 'r1', skyportId: 'vm1' };
    const map = skyportTagMap(tags, { 'skyport-owner': 'mallory', team: 'web' });
    expect(map['skyport-owner']).toBe('a@b.c');
    expect(map.team).toBe('web');
    expect(parseSkyportTags(map)).toEqual(tags);
    expect(parseSkyportTags({ team: 'web' })).toBeNull();
  });

  it('encodes GCE label values reversibly within the allowed alphabet', () => {
    for (const value of ['requester@demo.skyport', 'Proj_Web 1', 'plain-id-42']) {
      const encoded = encodeLabelValue(value);
      expect(encoded).toMatch(/^[a-z0-9_-]*$/);
      expect(decodeLabelValue(encoded)).toBe(value);
    }
  });
});
