import { getBuiltinModule } from 'node:process';

type ChildProcessModule = typeof import('node:child_process');

let loaded: ChildProcessModule | undefined;

/**
 * `node:child_process`, loaded on first use: it drags in Node's stream and socket stack, a few
 * milliseconds that most commands never need. Synchronous rather than `import()`, because the
 * bundle runs inside vm.Script (see bin/baton.cjs), where dynamic import is not available; and
 * not through `createRequire`, whose `node:module` would itself cost every command.
 */
export function childProcess(): ChildProcessModule {
  loaded ??= getBuiltinModule('node:child_process');
  return loaded;
}
