import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BoardEvent } from '../src/core/event.js';
import type { Finding } from '../src/core/finding.js';
import { baton, git, json, type BatonResult } from './helpers/baton.js';

/** The documents are the domain types, as JSON. */
type FindingDoc = Finding;

type EventDoc = BoardEvent;

const AUTH_PY = ['def login(request):', '    user = authenticate(request)', '    return session_for(user)', ''].join('\n');

/**
 * The article's example, end to end with real worktrees: agent-a removes the legacy login
 * endpoint while agent-b rate-limits it, both editing the same lines of app/server/auth.py.
 */
describe('impact awareness: remove legacy login vs rate-limit login', () => {
  let root: string;
  let main: string;
  let wtA: string;
  let wtB: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'baton-impact-'));
    main = join(root, 'repo');
    mkdirSync(join(main, 'app', 'server'), { recursive: true });
    git(main, ['init', '-q', '-b', 'main']);
    git(main, ['config', 'user.name', 'Test User']);
    git(main, ['config', 'user.email', 'test@example.com']);
    writeFileSync(join(main, 'app', 'server', 'auth.py'), AUTH_PY);
    git(main, ['add', '.']);
    git(main, ['commit', '-q', '-m', 'legacy login']);
    wtA = join(root, 'wt-a');
    wtB = join(root, 'wt-b');
    git(main, ['worktree', 'add', '-q', '-b', 'task-a', wtA]);
    git(main, ['worktree', 'add', '-q', '-b', 'task-b', wtB]);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const as = (agent: string, cwd: string, ...args: string[]): BatonResult => baton(args, { cwd, env: { BATON_AGENT: agent } });
  const ok = (result: BatonResult): BatonResult => {
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    return result;
  };
  const inbox = (agent: string, cwd: string): FindingDoc[] => json<{ findings: FindingDoc[] }>(ok(as(agent, cwd, 'inbox', '--json'))).findings;
  const commit = (cwd: string, text: string, message: string): void => {
    writeFileSync(join(cwd, 'app', 'server', 'auth.py'), text);
    git(cwd, ['commit', '-q', '-am', message]);
  };

  it('tells each agent while both are in flight, routes the completion impact to B only, and holds B back', { timeout: 180_000 }, () => {
    ok(as('lead', main, 'init'));
    ok(as('lead', main, 'add', 'Remove legacy login', '--resource', 'removes:endpoint:POST /api/login', '--json'));
    ok(as('lead', main, 'add', 'Rate-limit login', '--resource', 'modifies:endpoint:POST /api/login', '--json'));

    // Each agent claims its task inside its own worktree, which binds the task to it.
    const claimA = json<{ task: { worktree: string; branch: string } }>(ok(as('agent-a', wtA, 'claim', '1', '--json')));
    expect(claimA.task).toMatchObject({ worktree: wtA, branch: 'task-a' });
    const claimB = ok(as('agent-b', wtB, 'claim', '2', '--json'));
    const collisions = json<{ collisions: { taskId: number; reason: string }[] }>(claimB).collisions;
    expect(collisions.map((collision) => collision.taskId)).toEqual([1]);
    expect(claimB.stderr).toMatch(/warning/);

    // Both edit the same lines and commit.
    commit(wtA, ['def login(request):', '    raise Gone("use /api/v2/login")', ''].join('\n'), 'remove legacy login');
    commit(wtB, ['def login(request):', '    limiter.check(request)', '    user = authenticate(request)', '    return session_for(user)', ''].join('\n'), 'rate-limit login');
    ok(as('agent-a', wtA, 'heartbeat'));
    ok(as('agent-b', wtB, 'heartbeat'));

    for (const [agent, cwd, own, other] of [['agent-a', wtA, 1, 2], ['agent-b', wtB, 2, 1]] as const) {
      const findings = inbox(agent, cwd);
      const overlap = findings.find((finding) => finding.kind === 'overlap' && finding.otherTaskId === other);
      const merge = findings.find((finding) => finding.kind === 'merge_conflict_predicted' && finding.otherTaskId === other);
      expect(overlap, `${agent} overlap in ${JSON.stringify(findings)}`).toBeDefined();
      expect(merge, `${agent} merge prediction in ${JSON.stringify(findings)}`).toBeDefined();
      for (const finding of [overlap, merge] as FindingDoc[]) {
        expect(finding).toMatchObject({ taskId: own, recipient: agent, status: 'open' });
        expect(finding.message).toContain('app/server/auth.py');
      }
      expect(merge?.paths).toEqual(['app/server/auth.py']);
    }

    // `show` and `list` mark the tasks that have open findings.
    const listed = json<{ tasks: { id: number; openFindings: number }[] }>(ok(as('lead', main, 'list', '--json'))).tasks;
    expect(listed.every((task) => task.openFindings >= 2)).toBe(true);
    expect(ok(as('lead', main, 'show', '2')).stdout).toMatch(/footprint[\s\S]*app\/server\/auth\.py/);

    // A may not complete over its own predicted conflict until it acknowledges it.
    const refusedA = as('agent-a', wtA, 'complete', '1', '--json');
    expect(refusedA.code).toBe(4);
    for (const finding of inbox('agent-a', wtA)) ok(as('agent-a', wtA, 'ack', String(finding.id), '-m', 'B will rebase'));
    const lastBefore = json<{ events: EventDoc[] }>(ok(as('lead', main, 'watch', '--json'))).events.at(-1)?.id ?? 0;
    const completedA = json<{ findings: FindingDoc[] }>(ok(as('agent-a', wtA, 'complete', '1', '-m', 'legacy login removed', '--json')));

    // B's agent hears about it, naming A and the endpoint; A's agent hears nothing of its own completion.
    const conflict = completedA.findings.find((finding) => finding.kind === 'impact_conflict');
    expect(conflict).toMatchObject({ taskId: 2, otherTaskId: 1, recipient: 'agent-b' });
    expect(conflict?.message).toContain('#1');
    expect(conflict?.message).toContain('POST /api/login');
    expect(inbox('agent-b', wtB).map((finding) => finding.id)).toContain(conflict?.id);
    const after = json<{ events: EventDoc[] }>(ok(as('lead', main, 'watch', '--since', String(lastBefore), '--json'))).events;
    const toA = after.filter((event) => event.type === 'finding_created' && event.recipients.includes('agent-a'));
    expect(toA).toEqual([]);
    expect(inbox('agent-a', wtA)).toEqual([]);
    const streamedToB = json<{ events: EventDoc[] }>(ok(as('agent-b', wtB, 'watch', '--me', '--type', 'finding_created', '--json'))).events;
    expect(streamedToB.some((event) => event.taskId === 2)).toBe(true);

    // B cannot complete until the conflict is acknowledged or resolved.
    const refusedB = as('agent-b', wtB, 'complete', '2', '--json');
    expect(refusedB.code).toBe(4);
    const refusal = json<{ error: { code: string; message: string; details: { findings: number[] } } }>(refusedB).error;
    expect(refusal.details.findings).toContain(conflict?.id);
    ok(as('agent-b', wtB, 'resolve', String(conflict?.id), '-m', 'rate limit moves to /api/v2/login'));
    for (const finding of inbox('agent-b', wtB)) ok(as('agent-b', wtB, 'ack', String(finding.id)));
    ok(as('agent-b', wtB, 'complete', '2', '-m', 'rate limit on v2'));
  });

  it('lets --force --reason complete over open conflicts, and records the reason', { timeout: 120_000 }, () => {
    ok(as('lead', main, 'init'));
    ok(as('lead', main, 'add', 'Remove legacy login', '--resource', 'removes:endpoint:POST /api/login'));
    ok(as('lead', main, 'add', 'Rate-limit login', '--resource', 'modifies:endpoint:POST /api/login'));
    ok(as('agent-b', wtB, 'claim', '2'));
    ok(as('lead', main, 'complete', '1', '-m', 'done elsewhere'));
    expect(inbox('agent-b', wtB).map((finding) => finding.kind)).toEqual(['impact_conflict']);
    expect(as('agent-b', wtB, 'complete', '2', '--force').code).toBe(2); // a reason is required
    ok(as('agent-b', wtB, 'complete', '2', '--force', '--reason', 'checked with the lead'));
    const forced = json<{ events: { type: string; payload: { reason: string } }[] }>(ok(as('lead', main, 'watch', '--type', 'completion_forced', '--json'))).events;
    expect(forced.map((event) => event.payload.reason)).toEqual(['checked with the lead']);
  });
});
