#!/usr/bin/env node
'use strict';
// Starts the built CLI (dist/baton.cjs, made by `npm run build` or npm install's `prepare`).
//
// Node 20 has no module compile cache, and compiling the bundle is the largest part of a
// command's start-up after Node's own. So the bundle is compiled through vm.Script with V8's
// code cache, kept beside it per Node version and architecture. The build warms it by running
// the common commands (scripts/build.mjs); otherwise the first run writes it. It is simply
// recompiled if V8 rejects it (another Node, a rebuilt bundle) or cannot be written (a
// read-only install).
const { readFileSync, renameSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { Script } = require('node:vm');
const { createRequire } = require('node:module');

const dist = join(__dirname, '..', 'dist');
const file = join(dist, 'baton.cjs');
const cacheFile = join(dist, `baton.cjs.${process.version}-${process.arch}.cache`);

let cachedData;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  cachedData = undefined;
}
const source = readFileSync(file, 'utf8');
const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
  filename: file,
  ...(cachedData ? { cachedData } : {}),
});
if (cachedData === undefined || script.cachedDataRejected || process.env.BATON_REFRESH_CODE_CACHE === '1') {
  // At exit the cache also holds the functions this run compiled lazily.
  process.once('exit', () => {
    try {
      const temporary = `${cacheFile}.${process.pid}.tmp`;
      writeFileSync(temporary, script.createCachedData());
      renameSync(temporary, cacheFile);
    } catch {
      // No cache this time; the next run compiles again.
    }
  });
}
const bundle = { exports: {} };
script.runInThisContext()(bundle.exports, createRequire(file), bundle, file, dist);
