// The demo catalog must be orderable on the sandbox: every template's size and image per provider
// exists in that provider's emulator, as its adapter lists them.
import { afterAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '@/providers/contract/emulator';
import { providerModules } from '@/providers/registry';
import '@/providers/all';
import { DEMO_RATES, DEMO_TEMPLATES, VSPHERE_CHARGEBACK } from './catalog-data';

const running: RunningEmulator[] = [];
afterAll(async () => {
  await Promise.all(running.map((e) => e.close()));
});

describe('demo catalog against the sandbox emulators', () => {
  it.each(providerModules().map((m) => [m.kind, m] as const))('%s: every mapped size and image exists', async (kind, module) => {
    const emulator = await module.startEmulator({ recordRequests: false });
    running.push(emulator);
    const account = module.sandboxAccount(emulator);
    const adapter = module.createAdapter({ settings: account.settings, secrets: account.secrets, runtime: { maxRetries: 1 } });
    const region = account.regions[0]!;
    const sizes = new Set((await adapter.listSizes(region)).map((s) => s.id));
    const images = await adapter.listImages(region);
    const imageRefs = new Set(images.flatMap((i) => [i.id, i.name]));
    const mapped = DEMO_TEMPLATES.flatMap((t) => (t.mappings[kind] ? [{ template: t.slug, ...t.mappings[kind] }] : []));
    expect(mapped.length).toBeGreaterThan(0);
    for (const m of mapped) {
      expect(sizes, `${m.template}: size ${m.size}`).toContain(m.size);
      if (kind === 'azure') {
        // Azure lists publisher:offer:sku URNs; "latest" is resolved by the platform.
        expect([...imageRefs].some((ref) => m.image.startsWith(ref.replace(/:latest$/, '')) || ref.startsWith(m.image.replace(/:latest$/, ''))), `${m.template}: image ${m.image}`).toBe(true);
      } else {
        expect(imageRefs, `${m.template}: image ${m.image}`).toContain(m.image);
      }
      if (kind !== 'vsphere') expect(DEMO_RATES.some((r) => r.providerKind === kind && r.sku === m.size), `${m.template}: price for ${m.size}`).toBe(true);
    }
    if (kind === 'vsphere') expect(VSPHERE_CHARGEBACK.map((r) => r.sku)).toEqual(['vcpu', 'memory-gib', 'disk-gib']);
  });
});
