import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadServerConfig } from '../config/server-config';

describe('billing settings', () => {
  it('defaults: organisation, tag mapping and the watched-folder root in the data folder', () => {
    const c = loadServerConfig({ SKYPORT_DATA_DIR: '/tmp/skyport-x' });
    expect(c.organisationName).toBe('Skyport');
    expect(c.costTagMapping).toEqual([{ tag: 'project', field: 'key' }, { tag: 'cost-center', field: 'costCentre' }]);
    expect(c.costImportDir).toBe(path.resolve('/tmp/skyport-x/cost-imports'));
    expect(c.costRollupTagKeys).toEqual(['cost-center', 'project']); // the mapping's keys are rolled up
  });

  it('rolls up the mapping\'s tag keys plus SKYPORT_COST_ROLLUP_TAGS, each once', () => {
    const c = loadServerConfig({ SKYPORT_COST_TAG_MAPPING: 'app=key', SKYPORT_COST_ROLLUP_TAGS: ' team, env ,app,' });
    expect(c.costRollupTagKeys).toEqual(['app', 'env', 'team']);
  });

  it('parses a custom tag mapping and refuses a malformed one naming the variable', () => {
    expect(loadServerConfig({ SKYPORT_COST_TAG_MAPPING: 'app = key, CostCenter=costCentre' }).costTagMapping).toEqual([
      { tag: 'app', field: 'key' },
      { tag: 'CostCenter', field: 'costCentre' },
    ]);
    expect(() => loadServerConfig({ SKYPORT_COST_TAG_MAPPING: 'project=owner' })).toThrow(ConfigError);
    expect(() => loadServerConfig({ SKYPORT_COST_TAG_MAPPING: 'project=owner' })).toThrow(/SKYPORT_COST_TAG_MAPPING/);
  });
});
