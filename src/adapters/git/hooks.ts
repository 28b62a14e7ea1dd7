import { chmod, lstat, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { InvalidInputError } from '../../core/errors.js';
import type { RepositoryLocation } from './repository.js';
import { runGit, type Environment } from './run-git.js';

export type HookName = 'pre-commit' | 'post-commit';
export const HOOK_NAMES: readonly HookName[] = ['pre-commit', 'post-commit'];

/**
 * created: a new hook file; added: our block put into an existing hook; updated: our block
 * rewritten (the command changed); unchanged; skipped: left alone, `reason` says why.
 * removed: our block taken out, the file kept; deleted: the file we created, deleted;
 * absent: nothing of ours there.
 */
export type HookAction = 'created' | 'added' | 'updated' | 'unchanged' | 'skipped' | 'removed' | 'deleted' | 'absent';

export interface HookChange {
  hook: HookName;
  path: string;
  action: HookAction;
  /** Why a hook was skipped, or what to know about where it lives. */
  reason?: string;
}

export interface HookOptions {
  /** The environment git starts from (`process.env`); see `runGit`. */
  env?: Environment;
}

const BEGIN = '# >>> baton >>>';
const END = '# <<< baton <<<';
const CREATED = '# (baton created this file; uninstalling deletes it if nothing else is left)';
const NEW_FILE_HEADER = '#!/bin/sh\n';
const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'mksh', 'ash', 'busybox']);

/**
 * Puts a pre-commit guard and a post-commit footprint refresh into the repository's hooks
 * directory (the common one, or `core.hooksPath`). `command` is a shell-ready prefix that
 * starts baton, e.g. `shellCommand([node, bin])`, so hooks work without baton on PATH. An
 * existing hook keeps working: our block goes right after its `#!` line, before any `exit`.
 */
export async function installHooks(repo: RepositoryLocation, command: string, options: HookOptions = {}): Promise<HookChange[]> {
  if (command.trim() === '' || /[\r\n]/.test(command)) throw new InvalidInputError('command', 'must be one non-empty line of shell');
  const dir = await hooksDirectory(repo, options);
  await mkdir(dir, { recursive: true });
  const changes: HookChange[] = [];
  for (const hook of HOOK_NAMES) changes.push(withNote(await installHook(hook, join(dir, hook), command), repo, dir));
  return changes;
}

/** Takes out only our blocks; deletes a hook file only when we created it and nothing else is in it. */
export async function uninstallHooks(repo: RepositoryLocation, options: HookOptions = {}): Promise<HookChange[]> {
  const dir = await hooksDirectory(repo, options);
  const changes: HookChange[] = [];
  for (const hook of HOOK_NAMES) changes.push(await uninstallHook(hook, join(dir, hook)));
  return changes;
}

/** Where git looks for hooks from this worktree: `git rev-parse --git-path hooks` honours core.hooksPath. */
export async function hooksDirectory(repo: RepositoryLocation, options: HookOptions = {}): Promise<string> {
  const { stdout } = await runGit(['rev-parse', '--git-path', 'hooks'], { cwd: repo.topLevel, ...(options.env ? { env: options.env } : {}) });
  return resolve(repo.topLevel, stdout.trim());
}

/** Quotes words for a POSIX shell; the usual way to build `command` from argv. */
export function shellCommand(words: readonly string[]): string {
  return words.map((word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`)).join(' ');
}

/** Our block for one hook; `created` marks a file we made ourselves. */
export function hookBlock(hook: HookName, command: string, created: boolean): string {
  const lines = [BEGIN, ...(created ? [CREATED] : [])];
  if (hook === 'pre-commit') {
    lines.push(
      '# baton: refuses commits of paths another task reserved. Skip once: git commit --no-verify',
      `${command} hooks run pre-commit "$@" || {`,
      '  baton_status=$?',
      // 126/127: the shell could not start baton (moved, uninstalled); do not block every commit.
      '  [ "$baton_status" -lt 126 ] && exit "$baton_status"',
      '  echo "baton: could not run the commit guard (exit $baton_status); commit not checked. Run baton hooks install again." >&2',
      '}',
    );
  } else {
    lines.push('# baton: refreshes this worktree\'s footprint; never fails the commit.', `${command} hooks run post-commit "$@" || :`);
  }
  lines.push(END);
  return `${lines.join('\n')}\n`;
}

async function installHook(hook: HookName, path: string, command: string): Promise<HookChange> {
  const existing = await readHook(path);
  if (existing.kind === 'missing') {
    await writeFile(path, NEW_FILE_HEADER + hookBlock(hook, command, true));
    await chmod(path, 0o755);
    return { hook, path, action: 'created' };
  }
  if (existing.kind === 'unusable') return { hook, path, action: 'skipped', reason: existing.reason };
  const found = findBlock(existing.text);
  if (found === 'broken') return { hook, path, action: 'skipped', reason: `${BEGIN} has no matching ${END}; fix the hook by hand` };
  if (found !== null) {
    const current = existing.text.slice(found.start, found.end);
    const block = hookBlock(hook, command, current.includes(CREATED)).slice(0, -1);
    if (current === block) return { hook, path, action: 'unchanged' };
    await writeFile(path, existing.text.slice(0, found.start) + block + existing.text.slice(found.end));
    return { hook, path, action: 'updated' };
  }
  const problem = notShell(existing.text) ?? (existing.executable ? null : 'is not executable, so git ignores it; make it executable (chmod +x) and install again');
  if (problem !== null) return { hook, path, action: 'skipped', reason: problem };
  await writeFile(path, insertBlock(existing.text, hookBlock(hook, command, false)));
  return { hook, path, action: 'added' };
}

async function uninstallHook(hook: HookName, path: string): Promise<HookChange> {
  const existing = await readHook(path);
  if (existing.kind !== 'found') return { hook, path, action: 'absent' };
  const found = findBlock(existing.text);
  if (found === null) return { hook, path, action: 'absent' };
  if (found === 'broken') return { hook, path, action: 'skipped', reason: `${BEGIN} has no matching ${END}; remove it by hand` };
  const created = existing.text.slice(found.start, found.end).includes(CREATED);
  const rest = removeBlock(existing.text, found);
  if (created && (rest === NEW_FILE_HEADER || rest === '')) {
    await unlink(path);
    return { hook, path, action: 'deleted' };
  }
  await writeFile(path, rest);
  return { hook, path, action: 'removed' };
}

type HookFile = { kind: 'missing' } | { kind: 'unusable'; reason: string } | { kind: 'found'; text: string; executable: boolean };

async function readHook(path: string): Promise<HookFile> {
  const stats = await lstat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (stats === null) return { kind: 'missing' };
  // Writing through a link would change a script other repositories may share.
  if (stats.isSymbolicLink()) return { kind: 'unusable', reason: `is a symbolic link; add \`hooks run ${basename(path)}\` to its target by hand` };
  if (!stats.isFile()) return { kind: 'unusable', reason: 'is not a regular file' };
  return { kind: 'found', text: await readFile(path, 'utf8'), executable: (stats.mode & 0o111) !== 0 };
}

/** Our block's span: from its first line to the end of its last (newline excluded). */
interface BlockSpan {
  start: number;
  end: number;
}

function findBlock(text: string): BlockSpan | 'broken' | null {
  const begin = new RegExp(`^${escape(BEGIN)}$`, 'm').exec(text);
  if (begin === null) return null;
  const end = new RegExp(`^${escape(END)}$`, 'm').exec(text.slice(begin.index));
  if (end === null) return 'broken';
  return { start: begin.index, end: begin.index + end.index + END.length };
}

/** After the `#!` line (a script's trailing `exit` must not skip us), else at the very top. */
function insertBlock(text: string, block: string): string {
  if (!text.startsWith('#!')) return block + text;
  const lineEnd = text.indexOf('\n');
  // A lone `#!` line without a newline: the block then brings the newline, and takes it away again.
  if (lineEnd === -1) return `${text}\n${block.slice(0, -1)}`;
  return text.slice(0, lineEnd + 1) + block + text.slice(lineEnd + 1);
}

/** Exactly undoes `insertBlock`, so an uninstall gives back the user's hook byte for byte. */
function removeBlock(text: string, span: BlockSpan): string {
  if (text[span.end] === '\n') return text.slice(0, span.start) + text.slice(span.end + 1);
  const start = span.start > 0 && text[span.start - 1] === '\n' ? span.start - 1 : span.start;
  return text.slice(0, start) + text.slice(span.end);
}

/** Null for a script a POSIX shell runs (git runs a script without `#!` with sh). */
function notShell(text: string): string | null {
  if (!text.startsWith('#!')) return null;
  const words = (text.split('\n', 1)[0] as string).slice(2).trim().split(/\s+/);
  const interpreter = basename(words[0] ?? '');
  const program = interpreter === 'env' ? basename(words.slice(1).find((word) => !word.startsWith('-')) ?? '') : interpreter;
  if (SHELLS.has(program)) return null;
  return `is a ${program || 'non-shell'} script, which a shell block would break; add \`hooks run\` to it by hand`;
}

/** A hooks directory inside the worktree (a relative core.hooksPath) is per worktree and may be committed. */
function withNote(change: HookChange, repo: RepositoryLocation, dir: string): HookChange {
  const within = (parent: string): boolean => !relative(parent, dir).startsWith('..');
  if (change.reason !== undefined || !within(repo.topLevel) || within(repo.commonDir) || within(repo.gitDir)) return change;
  const inside = relative(repo.topLevel, dir);
  return { ...change, reason: `core.hooksPath is inside the worktree (${inside}): every worktree runs its own copy, and git may track it` };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
