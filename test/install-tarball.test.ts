/**
 * baton as a user gets it: the package `npm pack` makes from this checkout (its built dist/),
 * installed globally into a fresh prefix with `npm install -g`, production dependencies only,
 * from the npm registry through the machine's npm cache (better-sqlite3's binary from a local
 * prebuild, see localPrebuild, or built from source). Then that prefix's `baton` runs
 * the quick start and a `baton run`, with the installed package read-only, as a global install
 * owned by someone else is.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BATON_BIN, git, json } from './helpers/baton.js';
import { sharedTempDir, TEST_SANDBOX_SHARE } from './helpers/sandbox-share.js';

const CHECKOUT = resolve(dirname(BATON_BIN), '..');
const PACKAGE = JSON.parse(readFileSync(join(CHECKOUT, 'package.json'), 'utf8')) as { name: string; version: string };
const INSTALL_TIMEOUT_MS = 25 * 60_000;
const BUNDLES = ['baton-acp.cjs', 'baton-demo.cjs', 'baton-mcp.cjs', 'baton-run.cjs', 'baton-serve.cjs', 'baton.cjs'];
const CACHE_FILE = (bundle: string) => new RegExp(`^${bundle.replace(/\./g, '\\.')}\\.[0-9a-f]{16}\\.${process.version.replace(/\./g, '\\.')}-${process.arch}\\.cache$`);

let root: string;
let prefix: string;
let installed: string;
let cacheHome: string;
let tools: string;
let install: SpawnSyncReturns<string>;
let packed: { files: { path: string }[] }[];

/** npm's environment: the machine's (its cache and registry), nothing a calling npm script set. */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^npm_/i.test(key) && !/^npm_config_(cache|registry|userconfig|https?_proxy|proxy|noproxy|strict_ssl|cafile|nodedir)$/i.test(key)) delete env[key];
  }
  // node-gyp builds against the running Node's headers where they are installed beside it (a
  // distribution's Node) rather than downloading them: a user without an npmrc saying so.
  const nodePrefix = dirname(dirname(process.execPath));
  if (!env.npm_config_nodedir && existsSync(join(nodePrefix, 'include', 'node', 'common.gypi'))) env.npm_config_nodedir = nodePrefix;
  return env;
}

function npm(args: string[], cwd: string, extraEnv: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync('npm', args, { cwd, env: { ...npmEnv(), ...extraEnv }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: INSTALL_TIMEOUT_MS });
}

/**
 * better-sqlite3's install script (prebuild-install) takes a prebuilt binary where one is
 * reachable, as on most users' machines, and builds from source otherwise: this machine's
 * network reaches no prebuilt binaries, and a source build is a minute of both cores. The
 * checkout's own build of the same version is such a binary: it is offered as a local prebuild
 * (prebuild-install's `local_prebuilds` setting) when npm will pick that very version for the
 * package, so the install script still runs and unpacks it. Any other version builds from
 * source as before. (npm warns that it does not know the setting, which it passes on all the
 * same; prebuild-install's own variables have names the install script's shell drops.)
 */
function localPrebuild(): NodeJS.ProcessEnv {
  const ours = JSON.parse(readFileSync(join(CHECKOUT, 'node_modules', 'better-sqlite3', 'package.json'), 'utf8')) as { version: string };
  const wanted = (JSON.parse(readFileSync(join(CHECKOUT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies['better-sqlite3'];
  const view = npm(['view', `better-sqlite3@${wanted}`, 'version', '--json'], root);
  const versions = view.status === 0 ? ([] as string[]).concat(JSON.parse(view.stdout) as string | string[]) : [];
  const picked = versions.sort(compareVersions).at(-1);
  if (picked !== ours.version) return {};
  const folder = join(root, 'prebuilds');
  mkdirSync(folder);
  const name = `better-sqlite3-v${ours.version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  const packed = spawnSync('tar', ['-czf', join(folder, name), 'build/Release/better_sqlite3.node'], { cwd: join(CHECKOUT, 'node_modules', 'better-sqlite3') });
  return packed.status === 0 ? { npm_config_better_sqlite3_local_prebuilds: folder } : {};
}

function compareVersions(a: string, b: string): number {
  const parts = (version: string) => version.split(/[.-]/).map((part) => Number(part));
  const [x, y] = [parts(a), parts(b)];
  for (let index = 0; index < 3; index++) if (x[index] !== y[index]) return (x[index] ?? 0) - (y[index] ?? 0);
  return 0;
}

/** The installed `baton` (npm's link in the prefix's bin), with no terminal. */
function baton(args: string[], cwd: string): { code: number; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', BATON_AGENT: 'tester', BATON_SANDBOX_SHARE: TEST_SANDBOX_SHARE, XDG_CACHE_HOME: cacheHome, HOME: join(root, 'home') };
  delete env.BATON_DB;
  const result = spawnSync(join(prefix, 'bin', 'baton'), args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000 });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

const explain = (result: { code: number; stdout: string; stderr: string }) => `exit ${result.code}\n--- stdout\n${result.stdout.slice(-3000)}\n--- stderr\n${result.stderr.slice(-3000)}`;

beforeAll(() => {
  // A 0700 folder of its own, as mkdtemp makes it: the prefix and everything installed are below it.
  root = mkdtempSync(join(tmpdir(), 'baton-install-'));
  prefix = join(root, 'prefix');
  cacheHome = join(root, 'cache-home');
  mkdirSync(join(root, 'home'));
  tools = sharedTempDir('baton-install-tools-');
  // The checkout's dist/ as the tests use it (built first, see README): no rebuild under other tests.
  const pack = npm(['pack', '--json', '--ignore-scripts', '--pack-destination', root], CHECKOUT);
  if (pack.status !== 0) throw new Error(`npm pack failed:\n${pack.stderr}`);
  packed = JSON.parse(pack.stdout) as typeof packed;
  const tarball = join(root, `${PACKAGE.name}-${PACKAGE.version}.tgz`);
  // better-sqlite3 builds from its install script; the tarball's own `prepare` is listed by
  // npm though it never runs for a tarball (a registry install does not list it).
  install = npm(['install', '-g', '--prefix', prefix, '--omit=dev', `--allow-scripts=better-sqlite3,${tarball}`, tarball], root, localPrebuild());
  installed = join(prefix, 'lib', 'node_modules', PACKAGE.name);
}, INSTALL_TIMEOUT_MS + 60_000);

afterAll(() => {
  if (installed !== undefined && existsSync(installed)) spawnSync('chmod', ['-R', 'u+w', installed]);
  rmSync(root, { recursive: true, force: true });
  rmSync(tools, { recursive: true, force: true });
});

describe(`the packed ${PACKAGE.name} tarball, installed with npm install -g`, () => {
  it('holds what a user needs and nothing else: the bin, the bundles (no code cache), the schema, README, LICENSE', () => {
    const bundles = BUNDLES.map((bundle) => `dist/${bundle}`);
    expect(packed[0]?.files.map((file) => file.path).sort()).toEqual(['LICENSE', 'README.md', 'bin/baton.cjs', ...bundles, 'package.json', 'schema/baton.config.schema.json'].sort());
  });

  it('installs without a warning about install scripts, and better-sqlite3 is built', () => {
    expect(install.status, `${install.stdout}\n${install.stderr}`).toBe(0);
    expect(`${install.stdout}${install.stderr}`).not.toMatch(/install-scripts|allowScripts/);
    expect(existsSync(join(installed, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'))).toBe(true);
    // Only production dependencies: no agent CLIs, no build tools.
    expect(existsSync(join(installed, 'node_modules', 'esbuild'))).toBe(false);
    expect(existsSync(join(installed, 'node_modules', '@anthropic-ai'))).toBe(false);
  });

  it("runs read-only: the demo, init, add, claim and a run of a cmd: agent; the code cache goes to the user's cache folder", { timeout: 600_000 }, () => {
    expect(install.status).toBe(0);
    // As a global install owned by another user (root's) is; the bits hold root back as well.
    expect(spawnSync('chmod', ['-R', 'a-w', installed]).status).toBe(0);

    const version = baton(['--version'], root);
    expect(version.code, explain(version)).toBe(0);
    expect(version.stdout.trim()).toBe(PACKAGE.version);
    expect(readdirSync(join(installed, 'dist')).sort()).toEqual(BUNDLES);
    expect(readdirSync(join(cacheHome, 'baton-agents'))).toEqual([expect.stringMatching(CACHE_FILE('baton.cjs'))]);

    const demo = baton(['demo', '--no-run', '--json'], root);
    expect(demo.code, explain(demo)).toBe(0);
    expect(json<{ ok: boolean; fleet: { kind: string } }>(demo)).toMatchObject({ ok: true, fleet: { kind: 'skipped' } });

    const schema = baton(['schema'], root);
    expect(schema.stdout.trim()).toBe(join(installed, 'schema', 'baton.config.schema.json'));

    const repo = join(root, 'project');
    mkdirSync(repo);
    git(repo, ['init', '-q', '-b', 'main']);
    git(repo, ['config', 'user.name', 'Test User']);
    git(repo, ['config', 'user.email', 'test@example.com']);
    writeFileSync(join(repo, 'baton.config.json'), `${JSON.stringify({ checks: [{ id: 'greeting', run: 'grep -q hello greeting.txt' }] }, null, 2)}\n`);
    git(repo, ['add', '-A']);
    git(repo, ['commit', '-qm', 'initial']);
    const init = baton(['init'], repo);
    expect(init.code, explain(init)).toBe(0);
    expect(init.stdout).toMatch(/^board ready at .*baton\.db \(0 tasks\)\n$/);
    expect(baton(['add', 'Write the greeting', '--json'], repo).code).toBe(0);
    const claim = baton(['claim', '1', '--json'], repo);
    expect(claim.code, explain(claim)).toBe(0);
    expect(json<{ task: { status: string; assignee: string } }>(claim).task).toMatchObject({ status: 'in_progress', assignee: 'tester' });

    const agent = join(tools, 'greeter.sh');
    writeFileSync(agent, '#!/bin/sh\necho hello > greeting.txt\n');
    chmodSync(agent, 0o755);
    const run = baton(['run', '1', '--agent', `cmd:${agent}`, '--json'], repo);
    expect(run.code, explain(run)).toBe(0);
    const doc = json<{ run: { status: string; attempts: { verdict: string }[] }; task: { status: string } }>(run);
    expect(doc.run.status).toBe('succeeded');
    expect(doc.run.attempts.map((attempt) => attempt.verdict)).toEqual(['passed']);
    expect(doc.task.status).toBe('review');

    // Nothing was written into the package; each bundle's cache (the demo's, the runner's) went beside the first one.
    expect(readdirSync(join(installed, 'dist')).sort()).toEqual(BUNDLES);
    expect(readdirSync(join(cacheHome, 'baton-agents')).sort()).toEqual(['baton-demo.cjs', 'baton-run.cjs', 'baton.cjs'].map((bundle) => expect.stringMatching(CACHE_FILE(bundle))));
  });
});
