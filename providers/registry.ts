// The only place that maps a provider kind to its code. lib/ asks the registry; it never imports
// a provider folder directly.
import type { ProviderModule } from './module';
import type { ProviderKind } from './types';

// Each provider folder exports `provider`; the registry widens their settings/secrets types.
type AnyProviderModule = ProviderModule<unknown, unknown>;

const modules: AnyProviderModule[] = [];

export function registerProvider(module: AnyProviderModule) {
  if (!modules.some((m) => m.kind === module.kind)) modules.push(module);
}

export function providerModules(): readonly AnyProviderModule[] {
  return modules;
}

export function providerModule(kind: ProviderKind): AnyProviderModule {
  const found = modules.find((m) => m.kind === kind);
  if (!found) throw new Error(`No adapter is registered for provider kind "${kind}".`);
  return found;
}
