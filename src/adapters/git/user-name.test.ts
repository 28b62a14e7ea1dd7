import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodeProcess from 'node:process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ASK_GIT, gitUserName, readGitUserName } from './user-name.js';

// Real git is the oracle: in every layout, the name read from the files is what
// `git config user.name` prints (trimmed, null when unset), and the reader either gives it
// without starting git or says git must be asked.

let root: string;
let home: string;
let repo: string;
let env: Record<string, string | undefined>;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'baton-user-name-'));
  home = join(root, 'home');
  repo = join(root, 'repo');
  mkdirSync(home);
  mkdirSync(repo);
  runGit(repo, ['init', '-q', '-b', 'main']);
  // Only the variables git reads: HOME and PATH, and no system config unless a test says so.
  env = { HOME: home, PATH: nodeProcess.env.PATH, GIT_CONFIG_NOSYSTEM: '1' };
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

function runGit(cwd: string, args: string[]): string {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8', env: { HOME: root, PATH: nodeProcess.env.PATH, GIT_CONFIG_NOSYSTEM: '1' } });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

function oracle(cwd: string): string | null {
  const result = spawnSync('git', ['config', 'user.name'], { cwd, env, encoding: 'utf8' });
  const name = result.status === 0 ? result.stdout.trim() : '';
  return name === '' ? null : name;
}

/** The reader answers by itself, and what it answers is git's answer. */
async function expectReadAsGit(cwd: string, expected: string | null): Promise<void> {
  expect(oracle(cwd)).toBe(expected);
  expect(readGitUserName(cwd, env)).toBe(expected);
  expect(await gitUserName(cwd, env)).toBe(expected);
}

/** The reader hands over to git, and the answer is still git's. */
async function expectAskedOfGit(cwd: string, expected: string | null): Promise<void> {
  expect(oracle(cwd)).toBe(expected);
  expect(readGitUserName(cwd, env)).toBe(ASK_GIT);
  expect(await gitUserName(cwd, env)).toBe(expected);
}

const repoConfig = () => join(repo, '.git', 'config');
const appendTo = (path: string, text: string) => writeFileSync(path, text, { flag: 'a' });

describe("the git user's name, read without starting git", () => {
  it('is null when no file sets it, inside and outside a repository', async () => {
    await expectReadAsGit(repo, null);
    await expectReadAsGit(home, null);
  });

  it("takes ~/.gitconfig over $XDG_CONFIG_HOME/git/config (or ~/.config/git/config), and the repository's over both", async () => {
    mkdirSync(join(home, '.config', 'git'), { recursive: true });
    writeFileSync(join(home, '.config', 'git', 'config'), '[user]\n\tname = From XDG default\n');
    await expectReadAsGit(repo, 'From XDG default');
    mkdirSync(join(root, 'xdg', 'git'), { recursive: true });
    writeFileSync(join(root, 'xdg', 'git', 'config'), '[user]\n\tname = From XDG\n');
    env.XDG_CONFIG_HOME = join(root, 'xdg');
    await expectReadAsGit(repo, 'From XDG');
    writeFileSync(join(home, '.gitconfig'), '[user]\n\tname = From Home\n');
    await expectReadAsGit(repo, 'From Home');
    appendTo(repoConfig(), '[user]\n\tname = From Repository\n');
    await expectReadAsGit(repo, 'From Repository');
    await expectReadAsGit(home, 'From Home');
  });

  it('reads $GIT_CONFIG_GLOBAL instead of the home files, the system file unless GIT_CONFIG_NOSYSTEM, and GIT_CONFIG_COUNT last', async () => {
    writeFileSync(join(home, '.gitconfig'), '[user]\n\tname = From Home\n');
    writeFileSync(join(root, 'system'), '[user]\n\tname = From System\n');
    writeFileSync(join(root, 'global'), '[core]\n\teditor = vi\n');
    env.GIT_CONFIG_SYSTEM = join(root, 'system');
    await expectReadAsGit(repo, 'From Home');
    env.GIT_CONFIG_GLOBAL = join(root, 'global');
    await expectReadAsGit(repo, null);
    env.GIT_CONFIG_NOSYSTEM = '0';
    await expectReadAsGit(repo, 'From System');
    Object.assign(env, { GIT_CONFIG_COUNT: '2', GIT_CONFIG_KEY_0: 'USER.NAME', GIT_CONFIG_VALUE_0: 'From Env', GIT_CONFIG_KEY_1: 'user.email', GIT_CONFIG_VALUE_1: 'x@y' });
    await expectReadAsGit(repo, 'From Env');
  });

  it.skipIf(nodeProcess.platform !== 'linux' || !existsSync('/usr/bin/git'))("reads /etc/gitconfig for a distribution's git (/usr/bin/git), and asks any other git, whose system file may be elsewhere", async () => {
    writeFileSync(join(home, '.gitconfig'), '[user]\n\tname = From Home\n');
    delete env.GIT_CONFIG_NOSYSTEM;
    env.PATH = '/usr/bin:/bin';
    await expectReadAsGit(repo, 'From Home');
    mkdirSync(join(root, 'bin'));
    symlinkSync('/usr/bin/git', join(root, 'bin', 'git'));
    env.PATH = `${join(root, 'bin')}:/usr/bin:/bin`;
    await expectAskedOfGit(repo, 'From Home');
  });

  it("follows git's syntax: case, quotes, escapes, comments, continued lines, subsections, the last value", async () => {
    const layouts: [string, string | null][] = [
      ['[User]\n\tNAME = Ann Lee\n', 'Ann Lee'],
      ['[user] name = Same Line ; a comment\n', 'Same Line'],
      ['# top\n; also\n[user]\n  name   =   Spaced   Out   # comment\n', 'Spaced   Out'],
      ['[user]\n\tname = "  Quoted \\"Q\\" ; # kept  "\n', 'Quoted "Q" ; # kept'],
      ['[user]\n\tname = Con\\\ntinued\n', 'Continued'],
      ['[user]\n\tname = Tab\\there\n', 'Tab\there'],
      ['[user "work"]\n\tname = Sub Section\n[user.other]\n\tname = Old Style\n', null],
      ['[user]\n\tname = First\n[core]\n\tbare = false\n[user]\n\tname = Last\n', 'Last'],
      ['[user]\r\n\tname = Windows Lines\r\n', 'Windows Lines'],
      ['\uFEFF[user]\n\tname = After BOM\n', 'After BOM'],
      ['[user]\n\tname =\n', null],
      ['[user]\n\tname = "   "\n', null],
    ];
    for (const [text, expected] of layouts) {
      writeFileSync(join(home, '.gitconfig'), text);
      await expectReadAsGit(home, expected);
    }
  });

  it('hands over to git for includes, lines git refuses, valueless names, per-worktree config', async () => {
    writeFileSync(join(root, 'included'), '[user]\n\tname = Included\n');
    writeFileSync(join(home, '.gitconfig'), `[include]\n\tpath = ${join(root, 'included')}\n`);
    await expectAskedOfGit(repo, 'Included');
    writeFileSync(join(home, '.gitconfig'), `[user]\n\tname = Outside\n[includeIf "gitdir:${repo}/"]\n\tpath = ${join(root, 'included')}\n`);
    await expectAskedOfGit(repo, 'Included');
    await expectAskedOfGit(home, 'Outside');
    for (const broken of ['[user]\n\tname = "unterminated\n', '[user]\n\tname = bad \\q escape\n', '[user\n\tname = x\n', 'name = before any section\n']) {
      writeFileSync(join(home, '.gitconfig'), broken);
      expect(readGitUserName(home, env)).toBe(ASK_GIT);
      expect(await gitUserName(home, env)).toBe(oracle(home));
    }
    writeFileSync(join(home, '.gitconfig'), '[user]\n\tname\n');
    await expectAskedOfGit(home, oracle(home));
    writeFileSync(join(home, '.gitconfig'), '');
    runGit(repo, ['config', 'extensions.worktreeConfig', 'true']);
    runGit(repo, ['config', '--worktree', 'user.name', 'Per Worktree']);
    await expectAskedOfGit(repo, 'Per Worktree');
  });

  it("reads a linked worktree's shared config, and hands over to git when git's own variables point elsewhere", async () => {
    runGit(repo, ['-c', 'user.name=x', '-c', 'user.email=x@y', 'commit', '-q', '--allow-empty', '-m', 'first']);
    const linked = join(root, 'linked');
    runGit(repo, ['worktree', 'add', '-q', linked]);
    appendTo(repoConfig(), '[user]\n\tname = Shared\n');
    await expectReadAsGit(join(linked), 'Shared');
    env.GIT_DIR = join(repo, '.git');
    await expectAskedOfGit(home, 'Shared');
  });
});
