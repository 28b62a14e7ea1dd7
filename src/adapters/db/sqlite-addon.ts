import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { dlopen, getBuiltinModule } from 'node:process';
import { fileURLToPath } from 'node:url';

/** The addon once this process has loaded it: every connection of the process shares it. */
let loaded: object | undefined;

/**
 * better-sqlite3's native addon as this installation built it, loaded with `process.dlopen`; or
 * undefined, when it is not built, for better-sqlite3 to search on its own and fail with the
 * error that `nativeModuleError` turns into the fix. Loading the file by `require`, or finding the
 * package by `require.resolve`, would compile Node's module resolver on every command: several
 * times the cost of the few `stat`s below.
 */
export function sqliteAddon(): object | undefined {
  if (loaded !== undefined) return loaded;
  const packageDir = betterSqlitePackageDir();
  if (packageDir === undefined) return undefined;
  const file = join(packageDir, 'build', 'Release', 'better_sqlite3.node');
  if (!existsSync(file)) return undefined;
  const module = { exports: {} };
  dlopen(module, file);
  loaded = module.exports;
  return loaded;
}

/**
 * The better-sqlite3 package that `require` would find from here: the first
 * `node_modules/better-sqlite3` holding a package.json in this file's folder or one above it, as
 * Node walks them (a folder named node_modules gets no node_modules of its own); else wherever
 * Node's resolver finds it (NODE_PATH, the global folders). `node:module` is loaded only then: a
 * static import of it would cost every command as much as the resolver it avoids.
 */
function betterSqlitePackageDir(): string | undefined {
  // In the bundle import.meta.url stands for the bundle's own path (scripts/build.mjs).
  const here = import.meta.url.startsWith('file:') ? fileURLToPath(import.meta.url) : import.meta.url;
  for (let dir = dirname(here); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', 'better-sqlite3');
    if (basename(dir) !== 'node_modules' && existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) break;
  }
  try {
    return dirname(getBuiltinModule('node:module').createRequire(import.meta.url).resolve('better-sqlite3/package.json'));
  } catch {
    return undefined;
  }
}
