// Production imports no dev dependency: the server's static module graph (what loads with
// SKYPORT_SANDBOX=0) is bundled with esbuild (packages left external, dynamic imports not
// followed) and every package it imports must be a runtime dependency. Emulators — which need
// `selfsigned`, a devDependency — load only through `providers/sandbox.ts`, by import() when the
// sandbox is on.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { build, type BuildOptions, type Metafile, type Plugin } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
/** How both graphs are bundled: in memory, packages left external, only the metafile kept. */
const BUNDLE_OPTIONS = {
  absWorkingDir: root,
  bundle: true,
  write: false,
  outdir: path.join(root, '.skyport-module-graph'),
  platform: 'node',
  format: 'esm',
  packages: 'external',
  metafile: true,
  logLevel: 'silent',
} satisfies BuildOptions;
const packageJson = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** The files Next.js itself loads from app/ (everything else there is reached through them). */
const NEXT_ENTRY_FILE = /^(page|layout|route|loading|error|global-error|not-found|forbidden|unauthorized|template|default|icon|apple-icon|opengraph-image|sitemap|robots|manifest)\.(ts|tsx)$/;

/** Files Next.js and the start script load as entry points (not tests). */
function serverEntryPoints(): string[] {
  const entries = ['scripts/start.ts', 'scripts/worker.ts', 'proxy.ts'].map((f) => path.join(root, f));
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (NEXT_ENTRY_FILE.test(entry.name)) entries.push(full);
    }
  };
  walk(path.join(root, 'app'));
  return entries;
}

/** Package name of a bare import specifier (`@scope/name/sub` → `@scope/name`). */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

interface Graph {
  inputs: string[];
  packages: Map<string, string[]>;
  dynamicImports: { importer: string; path: string }[];
}

async function staticServerGraph(): Promise<Graph> {
  const dynamicImports: Graph['dynamicImports'] = [];
  const notFollowed: Plugin = {
    name: 'dynamic-imports-not-followed',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind !== 'dynamic-import') return undefined;
        dynamicImports.push({ importer: path.relative(root, args.importer), path: args.path });
        return { path: args.path, external: true };
      });
    },
  };
  const result = await build({
    entryPoints: serverEntryPoints(),
    ...BUNDLE_OPTIONS,
    jsx: 'automatic',
    loader: { '.css': 'empty', '.svg': 'empty', '.png': 'empty', '.ico': 'empty' },
    plugins: [notFollowed],
  });
  const metafile: Metafile = result.metafile;
  const packages = new Map<string, string[]>();
  for (const [input, info] of Object.entries(metafile.inputs)) {
    for (const imported of info.imports) {
      if (!imported.external || imported.kind === 'dynamic-import') continue;
      const name = packageOf(imported.path);
      if (!name) continue;
      packages.set(name, [...(packages.get(name) ?? []), input]);
    }
  }
  return { inputs: Object.keys(metafile.inputs), packages, dynamicImports };
}

describe('production module graph (SKYPORT_SANDBOX=0)', () => {
  it('imports no devDependency and no emulator; the sandbox loads only by import()', { timeout: 120_000 }, async () => {
    const graph = await staticServerGraph();
    expect(graph.inputs.length).toBeGreaterThan(50);
    // The graph really contains the provider adapters (so the check below means something).
    expect(graph.inputs).toContain('providers/all.ts');
    expect(graph.inputs).toContain('providers/vsphere/adapter.ts');

    const devOnly = Object.keys(packageJson.devDependencies).filter((name) => !(name in packageJson.dependencies));
    const offending = devOnly.filter((name) => graph.packages.has(name)).map((name) => `${name} ← ${graph.packages.get(name)!.join(', ')}`);
    expect(offending).toEqual([]);

    expect(graph.inputs.filter((input) => /(^|\/)emulator(\/|\.ts$)|providers\/sandbox\.ts$/.test(input))).toEqual([]);
    expect(graph.dynamicImports).toContainEqual({ importer: 'scripts/sandbox.ts', path: '../providers/sandbox' });
  });

  it('would notice a devDependency: the sandbox graph itself does pull selfsigned', { timeout: 60_000 }, async () => {
    const result = await build({
      entryPoints: [path.join(root, 'providers/sandbox.ts')],
      ...BUNDLE_OPTIONS,
    });
    const imported = Object.values(result.metafile.inputs).flatMap((info) => info.imports.map((i) => packageOf(i.path)));
    expect(imported).toContain('selfsigned');
  });
});
