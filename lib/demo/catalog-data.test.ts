// The demo catalog must be orderable on the sandbox: every template's instance types and images
// per provider exist in that provider's emulator, as its adapter lists them, each instance type has
// exactly the vCPU/RAM of the size it realises, and every mapped instance type has a price.
import { afterAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '@/providers/contract/emulator';
import { sandboxModules } from '@/providers/sandbox';
import { templateDefinitionSchema } from '@/lib/catalog/schemas';
import { DEMO_RATES, DEMO_TEMPLATES, VSPHERE_CHARGEBACK } from './catalog-data';

const running: RunningEmulator[] = [];
afterAll(async () => {
  await Promise.all(running.map((e) => e.close()));
});

describe('demo catalog', () => {
  it('every demo template is a valid definition with 2–3 sizes, an environment enum and a default lease', () => {
    for (const input of DEMO_TEMPLATES) {
      const d = templateDefinitionSchema.parse(input);
      expect(d.sizes.length, d.slug).toBeGreaterThanOrEqual(2);
      expect(d.sizes.length, d.slug).toBeLessThanOrEqual(3);
      expect(d.defaultLeaseDays, d.slug).not.toBeNull();
      expect(d.parameters.find((p) => p.name === 'environment'), d.slug).toMatchObject({ type: 'enum', options: ['dev', 'test', 'prod'] });
    }
    // Windows has no Google Cloud mapping: the GCE emulator has no Windows image.
    const kinds = (slug: string) => DEMO_TEMPLATES.find((t) => t.slug === slug)!.mappings.map((m) => m.providerKind).sort();
    expect(kinds('linux-web-small')).toEqual(['aws', 'azure', 'gcp', 'vsphere']);
    expect(kinds('database-large')).toEqual(['aws', 'azure', 'gcp', 'vsphere']);
    expect(kinds('windows-server-small')).toEqual(['aws', 'azure', 'vsphere']);
  });

  it.each(sandboxModules().map((m) => [m.kind, m] as const))('%s: every mapped instance type and image exists with the size’s shape', async (kind, module) => {
    const emulator = await module.startEmulator({ recordRequests: false });
    running.push(emulator);
    const account = module.sandboxAccount(emulator);
    const adapter = module.createAdapter({ settings: account.settings, secrets: account.secrets, runtime: { maxRetries: 1 } });
    try {
      const region = account.regions[0]!;
      const sizes = new Map((await adapter.listSizes(region)).map((s) => [s.id, s]));
      const images = await adapter.listImages(region);
      const imageRefs = new Set(images.flatMap((i) => [i.id, i.name]));
      const mapped = DEMO_TEMPLATES.flatMap((t) => (t.mappings ?? []).filter((m) => m.providerKind === kind).map((m) => ({ template: t, mapping: m })));
      expect(mapped.length).toBeGreaterThan(0);
      for (const { template, mapping } of mapped) {
        for (const [sizeName, instanceType] of Object.entries(mapping.instanceTypes)) {
          const offered = sizes.get(instanceType);
          expect(offered, `${template.slug}/${sizeName}: ${instanceType}`).toBeDefined();
          const size = template.sizes.find((s) => s.name === sizeName)!;
          expect({ vcpus: offered!.vcpus, memoryMiB: offered!.memoryMiB }, `${template.slug}/${sizeName}: ${instanceType}`).toEqual({ vcpus: size.vcpus, memoryMiB: size.memoryMiB });
          if (kind !== 'vsphere') expect(DEMO_RATES.some((r) => r.providerKind === kind && r.sku === instanceType), `price for ${instanceType}`).toBe(true);
        }
        if (kind === 'azure') {
          // Azure lists publisher:offer:sku URNs; "latest" is resolved by the platform.
          expect([...imageRefs].some((ref) => mapping.image.startsWith(ref.replace(/:latest$/, '')) || ref.startsWith(mapping.image.replace(/:latest$/, ''))), `${template.slug}: image ${mapping.image}`).toBe(true);
        } else {
          expect(imageRefs, `${template.slug}: image ${mapping.image}`).toContain(mapping.image);
        }
      }
      if (kind === 'vsphere') expect(VSPHERE_CHARGEBACK.map((r) => r.sku)).toEqual(['vcpu', 'memory-gib', 'disk-gib']);
      else expect(DEMO_RATES.some((r) => r.providerKind === kind && r.sku === 'disk-gib')).toBe(true);
    } finally {
      await adapter.close();
    }
  });
});
