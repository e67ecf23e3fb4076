import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadServerConfig } from './server-config';

describe('server configuration', () => {
  it('defaults to the embedded database with demo data and sandbox', () => {
    const config = loadServerConfig({});
    expect(config).toMatchObject({ port: 3000, host: '127.0.0.1', pgPort: 54329, seedDemo: true, startSandbox: true, demoPassword: 'skyport-demo' });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.dataDir).toBe(path.resolve('.skyport'));
  });

  it('never seeds an external database unless asked', () => {
    const external = loadServerConfig({ DATABASE_URL: 'postgresql://u:p@db:5432/skyport' });
    expect(external.seedDemo).toBe(false);
    expect(external.startSandbox).toBe(false);
    expect(loadServerConfig({ DATABASE_URL: 'postgresql://db/skyport', SKYPORT_DEMO: '1' }).seedDemo).toBe(true);
  });

  it('names every bad variable', () => {
    try {
      loadServerConfig({ PORT: '70000', DATABASE_URL: 'mysql://x', SKYPORT_DEMO: 'maybe', SKYPORT_DEMO_PASSWORD: 'short' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as ConfigError).message;
      for (const name of ['PORT', 'DATABASE_URL', 'SKYPORT_DEMO', 'SKYPORT_DEMO_PASSWORD']) expect(message).toContain(name);
    }
  });
});
