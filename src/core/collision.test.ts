import { describe, expect, it } from 'vitest';
import { collisionsWith } from './collision.js';
import type { ImpactSubject } from './finding.js';
import { parseLink } from './link.js';
import { parseResource } from './resource.js';

function subject(id: number, title: string, more: Partial<ImpactSubject> = {}): ImpactSubject {
  return { id, title, status: 'open', assignee: null, resources: [], links: [], footprint: [], ...more };
}
const resources = (...texts: string[]) => texts.map((text) => parseResource(text));

const running = [
  subject(5, 'Refactor auth', {
    status: 'in_progress',
    assignee: 'alice',
    resources: resources('modifies:endpoint:POST /api/login', 'reads:table:users'),
    links: [parseLink('docs/auth.md')],
    footprint: ['src/auth/login.ts', 'src/auth/session.ts'],
  }),
  subject(6, 'Billing', { status: 'in_progress', assignee: 'bob', resources: resources('modifies:file:src/billing/**') }),
];

describe('collisionsWith', () => {
  it("names the running task and what the candidate's resources share with its footprint and resources", () => {
    const candidate = subject(9, 'Add 2FA', { resources: resources('modifies:file:src/auth/**', 'reads:endpoint:/api/login') });
    expect(collisionsWith(candidate, running)).toEqual([
      {
        taskId: 5,
        reason: "#5 'Refactor auth' (alice) is already working on src/auth/login.ts, src/auth/session.ts and endpoint POST /api/login",
      },
    ]);
  });

  it("counts the candidate's file links", () => {
    const candidate = subject(9, 'Fix invoice rounding', { links: [parseLink('src/billing/invoice.ts:40-52')] });
    expect(collisionsWith(candidate, running)).toEqual([
      { taskId: 6, reason: "#6 'Billing' (bob) is already working on src/billing/invoice.ts" },
    ]);
  });

  it("ignores reads against reads, the running task's links, and the candidate itself", () => {
    const reader = subject(9, 'Report', { resources: resources('reads:table:users') });
    expect(collisionsWith(reader, running)).toEqual([]);
    const docs = subject(9, 'Docs', { resources: resources('modifies:file:docs/auth.md') });
    expect(collisionsWith(docs, running)).toEqual([]);
    const self = { ...running[1], status: 'open' } as ImpactSubject;
    expect(collisionsWith(self, running)).toEqual([]);
  });

  it('reports every running task it collides with, and nothing for a task with nothing declared', () => {
    const wide = subject(9, 'Sweep', { resources: resources('touches:file:src/**') });
    expect(collisionsWith(wide, running).map((collision) => collision.taskId)).toEqual([5, 6]);
    expect(collisionsWith(subject(10, 'Plain'), running)).toEqual([]);
  });

  it('says who holds nothing when the running task has no assignee', () => {
    const unheld = [subject(5, 'Loose', { status: 'in_progress', footprint: ['a.ts'] })];
    expect(collisionsWith(subject(9, 'x', { links: [parseLink('a.ts')] }), unheld)[0]?.reason).toBe("#5 'Loose' is already working on a.ts");
  });
});
