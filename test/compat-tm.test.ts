import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { baton, boardFingerprint, json, makeRepo, spawnBaton } from './helpers/baton.js';

/** The quick start of the article's `tm`, unchanged but for the binary's name. */
describe('tm quick-start compatibility', () => {
  let repo: ReturnType<typeof makeRepo>;
  beforeEach(() => (repo = makeRepo()));
  afterEach(() => repo.cleanup());

  const run = (...args: string[]) => baton(args, { cwd: repo.dir });

  it('runs the article script with baton in place of tm', async () => {
    expect(run('init').code).toBe(0);
    const add = run('add', 'Implement auth', '-d', 'Add login + signup', '-a', 'alice', '-p', '2', '--due', '2025-09-01',
      '--resource', 'modifies:endpoint:POST /api/login', '--link', 'app/server/auth.py');
    expect(add.code).toBe(0);
    // The article's board already had a task 2; create it so `depend 1 --on 2` has a target.
    expect(run('add', 'Merge signup PR').code).toBe(0);
    expect(run('list', '--me').code).toBe(0);
    expect(run('list', '--status', 'in_progress').code).toBe(0);
    const show = json<{ task: { resources: unknown[]; links: unknown[] } }>(run('show', '1', '--json'));
    expect(show.task.resources).toEqual([{ mode: 'modifies', kind: 'endpoint', name: 'POST /api/login' }]);
    expect(show.task.links).toEqual([{ kind: 'file', path: 'app/server/auth.py' }]);
    expect(run('depend', '1', '--on', '2').code).toBe(0);

    const start = run('start', '1');
    expect(start.code).toBe(4);
    expect(start.stderr).toContain('#2');

    const watcher = spawnBaton(['watch', '--follow', '--me', '--json'], { cwd: repo.dir, env: { BATON_AGENT: 'alice' } });
    onTestFinished(() => watcher.stop());
    expect(run('complete', '2', '-m', 'Merged PR #123').code).toBe(0);
    const create = json<{ task: { id: number; status: string; priority: number; assignee: string } }>(
      run('create', 'Add login endpoint', '--depends-on', '1', '--assignee', 'agent-2', '--priority', 'high', '--json'),
    );
    expect(create.task).toMatchObject({ id: 3, status: 'blocked', priority: 1, assignee: 'agent-2' });
    const blocked = json<{ tasks: { id: number; blockers: { id: number }[] }[] }>(run('blocked', '--json'));
    expect(blocked.tasks.map((task) => [task.id, task.blockers.map((b) => b.id)])).toEqual([[3, [1]]]);
    expect(run('start', '1').code).toBe(0);
    // alice follows her feed: she hears that her task was unblocked, then taken over.
    const seen = await watcher.waitFor((line) => line.includes('task_claimed'), 5000);
    const types = seen.map((line) => (JSON.parse(line) as { event: { type: string } }).event.type);
    expect(types).toEqual(expect.arrayContaining(['task_unblocked', 'task_claimed']));
  });

  it('refuses the unquoted resource with exit 2, suggests quoting, and creates nothing', () => {
    run('init');
    const before = boardFingerprint(repo.db);
    const result = run('add', 'Implement auth', '-d', 'Add login + signup', '-a', 'alice', '-p', '2', '--due', '2025-09-01',
      '--resource', 'modifies:endpoint:POST', '/api/login', '--link', 'app/server/auth.py');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/quote/);
    expect(result.stderr).toContain("'modifies:endpoint:POST /api/login'");
    expect(boardFingerprint(repo.db)).toBe(before);
    expect(json<{ count: number }>(run('list', '--all', '--json')).count).toBe(0);
  });
});
