/**
 * A board made before control characters were refused (or written around baton) may hold a
 * title or note with escape sequences: printed raw, they would retitle the terminal, clear it
 * or hide text from the person reading. baton prints them as visible escapes; JSON keeps the
 * text as it is, escaped the JSON way.
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { baton, boardFingerprint, json, makeRepo } from './helpers/baton.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

const HOSTILE = 'Fix login\u001b]0;owned\u0007\u001b[2J\u202e';

describe('text from the board on a terminal', () => {
  it('shows control characters, escape sequences and bidi overrides in a title as escapes, in list, show and ready', () => {
    const repo = makeRepo('baton-escapes-');
    cleanups.push(repo.cleanup);
    expect(baton(['init'], { cwd: repo.dir }).code).toBe(0);
    expect(baton(['add', 'Fix login'], { cwd: repo.dir }).code).toBe(0);
    // As an older baton, or a hand-edited board, could have left it.
    const db = new Database(repo.db);
    db.prepare('UPDATE tasks SET title = ? WHERE id = 1').run(HOSTILE);
    db.close();

    for (const args of [['list'], ['show', '1'], ['ready']]) {
      const result = baton(args, { cwd: repo.dir });
      expect(result.code, result.stderr).toBe(0);
      for (const raw of ['\u0007', '\u001b', '\u202e']) expect(result.stdout).not.toContain(raw);
      expect(result.stdout).toContain('Fix login\\x1b]0;owned\\x07\\x1b[2J\\u202e');
    }
    expect(json<{ task: { title: string } }>(baton(['show', '1', '--json'], { cwd: repo.dir })).task.title).toBe(HOSTILE);
  });

  it('shows a colour sequence from the board as an escape: concealed text must not vanish from the listing', () => {
    const repo = makeRepo('baton-escapes-');
    cleanups.push(repo.cleanup);
    expect(baton(['init'], { cwd: repo.dir }).code).toBe(0);
    expect(baton(['add', 'Fix login', '-r', 'modifies:table:users'], { cwd: repo.dir }).code).toBe(0);
    const db = new Database(repo.db);
    db.prepare('UPDATE tasks SET title = ?, resources = ? WHERE id = 1').run('Fix login\u001b[8m and drop the users table', JSON.stringify([{ mode: 'modifies', kind: 'table', name: 'users\u001b[30;40m' }]));
    db.close();
    for (const args of [['list'], ['show', '1']]) {
      const result = baton(args, { cwd: repo.dir });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).not.toContain('\u001b');
      expect(result.stdout).toContain('Fix login\\x1b[8m and drop the users table');
    }
    expect(baton(['show', '1'], { cwd: repo.dir }).stdout).toContain('users\\x1b[30;40m');
  });

  it('refuses a git user name with a control character as the actor, naming where it comes from, instead of storing it', () => {
    const repo = makeRepo('baton-escapes-');
    cleanups.push(repo.cleanup);
    expect(baton(['init'], { cwd: repo.dir }).code).toBe(0);
    execFileSync('git', ['config', 'user.name', 'Test\u001b[8m User'], { cwd: repo.dir });
    const before = boardFingerprint(repo.db);
    const refused = baton(['add', 'Fix login'], { cwd: repo.dir, env: { BATON_AGENT: undefined } });
    expect(refused.code).toBe(2);
    for (const part of ['git config user.name', 'control character (U+001B)', 'BATON_AGENT']) expect(refused.stderr).toContain(part);
    expect(boardFingerprint(repo.db)).toBe(before);
    expect(baton(['add', 'Fix login'], { cwd: repo.dir, env: { BATON_AGENT: 'agent-1' } }).code).toBe(0);
  });
});
