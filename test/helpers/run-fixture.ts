/**
 * Fixtures for tests of `baton run` with `cmd:` agents: a repository with a committed config,
 * agent scripts kept outside it, and views of what a run leaves behind (worktrees, branches,
 * run records) for before/after comparisons.
 */
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { RunRecord } from '../../src/core/run/run-record.js';
import { baton, git, makeRepo } from './baton.js';
import { sharedTempDir } from './sandbox-share.js';

/** Registers cleanups that run after each test, newest first; returns the function that adds one. */
export function cleanupsAfterEach(): (cleanup: () => void) => void {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0).reverse()) cleanup();
  });
  return (cleanup) => void cleanups.push(cleanup);
}

export interface RunRepo {
  dir: string;
  db: string;
  /** A folder outside the repository for agent scripts and what they record. */
  tools: string;
  cleanup: () => void;
}

/** A repository with README.md and `config` committed as baton.config.json, and a board. */
export function makeRunRepo(config: Record<string, unknown> | null, prefix = 'baton-run-'): RunRepo {
  const repo = makeRepo(prefix);
  const tools = sharedTempDir(`${prefix}tools-`);
  writeFileSync(join(repo.dir, 'README.md'), '# Project\n');
  if (config !== null) writeFileSync(join(repo.dir, 'baton.config.json'), `${JSON.stringify(config, null, 2)}\n`);
  git(repo.dir, ['add', '-A']);
  git(repo.dir, ['commit', '-qm', 'initial']);
  const init = baton(['init'], { cwd: repo.dir });
  if (init.code !== 0) throw new Error(`baton init failed: ${init.stderr}`);
  return {
    ...repo,
    tools,
    cleanup: () => {
      repo.cleanup();
      rmSync(tools, { recursive: true, force: true });
    },
  };
}

/** Writes an executable `/bin/sh` script under `repo.tools`; returns `cmd:<path>` for `--agent`. */
export function agentScript(repo: RunRepo, name: string, body: string): string {
  const path = join(repo.tools, `${name}.sh`);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return `cmd:${path}`;
}

/** The run records of a task, oldest first, as the evidence directory holds them. */
export function runRecords(repo: RunRepo, taskId: number): RunRecord[] {
  const dir = join(repo.dir, '.git', 'baton', 'runs', String(taskId));
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((entry) => /^\d+$/.test(entry))
    .sort((a, b) => Number(a) - Number(b))
    .map((entry) => JSON.parse(readFileSync(join(dir, entry, 'run.json'), 'utf8')) as RunRecord);
}

/**
 * What a run could leave in the repository besides the board: worktrees, branches, run
 * evidence. Equal snapshots before and after a refused run prove it created none of them.
 */
export function repoSnapshot(repo: RunRepo): string {
  const runs = join(repo.dir, '.git', 'baton', 'runs');
  return JSON.stringify({
    worktrees: git(repo.dir, ['worktree', 'list', '--porcelain']),
    branches: git(repo.dir, ['branch', '--list', '--format=%(refname) %(objectname)']),
    status: git(repo.dir, ['status', '--porcelain', '--untracked-files=all']),
    runs: existsSync(runs) ? treeOf(runs).sort() : [],
  });
}

/**
 * Every path below `dir`, relative to it. A folder this user may not read is listed, not
 * entered: the kernel makes an overlay's work folder (in an agent's home layer) mode 000, which
 * stops an ordinary user, not root.
 */
function treeOf(dir: string, prefix = ''): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(join(dir, prefix), { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    return entry.isDirectory() ? [path, ...treeOf(dir, path)] : [path];
  });
}

/** Resolves once `check` holds, polling; rejects with `what` after `timeoutMs`. */
export async function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 25));
  }
}
