import { createRequire } from 'node:module';

type ChildProcessModule = typeof import('node:child_process');

let loaded: ChildProcessModule | undefined;

/**
 * `node:child_process`, loaded on first use: it drags in Node's stream and socket stack, a few
 * milliseconds that most commands never need. A `require` rather than `import()`, because the
 * bundle runs inside vm.Script (see bin/baton.cjs), where dynamic import is not available.
 */
export function childProcess(): ChildProcessModule {
  loaded ??= createRequire(import.meta.url)('node:child_process') as ChildProcessModule;
  return loaded;
}
