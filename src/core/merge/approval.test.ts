import { describe, expect, it } from 'vitest';
import { approvalReasons, resourcePatternMatches } from './approval.js';

const policy = { paths: ['migrations/**', 'src/auth/**'], resources: ['removes:*', 'modifies:table:*'], kinds: ['feature' as const], labels: ['needs-review'] };

describe('approvalReasons', () => {
  it('names every rule a task matches: paths its branch changes, resources it declares, its kind, its labels', () => {
    const task = { kind: 'feature' as const, labels: ['needs-review', 'api'], resources: [{ mode: 'removes' as const, kind: 'endpoint', name: 'POST /api/login' }] };
    expect(approvalReasons(task, ['migrations/001.sql', 'src/app.ts'], policy)).toEqual([
      'changes migrations/001.sql (paths: migrations/**)',
      'declares removes:endpoint:POST /api/login (resources: removes:*)',
      'is a feature (kinds: feature)',
      'is labelled needs-review (labels: needs-review)',
    ]);
  });

  it('is empty for a task no rule matches, and for an empty policy whatever the task', () => {
    const task = { kind: 'bug' as const, labels: ['api'], resources: [{ mode: 'modifies' as const, kind: 'file', name: 'src/app.ts' }] };
    expect(approvalReasons(task, ['src/app.ts', 'docs/migrations.md'], policy)).toEqual([]);
    expect(approvalReasons({ kind: 'feature', labels: ['needs-review'], resources: [] }, ['migrations/x.sql'], { paths: [], resources: [], kinds: [], labels: [] })).toEqual([]);
  });

  it('lists at most three matched paths, then counts the rest', () => {
    const paths = ['src/auth/a.ts', 'src/auth/b.ts', 'src/auth/c.ts', 'src/auth/d.ts', 'src/auth/e.ts'];
    expect(approvalReasons({ kind: 'task', labels: [], resources: [] }, paths, policy)).toEqual(['changes src/auth/a.ts, src/auth/b.ts, src/auth/c.ts and 2 more (paths: src/auth/**)']);
  });
});

describe('resourcePatternMatches', () => {
  it('reads * as any run of characters, colons included, and everything else literally', () => {
    expect(resourcePatternMatches('removes:*', 'removes:file:src/a.ts')).toBe(true);
    expect(resourcePatternMatches('modifies:table:*', 'modifies:table:users')).toBe(true);
    expect(resourcePatternMatches('modifies:table:*', 'modifies:file:users')).toBe(false);
    expect(resourcePatternMatches('removes:file:a.ts', 'removes:file:a+ts')).toBe(false);
    expect(resourcePatternMatches('*', 'reads:api:x')).toBe(true);
  });
});
