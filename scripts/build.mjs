// Bundles the CLI, better-sqlite3's JavaScript included, into one minified CommonJS file. One
// module loaded synchronously, with no ES-module loader and no module resolution, keeps
// start-up close to a bare `node -e 0`. The native addon is loaded from node_modules by path
// (see adapters/db/sqlite-open.ts).
import { build } from 'esbuild';
import { readdirSync, readFileSync, rmSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

// Code caches of an earlier bundle would only be rejected; see bin/baton.cjs.
for (const name of safeList('dist')) if (name.endsWith('.cache')) rmSync(`dist/${name}`, { force: true });

await build({
  entryPoints: ['src/cli/bin.ts'],
  outfile: 'dist/baton.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // The sources are ES modules; in the bundle, a file path serves where they need their URL.
  define: { BATON_VERSION: JSON.stringify(version), 'import.meta.url': '__filename' },
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});

function safeList(dir) {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
