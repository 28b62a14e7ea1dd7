#!/usr/bin/env node
'use strict';
// Starts the built CLI (dist/baton.cjs, made by `npm run build`, by npm install's `prepare` in a
// clone, or by `npm pack` before publishing).
//
// The CLI is split into bundles (scripts/bundles.mjs): the board commands in dist/baton.cjs, the
// runner, the ACP client and the demo in chunks (dist/baton-<chunk>.cjs) loaded only by the
// commands that use them. Node 20 has no module compile cache, and compiling a bundle is the
// largest part of a command's start-up after Node's own. So each bundle is compiled through
// vm.Script with a V8 code cache of its own. A cache is only valid for the Node version and CPU that made it, so none is
// shipped in the package: it is made on the user's machine, by the build in a clone (warmed
// with the common commands, scripts/build.mjs) or else by the first run, and kept
//   - beside the bundle, in dist/, when that folder lets us write (a clone, npx, a user's own
//     global prefix);
//   - otherwise (a global install owned by root or made read-only) in the user's cache folder,
//     $XDG_CACHE_HOME/baton-agents or ~/.cache/baton-agents.
// Its name holds the Node version, the architecture and the bundle's id (a hash the build
// writes on the bundle's first line): V8 checks only the source's length, so a cache of another
// build of the same length would otherwise be accepted. It is simply recompiled if V8 rejects
// it, and no cache is written (nor time spent making one) where none can be written.
const { closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { Script } = require('node:vm');

const CACHE_FOLDER = 'baton-agents';
/** Caches in the user's folder not rewritten for this long are removed when another is written. */
const STALE_CACHE_MS = 30 * 24 * 60 * 60 * 1000;
const ID_LINE = '// baton bundle ';
/** CommonJS's wrapper, which the build puts around each bundle's code (bundles made otherwise get it here). */
const WRAPPER = '(function (exports, require, module, __filename, __dirname) {';

const CHUNK_PREFIX = 'baton-chunk:';

const dist = join(__dirname, '..', 'dist');
/**
 * `require` as a module of dist/ would have it: this file's own, since bin/ and dist/ sit side by
 * side in the package and the bundles require only Node's modules and packages, which both find
 * in the same node_modules folders (Node's `module` and its createRequire cost a command more).
 */
const nodeRequire = require;
/** Chunks loaded so far, by name: each one's table of modules. */
const chunks = new Map();
/** Bundles whose cache is missing, stale or to be refreshed: written at exit. */
const toCache = [];

chunks.set('baton', loadBundle('baton.cjs').modules);

/**
 * Compiles and runs one bundle of dist/ through V8's code cache, and returns its exports. The
 * board commands live in baton.cjs; the runner, the ACP client and the demo in chunks
 * (baton-<chunk>.cjs) that a command loads by requiring `baton-chunk:<chunk>/<module>`
 * (scripts/bundles.mjs), so a board command reads and deserializes only what it runs.
 */
function loadBundle(fileName) {
  const file = join(dist, fileName);
  let source;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    if (fileName === 'baton.cjs' || (error.code !== 'ENOENT' && error.code !== 'EACCES')) throw error;
    const chunk = fileName.slice('baton-'.length, -'.cjs'.length);
    throw new Error(`baton's ${chunk} bundle cannot be read (${file}: ${error.code}); reinstall baton, or run \`npm run build\` in a checkout`);
  }
  const id = bundleId(source);
  const cacheName = id === null ? null : `${fileName}.${id}.${process.version}-${process.arch}.cache`;
  let cachedData;
  if (cacheName !== null) cachedData = readOrUndefined(join(dist, cacheName)) ?? readOrUndefined(join(userCacheDir(), cacheName));
  const script = new Script(isWrapped(source) ? source : `${WRAPPER}${source}\n})`, {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
  });
  if (cacheName !== null && (cachedData === undefined || script.cachedDataRejected || process.env.BATON_REFRESH_CODE_CACHE === '1')) {
    // At exit the cache also holds the functions this run compiled lazily. The listener is added
    // only now: most commands have nothing to write, and adding one costs them.
    if (toCache.length === 0) process.on('exit', writeCaches);
    toCache.push({ name: cacheName, script });
  }
  const bundle = { exports: {} };
  script.runInThisContext()(bundle.exports, bundleRequire, bundle, file, dist);
  return bundle.exports;
}

function writeCaches() {
  for (const { name, script } of toCache) writeCache(name, () => script.createCachedData());
}

/** `require` as the bundles see it: Node's, plus the modules of baton's chunks. */
function bundleRequire(specifier) {
  if (!specifier.startsWith(CHUNK_PREFIX)) return nodeRequire(specifier);
  const slash = specifier.indexOf('/', CHUNK_PREFIX.length);
  const name = specifier.slice(CHUNK_PREFIX.length, slash);
  const key = specifier.slice(slash + 1);
  let table = chunks.get(name);
  if (table === undefined) {
    table = loadBundle(`baton-${name}.cjs`).modules;
    chunks.set(name, table);
  }
  if (table === undefined || !(key in table)) throw new Error(`baton's ${name} bundle has no module ${key}; reinstall baton, or run \`npm run build\` in a checkout`);
  return table[key];
}
bundleRequire.resolve = nodeRequire.resolve;

/** Whether the build wrapped the bundle already (see WRAPPER). */
function isWrapped(text) {
  return text.startsWith(ID_LINE) && text.startsWith(WRAPPER, text.indexOf('\n') + 1);
}

/** The build's hash from the bundle's first line; null (no cache used) for a bundle without one. */
function bundleId(text) {
  if (!text.startsWith(ID_LINE)) return null;
  const found = /^[0-9a-f]{8,64}$/.exec(text.slice(ID_LINE.length, text.indexOf('\n')));
  return found === null ? null : found[0];
}

function readOrUndefined(path) {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

function userCacheDir() {
  const xdg = process.env.XDG_CACHE_HOME;
  if (xdg && xdg.startsWith('/')) return join(xdg, CACHE_FOLDER);
  return join(require('node:os').homedir(), '.cache', CACHE_FOLDER);
}

/**
 * Writes the cache beside the bundle when dist/ lets us, else in the user's cache folder; never
 * throws. The file is opened before the cache is made, so a run that cannot write it anywhere
 * pays for one failed open, not for serializing the cache.
 */
function writeCache(name, makeCache) {
  for (const dir of [distIfWritable(), userCacheDir()]) {
    if (dir === null) continue;
    const target = join(dir, name);
    const temporary = `${target}.${process.pid}.tmp`;
    let fd;
    try {
      if (dir !== dist) mkdirSync(dir, { recursive: true, mode: 0o700 });
      fd = openSync(temporary, 'w', 0o644);
    } catch {
      continue;
    }
    try {
      writeFileSync(fd, makeCache());
      closeSync(fd);
      fd = undefined;
      renameSync(temporary, target);
      if (dir !== dist) removeStaleCaches(dir, name);
      return;
    } catch {
      if (fd !== undefined) closeSync(fd);
      try {
        unlinkSync(temporary);
      } catch {
        // Nothing left to clean.
      }
      return;
    }
  }
}

/**
 * Other versions of baton (or of Node) leave their caches in the user's folder. Age decides,
 * not the name: two installed versions in use would otherwise keep removing each other's. A
 * cache still in use that goes is simply made again.
 */
function removeStaleCaches(dir, keep) {
  try {
    const now = Date.now();
    for (const entry of readdirSync(dir)) {
      if (entry === keep || !/^baton(-[a-z]+)?\.cjs\..*\.(cache|tmp)$/.test(entry)) continue;
      const path = join(dir, entry);
      if (now - statSync(path).mtimeMs > STALE_CACHE_MS) rmSync(path, { force: true });
    }
  } catch {
    // Left for the next write.
  }
}

/**
 * dist/ when its permission bits let this user write there. Read from the mode rather than by
 * trying, so that a package made read-only (`chmod -R a-w`) is left alone by root as well.
 */
function distIfWritable() {
  try {
    const { mode, uid, gid } = statSync(dist);
    const me = process.getuid?.();
    if (me === undefined) return dist;
    const inGroup = process.getegid?.() === gid || process.getgroups?.().includes(gid);
    const bit = me === uid ? 0o200 : inGroup ? 0o020 : 0o002;
    return (mode & bit) !== 0 ? dist : null;
  } catch {
    return null;
  }
}
