import { describe, expect, it } from 'vitest';
import type { ImpactSubject } from './finding.js';
import {
  findingKey,
  impactFinding,
  impactVerdict,
  listText,
  resourceUses,
  sharedSubject,
  type ImpactMatch,
  type ResourceUse,
} from './impact-rules.js';
import { parseLink } from './link.js';
import { RESOURCE_MODES, parseResource, type ResourceMode } from './resource.js';

function subject(id: number, title: string, more: Partial<ImpactSubject> = {}): ImpactSubject {
  return { id, title, status: 'open', assignee: null, resources: [], links: [], footprint: [], ...more };
}

const use = (text: string): ResourceUse => ({ ...parseResource(text), origin: 'resource' });
const removeLogin = subject(3, 'Remove legacy login', { status: 'done', assignee: 'agent-a' });
const rateLimit = subject(7, 'Rate-limit login', { status: 'in_progress', assignee: 'agent-b' });
const match = (sourceUse: ResourceUse, targetUse: ResourceUse, source = removeLogin, target = rateLimit): ImpactMatch => ({
  source,
  sourceUse,
  target,
  targetUse,
});

describe('impactVerdict', () => {
  const table: Record<ResourceMode, Record<ResourceMode, string | null>> = {
    removes: { adds: 'impact_conflict', modifies: 'impact_conflict', removes: null, reads: 'impact_conflict', touches: 'impact_conflict' },
    modifies: { adds: null, modifies: 'impact_notice', removes: null, reads: 'impact_notice', touches: 'impact_notice' },
    adds: { adds: null, modifies: null, removes: null, reads: 'impact_notice', touches: null },
    reads: { adds: null, modifies: null, removes: null, reads: null, touches: null },
    touches: { adds: null, modifies: null, removes: null, reads: null, touches: null },
  };

  it.each(RESOURCE_MODES.flatMap((source) => RESOURCE_MODES.map((target) => [source, target] as const)))(
    'a source that %s against a task that %s',
    (source, target) => {
      const verdict = impactVerdict(source, target);
      expect(verdict?.kind ?? null).toBe(table[source][target]);
      if (verdict) expect(verdict.severity).toBe(verdict.kind === 'impact_conflict' ? 'high' : 'low');
    },
  );
});

describe('resourceUses', () => {
  it('takes declared resources as declared, file links as touches and footprint paths as modifies', () => {
    const task = subject(1, 'x', {
      resources: [parseResource('reads:table:users')],
      links: [parseLink('app/auth.py:3-9'), parseLink('https://example.com/spec')],
      footprint: ['src/a.ts'],
    });
    expect(resourceUses(task)).toEqual([
      { mode: 'reads', kind: 'table', name: 'users', origin: 'resource' },
      { mode: 'touches', kind: 'file', name: 'app/auth.py', origin: 'link' },
      { mode: 'modifies', kind: 'file', name: 'src/a.ts', origin: 'footprint' },
    ]);
  });
});

describe('impactFinding', () => {
  it("words the article's example as one plain sentence, addressed to the affected task", () => {
    const finding = impactFinding(match(use('removes:endpoint:POST /api/login'), use('modifies:endpoint:post /api/login/')), true);
    expect(finding).toEqual({
      kind: 'impact_conflict',
      severity: 'high',
      taskId: 7,
      otherTaskId: 3,
      subject: 'endpoint:POST /api/login',
      paths: [],
      message: "#3 'Remove legacy login' removed endpoint POST /api/login, which #7 'Rate-limit login' modifies",
      key: 'impact_conflict:7:3:endpoint:POST /api/login',
    });
  });

  it('says "links to" for a link and names the file in its paths', () => {
    const link: ResourceUse = { mode: 'touches', kind: 'file', name: 'app/auth.py', origin: 'link' };
    const finding = impactFinding(match(use('removes:file:app/auth.py'), link), true);
    expect(finding?.message).toBe("#3 'Remove legacy login' removed file app/auth.py, which #7 'Rate-limit login' links to");
    expect(finding?.paths).toEqual(['app/auth.py']);
    expect(finding?.kind).toBe('impact_conflict');
  });

  it('says what a footprint did, on either side', () => {
    const changed: ResourceUse = { mode: 'modifies', kind: 'file', name: 'app/auth.py', origin: 'footprint' };
    expect(impactFinding(match(changed, changed), true)?.message).toBe(
      "#3 'Remove legacy login' changed file app/auth.py, which #7 'Rate-limit login' is changing on its branch",
    );
    expect(impactFinding(match(changed, changed), false)?.message).toBe(
      "#3 'Remove legacy login' is changing file app/auth.py, which #7 'Rate-limit login' is changing on its branch",
    );
  });

  it.each([
    ['modifies', 'reads', true, "#3 'Remove legacy login' modified table users, which #7 'Rate-limit login' reads"],
    ['adds', 'reads', true, "#3 'Remove legacy login' added table users, which #7 'Rate-limit login' reads"],
    ['removes', 'touches', false, "#3 'Remove legacy login' is removing table users, which #7 'Rate-limit login' touches"],
    ['modifies', 'touches', false, "#3 'Remove legacy login' is modifying table users, which #7 'Rate-limit login' touches"],
    ['adds', 'reads', false, "#3 'Remove legacy login' is adding table users, which #7 'Rate-limit login' reads"],
  ] as const)('a source that %s against a task that %s (completed: %s)', (source, target, completed, message) => {
    expect(impactFinding(match(use(`${source}:table:users`), use(`${target}:table:users`)), completed)?.message).toBe(message);
  });

  it('names both sides when the names differ, and gathers under the broader one', () => {
    const finding = impactFinding(match(use('removes:file:src/auth/login.ts'), use('modifies:file:src/auth/**')), true);
    expect(finding?.subject).toBe('file:src/auth/**');
    expect(finding?.paths).toEqual(['src/auth/login.ts']);
    expect(finding?.message).toBe(
      "#3 'Remove legacy login' removed file src/auth/login.ts, which #7 'Rate-limit login' modifies (file src/auth/**)",
    );
    const bare = impactFinding(match(use('removes:endpoint:/api/login'), use('reads:endpoint:GET /api/login')), true);
    expect(bare?.subject).toBe('endpoint:* /api/login');
    expect(bare?.message).toBe("#3 'Remove legacy login' removed endpoint /api/login, which #7 'Rate-limit login' reads (endpoint GET /api/login)");
  });

  it('returns nothing when the rules say nothing, or when the source and the target are the same task', () => {
    expect(impactFinding(match(use('reads:table:users'), use('reads:table:users')), true)).toBeNull();
    expect(impactFinding(match(use('touches:table:users'), use('modifies:table:users')), true)).toBeNull();
    expect(impactFinding(match(use('removes:table:users'), use('reads:table:users'), removeLogin, removeLogin), true)).toBeNull();
  });

  it('keeps the key stable for the same kind, tasks and subject, and apart otherwise', () => {
    const first = impactFinding(match(use('removes:endpoint:POST /api/login'), use('modifies:endpoint:POST /api/login')), true);
    const again = impactFinding(match(use('removes:endpoint:post /api/login/'), use('reads:endpoint:POST /api/login')), true);
    expect(again?.key).toBe(first?.key);
    const otherTarget = impactFinding(
      match(use('removes:endpoint:POST /api/login'), use('modifies:endpoint:POST /api/login'), removeLogin, subject(8, 'Other')),
      true,
    );
    expect(otherTarget?.key).not.toBe(first?.key);
    expect(findingKey('impact_notice', 7, 3, 'table:users')).not.toBe(findingKey('impact_conflict', 7, 3, 'table:users'));
    expect(findingKey('overlap', 7, null, 'x')).toBe('overlap:7:base:x');
  });
});

describe('sharedSubject', () => {
  it('keeps the source name when neither side is broader', () => {
    expect(sharedSubject(match(use('removes:endpoint:GET /u/{id}'), use('reads:endpoint:GET /u/:userId')))).toEqual({
      kind: 'endpoint',
      name: 'GET /u/:id',
    });
    expect(sharedSubject(match(use('removes:file:src/**'), use('reads:file:src/a.ts')))).toEqual({ kind: 'file', name: 'src/**' });
    expect(sharedSubject(match(use('removes:file:src/a.ts'), use('reads:file:src')))).toEqual({ kind: 'file', name: 'src' });
  });
});

describe('listText', () => {
  it('joins a few items in prose and counts the rest', () => {
    expect(listText([])).toBe('');
    expect(listText(['a'])).toBe('a');
    expect(listText(['a', 'b'])).toBe('a and b');
    expect(listText(['a', 'b', 'c'])).toBe('a, b and c');
    expect(listText(['a', 'b', 'c', 'd'], 2)).toBe('a, b and 2 more');
  });
});
