// Catalog mappings may name an image (an AMI name, a family) instead of the region's id. At
// provisioning time, a value the adapter does not list as an id is resolved by name through
// listImages — generically, so no provider name appears here.
import type { ProviderAdapter } from '@/providers/types';

const CACHE_MS = 60_000;
const cache = new Map<string, { at: number; byId: Set<string>; byName: Map<string, string> }>();

export async function resolveImageId(adapter: ProviderAdapter, accountId: string, region: string, image: string): Promise<string> {
  const cacheKey = `${accountId}:${region}`;
  let entry = cache.get(cacheKey);
  if (!entry || Date.now() - entry.at > CACHE_MS) {
    const images = await adapter.listImages(region);
    entry = { at: Date.now(), byId: new Set(images.map((i) => i.id)), byName: new Map(images.map((i) => [i.name, i.id])) };
    cache.set(cacheKey, entry);
  }
  if (entry.byId.has(image)) return image;
  return entry.byName.get(image) ?? image;
}
