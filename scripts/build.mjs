// Bundles the CLI, better-sqlite3's JavaScript included, into one minified ESM file: one
// module to load instead of dozens keeps start-up close to a bare `node -e 0`. The native
// addon is loaded from node_modules by path (see adapters/db/sqlite-open.ts).
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
  // better-sqlite3 loads its addon with a computed require(); give the bundle a real one.
  banner: { js: "import { createRequire as __batonCreateRequire } from 'node:module'; const require = __batonCreateRequire(import.meta.url);" },
  minify: true,
  keepNames: false,
  define: { BATON_VERSION: JSON.stringify(version) },
  legalComments: 'none',
  logLevel: 'warning',
});
