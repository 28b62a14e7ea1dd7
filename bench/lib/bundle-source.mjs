// Benchmarks drive baton's own modules in-process; the CLI bundle in dist/ exports nothing, so
// an entry listing what a bench needs is bundled from src/ with esbuild into node_modules/.cache
// (where better-sqlite3 resolves), imported, and optionally removed again.
import { build } from 'esbuild';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Where a bench's bundle goes: `name` should be unique per process unless it is shared on purpose. */
export function bundlePath(name) {
  return `${REPO_ROOT}node_modules/.cache/baton-bench/${name}.mjs`;
}

/** Bundles `entry` (TypeScript re-exports, paths relative to the repository root) to `outfile`. */
export async function bundleSource(entry, outfile, options = {}) {
  mkdirSync(dirname(outfile), { recursive: true });
  await build({
    stdin: { contents: entry, resolveDir: REPO_ROOT, sourcefile: 'bench-entry.ts', loader: 'ts' },
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['better-sqlite3'],
    logLevel: 'warning',
    ...options,
  });
}

/** Bundles, imports and deletes the bundle: for a bench that loads it once, in one process. */
export async function loadSource(entry, name) {
  const outfile = bundlePath(`${name}-${process.pid}`);
  await bundleSource(entry, outfile);
  try {
    return await import(pathToFileURL(outfile).href);
  } finally {
    rmSync(outfile, { force: true });
  }
}
