import { describe, expect, it } from 'vitest';
import type { FindingDraft, ImpactSubject } from './finding.js';
import { buildImpactIndex, completionFindings, findingsFor } from './impact-check.js';
import { compareImpact, impactFinding, resourceUses } from './impact-rules.js';
import { parseLink } from './link.js';
import { parseResource } from './resource.js';
import { resourceNamesMatch } from './resource-match.js';

function subject(id: number, title: string, more: Partial<ImpactSubject> = {}): ImpactSubject {
  return { id, title, status: 'open', assignee: null, resources: [], links: [], footprint: [], ...more };
}
const resources = (...texts: string[]) => texts.map((text) => parseResource(text));

/** Task A of the article, completing; task B in flight on the same endpoint and file. */
const taskA = subject(3, 'Remove legacy login', {
  status: 'in_progress',
  assignee: 'agent-a',
  resources: resources('removes:endpoint:POST /api/login'),
  footprint: ['app/server/auth.py'],
});
const taskB = subject(7, 'Rate-limit login', {
  status: 'in_progress',
  assignee: 'agent-b',
  resources: resources('modifies:endpoint:POST /api/login'),
  links: [parseLink('app/server/auth.py:10-24')],
  footprint: ['app/server/auth.py'],
});

describe('completionFindings', () => {
  it("tells B that A removed its endpoint, and tells A nothing about its own completion", () => {
    const findings = completionFindings(taskA, [taskA, taskB]);
    expect(findings.map((finding) => [finding.taskId, finding.kind, finding.subject])).toEqual([
      [7, 'impact_conflict', 'endpoint:POST /api/login'],
      [7, 'impact_notice', 'file:app/server/auth.py'],
    ]);
    expect(findings[0]?.message).toBe("#3 'Remove legacy login' removed endpoint POST /api/login, which #7 'Rate-limit login' modifies");
    expect(findings[1]?.message).toBe("#3 'Remove legacy login' changed file app/server/auth.py, which #7 'Rate-limit login' links to");
    expect(findings.every((finding) => finding.taskId !== taskA.id && finding.otherTaskId === taskA.id)).toBe(true);
  });

  it('speaks in the past tense even though the check runs before the status changes', () => {
    const [finding] = completionFindings({ ...taskA, status: 'open' }, [taskB]);
    expect(finding?.message).toContain(' removed endpoint ');
  });

  it('never addresses a finding to the completed task, whatever the others hold', () => {
    const twin = { ...taskA, resources: resources('modifies:endpoint:POST /api/login', 'reads:file:app/**') };
    const others = [twin, taskA, taskB, subject(9, 'Reader', { resources: resources('reads:endpoint:/api/login') })];
    const findings = completionFindings(taskA, others);
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.filter((finding) => finding.taskId === taskA.id)).toEqual([]);
    expect(findings.map((finding) => finding.taskId).sort()).toEqual([7, 7, 9]);
  });

  it('keeps the strongest finding when several rules meet on the same task and subject', () => {
    const done = subject(1, 'Rework users', { resources: resources('modifies:table:users', 'removes:table:users', 'adds:table:users') });
    const other = subject(2, 'Report on users', { resources: resources('reads:table:users', 'modifies:table:users') });
    const findings = completionFindings(done, [other]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ kind: 'impact_conflict', severity: 'high', subject: 'table:users', taskId: 2, otherTaskId: 1 });
    expect(findings[0]?.message).toBe("#1 'Rework users' removed table users, which #2 'Report on users' modifies");
  });

  it('gathers every path a glob covers into one finding that names them all', () => {
    const done = subject(1, 'Drop legacy auth', { resources: resources('removes:file:src/legacy/**') });
    const other = subject(2, 'Fix legacy bugs', { footprint: ['src/legacy/b.ts', 'src/legacy/a.ts', 'src/new.ts'], status: 'in_progress' });
    const [finding, ...rest] = completionFindings(done, [other]);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ kind: 'impact_conflict', subject: 'file:src/legacy/**', paths: ['src/legacy/a.ts', 'src/legacy/b.ts'] });
    expect(finding?.message).toBe(
      "#1 'Drop legacy auth' removed file src/legacy/**, which #2 'Fix legacy bugs' is changing on its branch (file src/legacy/a.ts); " +
        '2 files in all: src/legacy/a.ts and src/legacy/b.ts',
    );
  });

  it("gathers the completed task's changed files under a glob another task declared", () => {
    const done = subject(1, 'Tidy', { footprint: ['src/auth/a.ts', 'src/auth/b.ts', 'README.md'] });
    const other = subject(2, 'Auth rewrite', { resources: resources('modifies:file:src/auth/') });
    const findings = completionFindings(done, [other]);
    expect(findings.map((finding) => [finding.kind, finding.subject, finding.paths])).toEqual([
      ['impact_notice', 'file:src/auth/', ['src/auth/a.ts', 'src/auth/b.ts']],
    ]);
  });

  it('reports nothing for reads against reads, for the links of the completed task, or for closed tasks', () => {
    const done = subject(1, 'Read config', { resources: resources('reads:config:db:url'), links: [parseLink('src/a.ts')] });
    const others = [
      subject(2, 'Also reads', { resources: resources('reads:config:db:url') }),
      subject(3, 'Edits a.ts', { resources: resources('modifies:file:src/a.ts') }),
    ];
    expect(completionFindings(done, others)).toEqual([]);
    const remover = subject(4, 'Remove db url', { resources: resources('removes:config:db:url') });
    const closed = ['done', 'cancelled'].map((status, index) => subject(10 + index, status, { status: status as 'done', resources: resources('reads:config:db:url') }));
    expect(completionFindings(remover, [...closed, ...others]).map((finding) => finding.taskId)).toEqual([2]);
  });

  it('matches endpoints whatever their parameters are called and whether a method is given', () => {
    const done = subject(1, 'Drop user lookup', { resources: resources('removes:endpoint:/users/{userId}') });
    const others = [
      subject(2, 'Cache users', { resources: resources('reads:endpoint:GET /users/:id') }),
      subject(3, 'Me page', { resources: resources('reads:endpoint:GET /users/me') }),
      subject(4, 'All user routes', { resources: resources('touches:endpoint:* /users/*') }),
    ];
    expect(completionFindings(done, others).map((finding) => [finding.taskId, finding.subject])).toEqual([
      [2, 'endpoint:* /users/:userId'],
      [4, 'endpoint:* /users/*'],
    ]);
  });

  it('gives the same findings from a reused index as from one completion checked from scratch', () => {
    const others = [taskB, subject(9, 'Reader', { resources: resources('reads:endpoint:/api/login') })];
    const index = buildImpactIndex(others);
    expect(findingsFor(index, taskA)).toEqual(completionFindings(taskA, others));
    expect(findingsFor(index, taskA)).toEqual(findingsFor(index, taskA));
  });

  it('agrees with comparing every pair on a generated board', () => {
    for (const seed of [7, 8, 9]) {
      const { done, others } = generatedBoard(600, seed);
      const expected = pairwiseFindings(done, others);
      expect(expected.length).toBeGreaterThan(10);
      expect(new Set(expected.map((finding) => finding.kind)).size).toBe(2);
      expect(findingsFor(buildImpactIndex(others), done)).toEqual(expected);
      expect(completionFindings(done, others)).toEqual(expected);
    }
  });

  it('checks a completion against 10,000 tasks with 20,000 resources well inside a generous bound', () => {
    const { done, others } = generatedBoard(10_000, 11);
    expect(others.reduce((sum, task) => sum + task.resources.length, 0)).toBe(20_000);
    completionFindings(done, others);
    const started = performance.now();
    const findings = completionFindings(done, others);
    const elapsedMs = performance.now() - started;
    expect(findings.length).toBeGreaterThan(0);
    // The target is 50 ms (bench/impact.mjs measures it); this only catches a pairwise blow-up.
    expect(elapsedMs).toBeLessThan(1000);
  });
});

/** The slow, obvious way: every source use against every use of every other task. */
function pairwiseFindings(done: ImpactSubject, others: readonly ImpactSubject[]): FindingDraft[] {
  const groups = new Map<string, { best: { finding: FindingDraft; match: Parameters<typeof impactFinding>[0] }; paths: Set<string> }>();
  for (const sourceUse of resourceUses(done).filter((use) => use.origin !== 'link')) {
    for (const target of others) {
      if (target.id === done.id || target.status === 'done' || target.status === 'cancelled') continue;
      for (const targetUse of resourceUses(target)) {
        if (targetUse.kind !== sourceUse.kind || !resourceNamesMatch(sourceUse.kind, sourceUse.name, targetUse.name)) continue;
        const match = { source: done, sourceUse, target, targetUse };
        const finding = impactFinding(match, true);
        if (!finding) continue;
        const key = `${target.id}\n${finding.subject}`;
        const group = groups.get(key);
        if (!group) groups.set(key, { best: { finding, match }, paths: new Set(finding.paths) });
        else {
          finding.paths.forEach((path) => group.paths.add(path));
          if (compareImpact({ finding, match }, group.best) < 0) group.best = { finding, match };
        }
      }
    }
  }
  return [...groups.values()]
    .map(({ best, paths }) => {
      const sorted = [...paths].sort();
      if (sorted.length <= 1) return { ...best.finding, paths: sorted };
      const listed = sorted.length > 5 ? `${sorted.slice(0, 5).join(', ')} and ${sorted.length - 5} more` : `${sorted.slice(0, -1).join(', ')} and ${sorted.at(-1)}`;
      return { ...best.finding, paths: sorted, message: `${best.finding.message}; ${sorted.length} files in all: ${listed}` };
    })
    .sort((a, b) => a.taskId - b.taskId || (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0));
}

/** A board of `count` open tasks with two resources each, some globs, and a completing task that shares some of them. */
function generatedBoard(count: number, seed: number): { done: ImpactSubject; others: ImpactSubject[] } {
  let state = seed;
  const random = (n: number): number => {
    // mulberry32: the low bits of a plain LCG repeat too soon for `% 2`.
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4_294_967_296) * n);
  };
  const modes = ['adds', 'modifies', 'removes', 'reads', 'touches'];
  const name = (): string => {
    const pick = random(20);
    const area = `area${random(40)}`;
    if (pick < 6) return `endpoint:${['GET', 'POST', 'DELETE'][random(3)]} /api/${area}/${random(3) === 0 ? '{id}' : `item${random(20)}`}`;
    if (pick < 7) return `endpoint:* /api/${area}/*`;
    if (pick < 13) return `file:src/${area}/file${random(30)}.ts`;
    if (pick < 14) return random(2) === 0 ? `file:src/${area}/**` : `file:src/${area}/`;
    if (pick < 17) return `table:${area}_t${random(10)}`;
    if (pick < 18) return `table:${area}_*`;
    return `module:${area}.m${random(10)}`;
  };
  const others = Array.from({ length: count }, (_, index) =>
    subject(index + 2, `Task ${index + 2}`, {
      resources: [0, 1].map(() => parseResource(`${modes[random(5)]}:${name()}`)),
      ...(random(4) === 0 ? { links: [parseLink(`src/area${random(40)}/file${random(30)}.ts`)] } : {}),
      ...(random(10) === 0 ? { status: 'in_progress' as const, footprint: [`src/area${random(40)}/file${random(30)}.ts`] } : {}),
    }),
  );
  const done = subject(1, 'The completing task', {
    resources: Array.from({ length: 10 }, (_, index) => parseResource(`${['removes', 'modifies', 'adds'][index % 3]}:${name()}`)),
    footprint: Array.from({ length: 30 }, () => `src/area${random(40)}/file${random(30)}.ts`),
  });
  return { done, others };
}
