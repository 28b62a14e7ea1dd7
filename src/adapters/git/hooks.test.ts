import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { env as processEnv } from 'node:process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { git, makeRepo } from '../../../test/helpers/baton.js';
import { installHooks, shellCommand, uninstallHooks, type HookChange } from './hooks.js';
import { locateRepository, type RepositoryLocation } from './repository.js';

const env = { env: processEnv };

function locate(dir: string): RepositoryLocation {
  const location = locateRepository(dir);
  if (location === null) throw new Error(`${dir} is not a repository`);
  return location;
}

const actions = (changes: readonly HookChange[]) => changes.map((change) => `${change.hook}:${change.action}`);

describe('installHooks / uninstallHooks', () => {
  let repo: ReturnType<typeof makeRepo>;
  let log: string;
  let exitFile: string;
  let command: string;
  let hooks: string;

  beforeEach(() => {
    repo = makeRepo('baton-hooks-');
    hooks = join(repo.dir, '.git', 'hooks');
    // A stand-in for `node bin/baton.mjs`, in a folder with a space so the command must be quoted.
    const bin = join(repo.dir, '.git', 'fake bin');
    mkdirSync(bin);
    log = join(bin, 'log');
    exitFile = join(bin, 'exit-code');
    const script = join(bin, 'fake baton');
    writeFileSync(script, `#!/bin/sh\necho "baton $*" >> '${log}'\n[ -f '${exitFile}' ] && exit "$(cat '${exitFile}')"\nexit 0\n`);
    chmodSync(script, 0o755);
    command = shellCommand([script]);
    writeFileSync(join(repo.dir, 'a.txt'), 'a\n');
    git(repo.dir, ['add', 'a.txt']);
    git(repo.dir, ['commit', '-q', '--no-verify', '-m', 'base']);
    rmSync(hooks, { recursive: true, force: true });
  });
  afterEach(() => repo.cleanup());

  const commit = (cwd = repo.dir, ...extra: string[]) => spawnSync('git', ['commit', '-q', '--allow-empty', '-m', 'change', ...extra], { cwd, encoding: 'utf8' });
  const logLines = () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []);
  const userHook = (name: string, text: string) => {
    mkdirSync(hooks, { recursive: true });
    writeFileSync(join(hooks, name), text);
    chmodSync(join(hooks, name), 0o755);
    return text;
  };

  it('creates both hooks where there were none, and git runs them', async () => {
    const changes = await installHooks(locate(repo.dir), command, env);
    expect(actions(changes)).toEqual(['pre-commit:created', 'post-commit:created']);
    expect(changes.map((change) => change.path)).toEqual([join(hooks, 'pre-commit'), join(hooks, 'post-commit')]);
    for (const name of ['pre-commit', 'post-commit']) {
      expect(readFileSync(join(hooks, name), 'utf8').startsWith('#!/bin/sh\n# >>> baton >>>\n')).toBe(true);
      expect(lstatSync(join(hooks, name)).mode & 0o111).toBe(0o111);
    }
    expect(commit().status).toBe(0);
    expect(logLines()).toEqual(['baton hooks run pre-commit', 'baton hooks run post-commit']);
  });

  it('keeps existing hooks running, and uninstalling gives them back byte for byte', async () => {
    const pre = userHook('pre-commit', `#!/bin/sh\necho "user pre-commit" >> '${log}'\nexit 0\n`);
    const post = userHook('post-commit', `#!/usr/bin/env bash\nset -e\necho "user post-commit" >> '${log}'\nexit 0\n`);
    chmodSync(join(hooks, 'post-commit'), 0o750);
    expect(actions(await installHooks(locate(repo.dir), command, env))).toEqual(['pre-commit:added', 'post-commit:added']);
    expect(commit().status).toBe(0);
    // Our block sits before the user's `exit 0`, and the user's script still runs after it.
    expect(logLines()).toEqual(['baton hooks run pre-commit', 'user pre-commit', 'baton hooks run post-commit', 'user post-commit']);

    expect(actions(await uninstallHooks(locate(repo.dir), env))).toEqual(['pre-commit:removed', 'post-commit:removed']);
    expect(readFileSync(join(hooks, 'pre-commit'), 'utf8')).toBe(pre);
    expect(readFileSync(join(hooks, 'post-commit'), 'utf8')).toBe(post);
    expect(lstatSync(join(hooks, 'post-commit')).mode & 0o777).toBe(0o750);
    rmSync(log);
    expect(commit().status).toBe(0);
    expect(logLines()).toEqual(['user pre-commit', 'user post-commit']);
  });

  it('gives back hooks without a #! line, or without a final newline, byte for byte', async () => {
    const pre = userHook('pre-commit', `echo "user pre-commit" >> '${log}'`);
    const post = userHook('post-commit', '#!/bin/sh');
    expect(actions(await installHooks(locate(repo.dir), command, env))).toEqual(['pre-commit:added', 'post-commit:added']);
    expect(commit().status).toBe(0);
    expect(logLines()).toEqual(['baton hooks run pre-commit', 'user pre-commit', 'baton hooks run post-commit']);
    await uninstallHooks(locate(repo.dir), env);
    expect(readFileSync(join(hooks, 'pre-commit'), 'utf8')).toBe(pre);
    expect(readFileSync(join(hooks, 'post-commit'), 'utf8')).toBe(post);
  });

  it('changes nothing when installed twice; a new command replaces the block', async () => {
    await installHooks(locate(repo.dir), command, env);
    const first = readFileSync(join(hooks, 'pre-commit'), 'utf8');
    expect(actions(await installHooks(locate(repo.dir), command, env))).toEqual(['pre-commit:unchanged', 'post-commit:unchanged']);
    expect(readFileSync(join(hooks, 'pre-commit'), 'utf8')).toBe(first);

    expect(actions(await installHooks(locate(repo.dir), '/opt/other/baton', env))).toEqual(['pre-commit:updated', 'post-commit:updated']);
    const updated = readFileSync(join(hooks, 'pre-commit'), 'utf8');
    expect(updated).toContain('/opt/other/baton hooks run pre-commit');
    expect(updated).not.toContain('fake baton');
    expect(updated.match(/# >>> baton >>>/g)).toHaveLength(1);
    // Still the file we created: uninstalling deletes it.
    expect(actions(await uninstallHooks(locate(repo.dir), env))).toEqual(['pre-commit:deleted', 'post-commit:deleted']);
    expect(existsSync(join(hooks, 'pre-commit'))).toBe(false);
    expect(actions(await uninstallHooks(locate(repo.dir), env))).toEqual(['pre-commit:absent', 'post-commit:absent']);
  });

  it('keeps a file it created when the user has added to it since', async () => {
    await installHooks(locate(repo.dir), command, env);
    const path = join(hooks, 'post-commit');
    writeFileSync(path, `${readFileSync(path, 'utf8')}echo "user line" >> '${log}'\n`);
    expect(actions(await uninstallHooks(locate(repo.dir), env))).toEqual(['pre-commit:deleted', 'post-commit:removed']);
    expect(readFileSync(path, 'utf8')).toBe(`#!/bin/sh\necho "user line" >> '${log}'\n`);
  });

  it('blocks the commit when the guard refuses, before the user hook runs; --no-verify overrides', async () => {
    userHook('pre-commit', `#!/bin/sh\necho "user pre-commit" >> '${log}'\n`);
    await installHooks(locate(repo.dir), command, env);
    const head = git(repo.dir, ['rev-parse', 'HEAD']);
    writeFileSync(exitFile, '4');
    const refused = commit();
    expect(refused.status).not.toBe(0);
    expect(git(repo.dir, ['rev-parse', 'HEAD'])).toBe(head);
    expect(logLines()).toEqual(['baton hooks run pre-commit']);
    // Git's own override skips both pre-commit scripts; post-commit still runs.
    expect(commit(repo.dir, '--no-verify').status).toBe(0);
    expect(git(repo.dir, ['rev-parse', 'HEAD'])).not.toBe(head);
    expect(logLines()).toEqual(['baton hooks run pre-commit', 'baton hooks run post-commit']);
  });

  it('lets the commit through, with a warning, when baton cannot be started', async () => {
    await installHooks(locate(repo.dir), shellCommand([join(repo.dir, 'no such baton')]), env);
    const result = commit();
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('baton: could not run the commit guard (exit 127)');
  });

  it('installs into core.hooksPath when it is set', async () => {
    const shared = `${repo.dir}-shared-hooks`;
    try {
      git(repo.dir, ['config', 'core.hooksPath', shared]);
      const changes = await installHooks(locate(repo.dir), command, env);
      expect(changes.map((change) => change.path)).toEqual([join(shared, 'pre-commit'), join(shared, 'post-commit')]);
      expect(changes.every((change) => change.reason === undefined)).toBe(true);
      expect(existsSync(join(hooks, 'pre-commit'))).toBe(false);
      expect(commit().status).toBe(0);
      expect(logLines()).toEqual(['baton hooks run pre-commit', 'baton hooks run post-commit']);
    } finally {
      rmSync(shared, { recursive: true, force: true });
    }
  });

  it('warns that a relative core.hooksPath lives in the worktree', async () => {
    git(repo.dir, ['config', 'core.hooksPath', 'tools/hooks']);
    const changes = await installHooks(locate(repo.dir), command, env);
    expect(changes[0]?.path).toBe(join(repo.dir, 'tools', 'hooks', 'pre-commit'));
    expect(changes[0]?.reason).toMatch(/inside the worktree \(tools\/hooks\)/);
  });

  it('installs from a linked worktree into the hooks every worktree shares', async () => {
    const wt = `${repo.dir}-wt`;
    try {
      git(repo.dir, ['worktree', 'add', '-q', '-b', 'feature', wt]);
      const changes = await installHooks(locate(wt), command, env);
      expect(changes[0]?.path).toBe(join(hooks, 'pre-commit'));
      expect(commit(wt).status).toBe(0);
      expect(logLines()).toEqual(['baton hooks run pre-commit', 'baton hooks run post-commit']);
    } finally {
      rmSync(wt, { recursive: true, force: true });
    }
  });

  it('leaves alone hooks it cannot safely edit, and says why', async () => {
    const python = userHook('pre-commit', '#!/usr/bin/env python3\nprint("hi")\n');
    const target = join(repo.dir, 'shared-post-commit');
    writeFileSync(target, '#!/bin/sh\n');
    mkdirSync(hooks, { recursive: true });
    symlinkSync(target, join(hooks, 'post-commit'));
    const changes = await installHooks(locate(repo.dir), command, env);
    expect(actions(changes)).toEqual(['pre-commit:skipped', 'post-commit:skipped']);
    expect(changes[0]?.reason).toContain('python3');
    expect(changes[1]?.reason).toContain('symbolic link');
    expect(readFileSync(join(hooks, 'pre-commit'), 'utf8')).toBe(python);
    expect(readFileSync(target, 'utf8')).toBe('#!/bin/sh\n');

    rmSync(join(hooks, 'post-commit'));
    writeFileSync(join(hooks, 'post-commit'), '#!/bin/sh\necho disabled\n', { mode: 0o644 });
    const again = await installHooks(locate(repo.dir), command, env);
    expect(again[1]).toMatchObject({ action: 'skipped', reason: expect.stringContaining('not executable') });
    expect(actions(await uninstallHooks(locate(repo.dir), env))).toEqual(['pre-commit:absent', 'post-commit:absent']);
  });

  it('refuses a command that would break the script', async () => {
    await expect(installHooks(locate(repo.dir), 'baton\nrm -rf /', env)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(installHooks(locate(repo.dir), '  ', env)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(existsSync(join(hooks, 'pre-commit'))).toBe(false);
  });
});

describe('shellCommand', () => {
  it('quotes only what needs quoting', () => {
    expect(shellCommand(['/usr/bin/node', '/opt/baton/bin/baton.mjs'])).toBe('/usr/bin/node /opt/baton/bin/baton.mjs');
    expect(shellCommand(["/home/o'neil/my tools/baton"])).toBe(`'/home/o'\\''neil/my tools/baton'`);
    const echoed = spawnSync('sh', ['-c', `printf %s ${shellCommand(["it's $HOME `x`"])}`], { encoding: 'utf8' });
    expect(echoed.stdout).toBe("it's $HOME `x`");
  });
});
