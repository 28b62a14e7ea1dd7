import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { baton, batonAsync, json } from './helpers/baton.js';

interface DemoDocument {
  schemaVersion: number;
  ok: boolean;
  problems: string[];
  repository: { path: string; kept: boolean };
  tasks: { id: number; status: string; assignee: string | null }[];
  agents: { name: string; exitCode: number; claimed: number[]; completed: number[] }[];
  events: { follower: { total: number; byType: Record<string, number> }; board: { total: number; byType: Record<string, number> } };
  checks: { name: string; ok: boolean }[];
}

interface BoardEvent {
  type: string;
  taskId: number | null;
  actor: string;
}

const DEMO_TIMEOUT_MS = 180_000;

/** How many task_claimed events each task has on the board in `dir`, read through the CLI. */
function claimsPerTask(dir: string): Map<number, number> {
  const { events } = json<{ events: BoardEvent[] }>(baton(['watch', '--json'], { cwd: dir }));
  const claims = new Map<number, number>();
  for (const event of events) {
    if (event.type === 'task_claimed' && event.taskId !== null) claims.set(event.taskId, (claims.get(event.taskId) ?? 0) + 1);
  }
  return claims;
}

describe('baton demo', () => {
  let home: string;
  beforeEach(() => (home = mkdtempSync(join(tmpdir(), 'baton-demo-test-'))));
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it(
    'runs four agent processes over the web-app plan, checks the result, and removes its scratch repository',
    async () => {
      // A board named in the environment must not be touched: the demo always uses its own.
      const stray = join(home, 'elsewhere.db');
      const result = await batonAsync(['demo', '--json'], { cwd: home, env: { BATON_DB: stray } });
      const doc = json<DemoDocument>(result);
      expect(result.code, result.stderr).toBe(0);
      expect(doc).toMatchObject({ schemaVersion: 1, ok: true, problems: [] });

      expect(doc.tasks).toHaveLength(12);
      expect(doc.tasks.every((task) => task.status === 'done')).toBe(true);
      expect(doc.checks.map((check) => [check.name, check.ok])).toEqual([
        ['all_done', true],
        ['claimed_once', true],
        ['counts_agree', true],
        ['agents_agree', true],
      ]);

      // Every task claimed once and completed once, spread over more than one agent.
      expect(doc.agents.map((agent) => agent.name)).toEqual(['agent-1', 'agent-2', 'agent-3', 'agent-4']);
      const claimed = doc.agents.flatMap((agent) => agent.claimed).sort((a, b) => a - b);
      expect(claimed).toEqual(doc.tasks.map((task) => task.id).sort((a, b) => a - b));
      expect(doc.agents.flatMap((agent) => agent.completed)).toHaveLength(12);
      expect(doc.agents.filter((agent) => agent.completed.length > 0).length).toBeGreaterThan(1);
      for (const task of doc.tasks) {
        expect(doc.agents.find((agent) => agent.completed.includes(task.id))?.name).toBe(task.assignee);
      }

      // The follower saw exactly what the board holds.
      expect(doc.events.follower).toEqual(doc.events.board);
      expect(doc.events.board.byType).toMatchObject({ task_created: 12, task_claimed: 12, task_completed: 12 });
      expect(doc.events.board.total).toBe(Object.values(doc.events.board.byType).reduce((sum, count) => sum + count, 0));

      // Progress went to stderr while it ran; the scratch repository and the stray board are gone / never made.
      expect(result.stderr).toMatch(/agent-\d claimed #\d+ /);
      expect(result.stderr).toMatch(/agent-\d completed #\d+, which unblocked #/);
      expect(doc.repository.kept).toBe(false);
      expect(existsSync(doc.repository.path)).toBe(false);
      expect(existsSync(stray)).toBe(false);
    },
    DEMO_TIMEOUT_MS,
  );

  it(
    'prints the board, who did what, event counts and checks as plain text',
    async () => {
      const result = await batonAsync(['demo', '--agents', '2', '--tasks', '6'], { cwd: home });
      expect(result.code, result.stderr).toBe(0);
      const out = result.stdout;
      expect(out).toContain('who did what');
      expect(out.match(/^#\d+\s+done\s/gm)).toHaveLength(6);
      expect(out).toMatch(/^ {2}agent-1\s+\d+ tasks?/m);
      expect(out).toMatch(/^ {2}agent-2\s+\d+ tasks?/m);
      expect(out).toMatch(/^ {2}task_claimed\s+6\s+6$/m);
      expect(out).toMatch(/^ {2}total\s+(\d+)\s+\1$/m);
      expect(out).not.toContain('FAIL');
      expect(out).toMatch(/demo passed in [\d.]+s/);
      const removed = /scratch repository (\S+) removed/.exec(out);
      expect(removed).not.toBeNull();
      expect(existsSync((removed as RegExpExecArray)[1] as string)).toBe(false);
    },
    DEMO_TIMEOUT_MS,
  );

  it(
    'keeps the repository with --keep --dir, and its board holds every task, done, each claimed once',
    async () => {
      const dir = join(home, 'demo-here');
      const result = await batonAsync(['demo', '--json', '--keep', '--dir', dir, '--agents', '3', '--tasks', '15'], { cwd: home });
      expect(result.code, result.stderr).toBe(0);
      const doc = json<DemoDocument>(result);
      expect(doc.repository).toEqual({ path: dir, kept: true });
      expect(existsSync(join(dir, '.git', 'baton', 'baton.db'))).toBe(true);

      // Read the kept board independently of the demo's own report.
      const board = json<{ tasks: { id: number; status: string }[] }>(baton(['list', '--all', '--json'], { cwd: dir }));
      expect(board.tasks).toHaveLength(15);
      expect(board.tasks.every((task) => task.status === 'done')).toBe(true);
      const claims = claimsPerTask(dir);
      expect([...claims.keys()].sort((a, b) => a - b)).toEqual(board.tasks.map((task) => task.id).sort((a, b) => a - b));
      expect([...claims.values()].every((count) => count === 1)).toBe(true);
    },
    DEMO_TIMEOUT_MS,
  );

  it('refuses a --dir that is not empty and leaves it alone, and refuses bad counts', () => {
    const dir = join(home, 'busy');
    mkdirSync(dir);
    writeFileSync(join(dir, 'keep-me.txt'), 'mine');
    const refused = baton(['demo', '--dir', dir], { cwd: home });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('not an empty folder');
    expect(readdirSync(dir)).toEqual(['keep-me.txt']);

    expect(baton(['demo', '--agents', '0'], { cwd: home }).code).toBe(2);
    const tooMany = json<{ error: { code: string } }>(baton(['demo', '--tasks', '1000', '--json'], { cwd: home }));
    expect(tooMany.error.code).toBe('INVALID_INPUT');
  });
});
