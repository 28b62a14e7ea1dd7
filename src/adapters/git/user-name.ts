import { readFileSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { env as processEnv, getuid, platform } from 'node:process';
import { childProcess } from '../process/child-process.js';
import { parseGitConfig } from './config-file.js';
import { bareRepositoryAround, locateRepository } from './repository.js';

type Env = Readonly<Record<string, string | undefined>>;

/** What readGitUserName answers when git's files hold something it does not follow: git is asked instead. */
export const ASK_GIT = Symbol('ask git');
type Found = string | null | typeof ASK_GIT;

/** Variables that move git's repository or its configuration somewhere this reader does not follow. */
const UNFOLLOWED_ENV = ['GIT_DIR', 'GIT_COMMON_DIR', 'GIT_WORK_TREE', 'GIT_CEILING_DIRECTORIES', 'GIT_DISCOVERY_ACROSS_FILESYSTEM', 'GIT_CONFIG', 'GIT_CONFIG_PARAMETERS'];

/**
 * `git config user.name` as seen from `cwd` (trimmed); null when unset or git is missing.
 * Write commands without BATON_AGENT need it for every event they record, and starting git
 * costs more than the rest of the command, so git's config files are read directly
 * (readGitUserName); git is started only when they hold something this reader does not follow.
 */
export async function gitUserName(cwd: string, env: Env = processEnv): Promise<string | null> {
  const read = readGitUserName(cwd, env);
  if (read !== ASK_GIT) return read;
  return askGit(cwd, env);
}

/**
 * What `git config user.name` would print, from git's files: the system config, the global ones
 * ($GIT_CONFIG_GLOBAL, else $XDG_CONFIG_HOME/git/config then ~/.gitconfig), the repository's,
 * then GIT_CONFIG_COUNT/KEY_n/VALUE_n (git 2.32 and later read all of these); the last value wins.
 * ASK_GIT for anything else: includes,
 * per-worktree config, a repository git would not trust or find, a git whose system config
 * may live elsewhere than /etc/gitconfig, a line git's parser would refuse.
 */
export function readGitUserName(cwd: string, env: Env): Found {
  if (UNFOLLOWED_ENV.some((name) => env[name] !== undefined)) return ASK_GIT;
  const files = configFiles(cwd, env);
  if (files === ASK_GIT) return ASK_GIT;
  let name: string | null = null;
  for (const file of files) {
    const found = userNameIn(file.path, file.repository);
    if (found === ASK_GIT) return ASK_GIT;
    if (found !== null) name = found;
  }
  const fromEnv = userNameFromEnv(env);
  if (fromEnv === ASK_GIT) return ASK_GIT;
  if (fromEnv !== null) name = fromEnv;
  const trimmed = name?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
}

function configFiles(cwd: string, env: Env): { path: string; repository: boolean }[] | typeof ASK_GIT {
  const files: { path: string; repository: boolean }[] = [];
  const system = systemConfig(env);
  if (system === ASK_GIT) return ASK_GIT;
  if (system !== null) files.push({ path: system, repository: false });
  const global = env.GIT_CONFIG_GLOBAL;
  if (global !== undefined) {
    if (!isAbsolute(global)) return ASK_GIT;
    files.push({ path: global, repository: false });
  } else {
    const home = env.HOME;
    if (home === undefined || !isAbsolute(home)) return ASK_GIT;
    const xdg = env.XDG_CONFIG_HOME;
    if (xdg && !isAbsolute(xdg)) return ASK_GIT;
    files.push({ path: xdg ? join(xdg, 'git', 'config') : join(home, '.config', 'git', 'config'), repository: false });
    files.push({ path: join(home, '.gitconfig'), repository: false });
  }
  const repository = repositoryConfig(cwd);
  if (repository === ASK_GIT) return ASK_GIT;
  if (repository !== null) files.push({ path: repository, repository: true });
  return files;
}

/**
 * /etc/gitconfig, for the git of a Linux distribution (/usr/bin/git): where git looks for its
 * system config is compiled into it, so any other git is asked.
 */
function systemConfig(env: Env): string | null | typeof ASK_GIT {
  const off = env.GIT_CONFIG_NOSYSTEM;
  if (off !== undefined) {
    if (/^(1|true|yes|on)$/i.test(off)) return null;
    if (!/^(0|false|no|off|)$/i.test(off)) return ASK_GIT;
  }
  const chosen = env.GIT_CONFIG_SYSTEM;
  if (chosen !== undefined) return isAbsolute(chosen) ? chosen : ASK_GIT;
  if (platform !== 'linux' || !isDistributionGit(env.PATH ?? '')) return ASK_GIT;
  return '/etc/gitconfig';
}

function isDistributionGit(path: string): boolean {
  for (const dir of path.split(delimiter)) {
    if (dir === '' || !isAbsolute(dir)) continue;
    try {
      if (!statSync(join(dir, 'git')).isFile()) continue;
    } catch {
      continue;
    }
    return dir === '/usr/bin' || dir === '/bin';
  }
  return false;
}

/** The repository's own config file (`<common dir>/config`), null outside a repository. */
function repositoryConfig(cwd: string): string | null | typeof ASK_GIT {
  const repo = locateRepository(cwd);
  if (repo === null) return bareRepositoryAround(cwd) === null ? null : ASK_GIT;
  try {
    // git ignores a repository owned by someone else (unless safe.directory says otherwise), and
    // stops looking for one at a filesystem boundary.
    const uid = getuid?.();
    const top = statSync(repo.topLevel);
    const gitDir = statSync(repo.gitDir);
    if (uid === undefined || top.uid !== uid || gitDir.uid !== uid || statSync(resolve(cwd)).dev !== top.dev) return ASK_GIT;
    if (!statSync(join(repo.gitDir, 'HEAD')).isFile()) return ASK_GIT;
  } catch {
    return ASK_GIT;
  }
  return join(repo.commonDir, 'config');
}

/** The last user.name of one file: null when it sets none or is missing. */
function userNameIn(path: string, repository: boolean): Found {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? null : ASK_GIT;
  }
  const entries = parseGitConfig(text);
  if (entries === null) return ASK_GIT;
  let name: string | null = null;
  for (const { key, value } of entries) {
    if (key.startsWith('include.') || key.startsWith('includeif.')) return ASK_GIT;
    // Per-worktree config (config.worktree) and unknown repository extensions change what git reads.
    if (repository && key.startsWith('extensions.')) return ASK_GIT;
    if (key !== 'user.name') continue;
    if (value === null) return ASK_GIT;
    name = value;
  }
  return name;
}

/** GIT_CONFIG_COUNT with GIT_CONFIG_KEY_<n> and GIT_CONFIG_VALUE_<n>: config given to git through its environment. */
function userNameFromEnv(env: Env): Found {
  const countText = env.GIT_CONFIG_COUNT;
  if (countText === undefined || countText === '') return null;
  if (!/^\d+$/.test(countText)) return ASK_GIT;
  let name: string | null = null;
  for (let index = 0; index < Number(countText); index++) {
    const key = env[`GIT_CONFIG_KEY_${index}`];
    const value = env[`GIT_CONFIG_VALUE_${index}`];
    if (key === undefined || value === undefined) return ASK_GIT;
    const dots = key.split('.');
    if (dots.length < 2) return ASK_GIT;
    const canonical = [dots[0]?.toLowerCase(), ...dots.slice(1, -1), dots.at(-1)?.toLowerCase()].join('.');
    if (canonical.startsWith('include.') || canonical.startsWith('includeif.')) return ASK_GIT;
    if (canonical === 'user.name') name = value;
  }
  return name;
}

function askGit(cwd: string, env: Env): string | null {
  const { spawnSync } = childProcess();
  const result = spawnSync('git', ['config', 'user.name'], { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const name = result.status === 0 ? result.stdout.trim() : '';
  return name === '' ? null : name;
}
