// Bundles the CLI, better-sqlite3's JavaScript included, into minified CommonJS files: the board
// commands in dist/baton.cjs, the runner, the ACP client and the demo in chunks of their own
// (scripts/bundles.mjs). Files loaded synchronously, with no ES-module loader and no module
// resolution, keep start-up close to a bare `node -e 0`. The native addon is loaded from
// node_modules by path (see adapters/db/sqlite-open.ts).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBundles } from './bundles.mjs';
import { writeConfigSchema } from './config-schema.mjs';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

// Code caches of an earlier bundle would never be read again (their name holds its id); see bin/baton.cjs.
// Chunks no longer built would linger too.
for (const name of safeList('dist')) if (name.endsWith('.cache') || name.endsWith('.cjs')) rmSync(`dist/${name}`, { force: true });

const bundles = await buildBundles({
  root: process.cwd(),
  outdir: 'dist',
  options: {
    target: 'node20',
    // The sources are ES modules; in the bundle, a file path serves where they need their URL.
    define: { BATON_VERSION: JSON.stringify(version), 'import.meta.url': '__filename' },
    minify: true,
    // Only `baton run` reads test reports: their parsers (and tap-parser's YAML) stay in
    // node_modules, required when a run first reads a report, so no other command pays to load them.
    external: ['tap-parser', 'fast-xml-parser'],
    legalComments: 'none',
    logLevel: 'warning',
  },
});
for (const bundle of bundles) markBundle(bundle.path);

// The JSON Schema of baton.config.json, generated from its zod schema (see config-schema.mjs).
await writeConfigSchema();

warmCodeCache();

/**
 * Runs the everyday commands once on a scratch board so V8's code cache (bin/baton.cjs) holds
 * the functions they compile, not just those of whichever command happens to run first.
 */
function warmCodeCache() {
  const dir = mkdtempSync(join(tmpdir(), 'baton-build-'));
  const env = { ...process.env, BATON_REFRESH_CODE_CACHE: '1', BATON_AGENT: 'build', NO_COLOR: '1' };
  const launcher = new URL('../bin/baton.cjs', import.meta.url).pathname;
  const run = (args, runEnv = env) => spawnSync(process.execPath, [launcher, ...args], { cwd: dir, env: runEnv, stdio: 'ignore' });
  try {
    spawnSync('git', ['init', '-q'], { cwd: dir, stdio: 'ignore' });
    spawnSync('git', ['config', 'user.name', 'Build'], { cwd: dir, stdio: 'ignore' });
    // The board commands agents call all day, in text and in JSON, so none compiles a function of its own.
    for (const args of [
      ['init'], ['add', 'one', '-r', 'modifies:file:a.txt', '--json'], ['add', 'two', '--depends-on', '1'], ['add', 'three'], ['list', '--json'], ['list'],
      ['ready', '--json', '--limit', '20'], ['ready'], ['show', '1', '--json'], ['show', '1'], ['claim', '--next', '--json'], ['heartbeat'],
      ['note', '1', 'a note'], ['complete', '1', '-m', 'done'], ['claim', '--next'], ['complete', '2', '-m', 'done', '--json'],
      ['watch', '--json'], ['inbox'], ['--help'],
      // Loads the run chunk, so its cache is made too (the runner's own functions compile at first use).
      ['runs', '--json'],
    ]) run(args);
    // As the git user (no BATON_AGENT): the reader of git's config files.
    const asGitUser = { ...env };
    delete asGitUser.BATON_AGENT;
    for (const args of [['note', '3', 'a note'], ['add', 'four']]) run(args, asGitUser);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Puts the bundle's id (a hash of its content) on its first line. bin/baton.cjs names its code
 * cache after it, so a cache made for another build, even one of the same length, is never used;
 * reading it costs nothing more than reading the bundle. The code is wrapped here in the
 * function bin/baton.cjs calls (CommonJS's own wrapper), so that the launcher compiles the text
 * as read rather than a copy of it joined to a wrapper.
 */
function markBundle(path) {
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${readFileSync(path, 'utf8')}\n})`;
  const id = createHash('sha256').update(wrapped).digest('hex').slice(0, 16);
  writeFileSync(path, `// baton bundle ${id}\n${wrapped}`);
}

function safeList(dir) {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
