import { describe, expect, it } from 'vitest';
import { commandInvocations, type Invocation } from './check-invocations.js';

/** The invocations other than the folders commands run in, which nearly every case has. */
const runs = (command: string, cwd = ''): Invocation[] => commandInvocations(command, cwd).filter((invocation) => invocation.kind !== 'dir');
const dirs = (command: string): string[] => commandInvocations(command, '').flatMap((invocation) => (invocation.kind === 'dir' ? [invocation.dir] : []));

describe('commandInvocations', () => {
  it('reads the scripts npm, pnpm, yarn and bun run, by every spelling', () => {
    const root = (names: string[]): Invocation => ({ kind: 'scripts', manifest: 'package.json', names });
    expect(runs('npm test')).toEqual([root(['test'])]);
    expect(runs('npm t && npm run-script lint -- --fix && npm run unit --if-present')).toEqual([root(['test']), root(['lint']), root(['unit'])]);
    expect(runs('pnpm test && pnpm run e2e && pnpm lint && pnpm add zod')).toEqual([root(['test']), root(['e2e']), root(['lint'])]);
    expect(runs('yarn test && yarn run build && yarn typecheck')).toEqual([root(['test']), root(['build']), root(['typecheck'])]);
    expect(runs('bun run test && bun test')).toEqual([root(['test'])]);
    // An install runs the package's lifecycle scripts too.
    expect(runs('npm ci && yarn && pnpm i --frozen-lockfile')).toEqual([root(['install', 'prepare']), root(['install', 'prepare']), root(['install', 'prepare'])]);
  });

  it('follows the folder a command runs in: cd, --prefix, -C, --cwd, and subshells', () => {
    const at = (manifest: string, name = 'test'): Invocation => ({ kind: 'scripts', manifest, names: [name] });
    expect(runs('cd web && npm test')).toEqual([at('web/package.json')]);
    expect(runs('npm --prefix api test && pnpm -C ui test && yarn --cwd docs test')).toEqual([at('api/package.json'), at('ui/package.json'), at('docs/package.json')]);
    expect(runs('(cd web && npm test) && npm run lint')).toEqual([at('web/package.json'), at('package.json', 'lint')]);
    expect(runs('npm test', 'packages/a')).toEqual([at('packages/a/package.json')]);
    expect(runs('cd ../elsewhere && npm test')).toEqual([]);
    expect(dirs('cd web && npm test')).toEqual(['web']);
  });

  it('reads every workspace for -ws, --filter, -r, a workspace by name, turbo and friends', () => {
    const all = (names: string[]): Invocation => ({ kind: 'scripts', manifest: '**/package.json', names });
    expect(runs('npm test --workspaces')).toEqual([all(['test'])]);
    expect(runs('npm run test -w @acme/ui')).toEqual([all(['test'])]);
    expect(runs('npm run test -w packages/ui')).toEqual([{ kind: 'scripts', manifest: 'packages/ui/package.json', names: ['test'] }]);
    expect(runs('pnpm -r test && pnpm --filter web run lint')).toEqual([all(['test']), all(['lint'])]);
    expect(runs('yarn workspaces foreach -A run test')).toEqual([all(['test'])]);
    expect(runs('turbo run test lint')).toEqual([{ kind: 'tool', tool: 'turbo', dir: '' }, all(['test', 'lint'])]);
  });

  it('sees through wrappers: env assignments, cross-env, npx, sh -c, python -m', () => {
    expect(runs('CI=1 env -u X FOO=2 cross-env NODE_ENV=test npm test')).toEqual([{ kind: 'scripts', manifest: 'package.json', names: ['test'] }]);
    expect(runs('sh -c "cd app && make check"')).toEqual([{ kind: 'make', dir: 'app', makefiles: [] }]);
    expect(runs('npx -y npm-run-all --parallel lint "test:* -- --x"')).toEqual([{ kind: 'scripts', manifest: 'package.json', names: ['lint', 'test:*'] }]);
    expect(runs('uv run python -m tox -e py312')).toEqual([{ kind: 'python-module', module: 'tox', dir: '' }, { kind: 'tool', tool: 'tox', dir: '' }]);
  });

  it('notes where `python -m` and pytest run: a module added there would shadow one they import', () => {
    const modules = (command: string) => commandInvocations(command, '').filter((invocation) => invocation.kind === 'python-module');
    expect(modules('cd api && python3 -m pytest.main -q')).toEqual([{ kind: 'python-module', module: 'pytest', dir: 'api' }]);
    expect(modules('pytest -q')).toEqual([{ kind: 'python-module', module: 'pytest', dir: '' }]);
    expect(modules('npm test')).toEqual([]);
  });

  it('reads make with its folder and makefiles', () => {
    expect(runs('make test')).toEqual([{ kind: 'make', dir: '', makefiles: [] }]);
    expect(runs('make -C backend -f ci.mk -j4 check')).toEqual([
      { kind: 'file', path: 'ci.mk', cwd: '', runs: false },
      { kind: 'make', dir: 'backend', makefiles: ['backend/ci.mk'] },
    ]);
  });

  it('names the files a command mentions, and reads shell scripts it runs', () => {
    expect(runs('node scripts/check.mjs --config=vitest.ci.ts && ./scripts/ci.sh && bash tools/run')).toEqual([
      { kind: 'file', path: 'scripts/check.mjs', cwd: '', runs: false },
      { kind: 'file', path: 'vitest.ci.ts', cwd: '', runs: false },
      { kind: 'file', path: 'scripts/ci.sh', cwd: '', runs: false },
      { kind: 'file', path: 'scripts/ci.sh', cwd: '', runs: true },
      { kind: 'file', path: 'tools/run', cwd: '', runs: true },
    ]);
  });

  it('takes concurrently commands and npm: shorthands', () => {
    expect(runs('concurrently -n a,b "npm:lint" "make check"')).toEqual([
      { kind: 'scripts', manifest: 'package.json', names: ['lint'] },
      { kind: 'make', dir: '', makefiles: [] },
    ]);
  });

  it('marks the tools whose configs count', () => {
    expect(runs('eslint . && cargo test')).toEqual([
      { kind: 'tool', tool: 'eslint', dir: '' },
      { kind: 'tool', tool: 'cargo', dir: '' },
    ]);
  });
});
