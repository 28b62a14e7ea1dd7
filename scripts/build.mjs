// Bundles the CLI into one ESM file: one module to load instead of dozens keeps start-up
// close to a bare `node -e 0`. better-sqlite3 stays external (it carries a native addon).
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

await build({
  entryPoints: ['src/cli/bin.ts'],
  outfile: 'dist/baton.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['better-sqlite3'],
  define: { BATON_VERSION: JSON.stringify(version) },
  legalComments: 'none',
  logLevel: 'warning',
});
