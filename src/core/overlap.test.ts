import { describe, expect, it } from 'vitest';
import type { ImpactSubject } from './finding.js';
import { parseLink } from './link.js';
import { mergeConflictFinding, overlapFindings } from './overlap.js';
import { parseResource } from './resource.js';

function subject(id: number, title: string, more: Partial<ImpactSubject> = {}): ImpactSubject {
  return { id, title, status: 'in_progress', assignee: null, resources: [], links: [], footprint: [], ...more };
}
const resources = (...texts: string[]) => texts.map((text) => parseResource(text));

const taskA = subject(3, 'Remove legacy login', {
  assignee: 'agent-a',
  resources: resources('removes:endpoint:POST /api/login'),
  footprint: ['app/server/auth.py'],
});
const taskB = subject(7, 'Rate-limit login', {
  assignee: 'agent-b',
  resources: resources('modifies:endpoint:POST /api/login'),
  footprint: ['app/server/auth.py', 'app/server/limits.py'],
});

describe('overlapFindings', () => {
  it('makes one finding for each side, about the other, naming what they share', () => {
    const [toA, toB, ...rest] = overlapFindings(taskA, taskB);
    expect(rest).toEqual([]);
    expect(toA).toEqual({
      kind: 'overlap',
      severity: 'medium',
      taskId: 3,
      otherTaskId: 7,
      subject: 'app/server/auth.py, endpoint POST /api/login',
      paths: ['app/server/auth.py'],
      message: "#3 'Remove legacy login' and #7 'Rate-limit login' (agent-b) are both working on app/server/auth.py and endpoint POST /api/login",
      key: 'overlap:3:7:',
    });
    expect(toB).toMatchObject({
      taskId: 7,
      otherTaskId: 3,
      subject: 'app/server/auth.py, endpoint POST /api/login',
      message: "#7 'Rate-limit login' and #3 'Remove legacy login' (agent-a) are both working on app/server/auth.py and endpoint POST /api/login",
      key: 'overlap:7:3:',
    });
  });

  it('keeps the key of a pair while what they share changes, so a refresh does not repeat it', () => {
    const grown = { ...taskB, footprint: [...taskB.footprint, 'app/server/session.py'] };
    const more = { ...taskA, footprint: [...taskA.footprint, 'app/server/session.py'] };
    expect(overlapFindings(more, grown).map((finding) => finding.key)).toEqual(overlapFindings(taskA, taskB).map((finding) => finding.key));
    expect(overlapFindings(more, grown)[0]?.paths).toEqual(['app/server/auth.py', 'app/server/session.py']);
  });

  it('finds overlaps through footprints, links, declared resources and globs', () => {
    const byFootprint = [subject(1, 'a', { footprint: ['x.ts'] }), subject(2, 'b', { footprint: ['x.ts'] })] as const;
    const byLink = [subject(1, 'a', { links: [parseLink('docs/a.md:3')] }), subject(2, 'b', { footprint: ['docs/a.md'] })] as const;
    const byGlob = [subject(1, 'a', { resources: resources('modifies:file:src/auth/**') }), subject(2, 'b', { footprint: ['src/auth/x.ts'] })] as const;
    const byTable = [subject(1, 'a', { resources: resources('reads:table:users') }), subject(2, 'b', { resources: resources('adds:table:users') })] as const;
    expect(overlapFindings(...byFootprint)[0]?.subject).toBe('x.ts');
    expect(overlapFindings(...byLink)[0]?.subject).toBe('docs/a.md');
    expect(overlapFindings(...byGlob)[0]?.subject).toBe('src/auth/x.ts');
    expect(overlapFindings(...byGlob)[1]?.paths).toEqual(['src/auth/x.ts']);
    expect(overlapFindings(...byTable)[0]?.subject).toBe('table users');
    expect(overlapFindings(...byTable)[0]?.paths).toEqual([]);
  });

  it('finds nothing for reads against reads, for different things, or for a task against itself', () => {
    const reader = subject(1, 'a', { resources: resources('reads:table:users', 'reads:file:src/a.ts') });
    const otherReader = subject(2, 'b', { resources: resources('reads:table:users', 'reads:file:src/**') });
    expect(overlapFindings(reader, otherReader)).toEqual([]);
    expect(overlapFindings(taskA, subject(2, 'b', { footprint: ['app/other.py'], resources: resources('modifies:endpoint:GET /api/login') }))).toEqual([]);
    expect(overlapFindings(taskA, taskA)).toEqual([]);
  });

  it('counts a read against a change', () => {
    const reader = subject(1, 'a', { resources: resources('reads:file:src/a.ts') });
    expect(overlapFindings(reader, subject(2, 'b', { footprint: ['src/a.ts'] }))).toHaveLength(2);
  });
});

describe('mergeConflictFinding', () => {
  it('names the base branch and the paths, addressed to the task', () => {
    expect(mergeConflictFinding(taskA, null, 'main', ['b.py', 'app/server/auth.py', 'b.py'])).toEqual({
      kind: 'merge_conflict_predicted',
      severity: 'high',
      taskId: 3,
      otherTaskId: null,
      subject: 'app/server/auth.py, b.py',
      paths: ['app/server/auth.py', 'b.py'],
      message: "Merging #3 'Remove legacy login' into main is predicted to conflict in app/server/auth.py and b.py",
      key: 'merge_conflict_predicted:3:base:main',
    });
  });

  it('names the other task and its holder for a pair of branches', () => {
    const finding = mergeConflictFinding(taskB, taskA, 'main', ['app/server/auth.py']);
    expect(finding).toMatchObject({ taskId: 7, otherTaskId: 3, paths: ['app/server/auth.py'], key: 'merge_conflict_predicted:7:3:' });
    expect(finding.message).toBe("Merging #7 'Rate-limit login' with #3 'Remove legacy login' (agent-a) is predicted to conflict in app/server/auth.py");
    expect(mergeConflictFinding(taskB, taskA, 'trunk', ['other.py']).key).toBe(finding.key);
  });
});
