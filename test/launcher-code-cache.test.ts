import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BATON_BIN } from './helpers/baton.js';

// bin/baton.cjs on small bundles of its own: where the V8 code cache goes and when it is used.
// The bundles print which one ran; each defines enough functions for V8 to cache them.

const CACHE_NAME = (id: string) => `baton.cjs.${id}.${process.version}-${process.arch}.cache`;
const DAY_MS = 24 * 60 * 60 * 1000;

function bundleText(id: string, word: string): string {
  const functions = Array.from({ length: 50 }, (_, i) => `function f${i}(x) { return x + ${i}; }`).join('\n');
  return `// baton bundle ${id}\n${functions}\nconsole.log(${JSON.stringify(word)}, f49(1));\n`;
}

let root: string;
let pkg: string;
let cacheHome: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'baton-launcher-'));
  pkg = join(root, 'pkg');
  cacheHome = join(root, 'cache-home');
  mkdirSync(join(pkg, 'bin'), { recursive: true });
  mkdirSync(join(pkg, 'dist'));
  copyFileSync(BATON_BIN, join(pkg, 'bin', 'baton.cjs'));
});

afterEach(() => {
  chmodSync(join(pkg, 'dist'), 0o755);
  rmSync(root, { recursive: true, force: true });
});

function launch(env: Record<string, string> = {}): string {
  const result = spawnSync(process.execPath, [join(pkg, 'bin', 'baton.cjs')], {
    cwd: root,
    env: { ...process.env, XDG_CACHE_HOME: cacheHome, HOME: join(root, 'home'), ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return result.stdout.trim();
}

const distFiles = () => readdirSync(join(pkg, 'dist')).sort();
const userCacheDir = () => join(cacheHome, 'baton-agents');

describe('the code cache of bin/baton.cjs', () => {
  it('is written beside the bundle when dist/ is writable, named for the bundle id, Node version and architecture', () => {
    writeFileSync(join(pkg, 'dist', 'baton.cjs'), bundleText('00000000000000aa', 'first'));
    expect(launch()).toBe('first 50');
    expect(distFiles()).toEqual(['baton.cjs', CACHE_NAME('00000000000000aa')]);
    expect(existsSync(userCacheDir())).toBe(false);
  });

  it("goes to the user's cache folder when dist/ is read-only (even for root), and is used from there", () => {
    writeFileSync(join(pkg, 'dist', 'baton.cjs'), bundleText('00000000000000aa', 'first'));
    chmodSync(join(pkg, 'dist'), 0o555);
    expect(launch()).toBe('first 50');
    expect(distFiles()).toEqual(['baton.cjs']);
    const cache = join(userCacheDir(), CACHE_NAME('00000000000000aa'));
    expect(readdirSync(userCacheDir())).toEqual([CACHE_NAME('00000000000000aa')]);
    // A cache V8 accepts is not written again.
    const aMinuteAgo = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
    utimesSync(cache, aMinuteAgo, aMinuteAgo);
    expect(launch()).toBe('first 50');
    expect(statSync(cache).mtimeMs).toBe(aMinuteAgo.getTime());
  });

  it('falls back to ~/.cache/baton-agents without XDG_CACHE_HOME', () => {
    writeFileSync(join(pkg, 'dist', 'baton.cjs'), bundleText('00000000000000aa', 'first'));
    chmodSync(join(pkg, 'dist'), 0o555);
    expect(launch({ XDG_CACHE_HOME: '' })).toBe('first 50');
    expect(readdirSync(join(root, 'home', '.cache', 'baton-agents'))).toEqual([CACHE_NAME('00000000000000aa')]);
  });

  it('never uses the cache of another build, even one of the same length', () => {
    writeFileSync(join(pkg, 'dist', 'baton.cjs'), bundleText('00000000000000aa', 'first'));
    expect(launch()).toBe('first 50');
    const second = bundleText('00000000000000bb', 'other');
    expect(second.length).toBe(bundleText('00000000000000aa', 'first').length);
    writeFileSync(join(pkg, 'dist', 'baton.cjs'), second);
    expect(launch()).toBe('other 50');
    expect(distFiles()).toEqual(['baton.cjs', CACHE_NAME('00000000000000aa'), CACHE_NAME('00000000000000bb')]);
  });

  it('runs without a cache, and writes none, for a bundle without an id', () => {
    writeFileSync(join(pkg, 'dist', 'baton.cjs'), bundleText('00000000000000aa', 'first').replace(/^.*\n/, ''));
    expect(launch()).toBe('first 50');
    expect(distFiles()).toEqual(['baton.cjs']);
    expect(existsSync(userCacheDir())).toBe(false);
  });

  it('runs when it can write a cache nowhere', () => {
    writeFileSync(join(pkg, 'dist', 'baton.cjs'), bundleText('00000000000000aa', 'first'));
    chmodSync(join(pkg, 'dist'), 0o555);
    writeFileSync(cacheHome, 'a file where the cache folder would go');
    expect(launch()).toBe('first 50');
    expect(launch()).toBe('first 50');
    expect(distFiles()).toEqual(['baton.cjs']);
  });

  it("removes caches of other builds from the user's folder once they are a month old, not before", () => {
    writeFileSync(join(pkg, 'dist', 'baton.cjs'), bundleText('00000000000000aa', 'first'));
    chmodSync(join(pkg, 'dist'), 0o555);
    mkdirSync(userCacheDir(), { recursive: true });
    const old = join(userCacheDir(), CACHE_NAME('0000000000000011'));
    const recent = join(userCacheDir(), CACHE_NAME('0000000000000022'));
    const unrelated = join(userCacheDir(), 'notes.txt');
    for (const file of [old, recent, unrelated]) writeFileSync(file, 'x');
    const longAgo = new Date(Date.now() - 31 * DAY_MS);
    utimesSync(old, longAgo, longAgo);
    utimesSync(unrelated, longAgo, longAgo);
    utimesSync(recent, new Date(Date.now() - 29 * DAY_MS), new Date(Date.now() - 29 * DAY_MS));
    expect(launch()).toBe('first 50');
    expect(readdirSync(userCacheDir()).sort()).toEqual([CACHE_NAME('00000000000000aa'), CACHE_NAME('0000000000000022'), 'notes.txt'].sort());
  });
});

describe('the chunks bin/baton.cjs loads on demand', () => {
  // A main bundle that uses its chunk only when given an argument, as `baton run` does.
  const main = (id: string) =>
    `// baton bundle ${id}\n${Array.from({ length: 50 }, (_, i) => `function f${i}(x) { return x + ${i}; }`).join('\n')}\n` +
    `console.log(process.argv[2] === 'chunk' ? require('baton-chunk:extra/greet.ts').greet(f49(1)) : 'main ' + f49(1));\n`;
  const chunk = (id: string) =>
    `// baton bundle ${id}\n${Array.from({ length: 50 }, (_, i) => `function g${i}(x) { return x + ${i}; }`).join('\n')}\n` +
    `module.exports = { modules: { 'greet.ts': { greet: (n) => 'chunk ' + g0(n) } } };\n`;
  const CHUNK_CACHE = (id: string) => `baton-extra.cjs.${id}.${process.version}-${process.arch}.cache`;

  function launchWith(arg: string): { status: number | null; stdout: string; stderr: string } {
    const result = spawnSync(process.execPath, [join(pkg, 'bin', 'baton.cjs'), arg], {
      cwd: root,
      env: { ...process.env, XDG_CACHE_HOME: cacheHome, HOME: join(root, 'home') },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { status: result.status, stdout: result.stdout.trim(), stderr: result.stderr };
  }

  it('reads a chunk only when a command requires it, and caches each bundle under its own name', () => {
    writeFileSync(join(pkg, 'dist', 'baton.cjs'), main('00000000000000aa'));
    writeFileSync(join(pkg, 'dist', 'baton-extra.cjs'), chunk('00000000000000cc'));
    expect(launchWith('main')).toMatchObject({ status: 0, stdout: 'main 50' });
    expect(distFiles()).toEqual(['baton-extra.cjs', 'baton.cjs', CACHE_NAME('00000000000000aa')]);
    expect(launchWith('chunk')).toMatchObject({ status: 0, stdout: 'chunk 50' });
    expect(distFiles()).toEqual(['baton-extra.cjs', CHUNK_CACHE('00000000000000cc'), 'baton.cjs', CACHE_NAME('00000000000000aa')]);
  });

  it('runs the main bundle without its chunks, and names the missing chunk when one is needed', () => {
    writeFileSync(join(pkg, 'dist', 'baton.cjs'), main('00000000000000aa'));
    expect(launchWith('main')).toMatchObject({ status: 0, stdout: 'main 50' });
    const missing = launchWith('chunk');
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain(`baton's extra bundle cannot be read (${join(pkg, 'dist', 'baton-extra.cjs')}: ENOENT); reinstall baton`);
  });
});
