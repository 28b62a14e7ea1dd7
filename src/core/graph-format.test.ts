import { describe, expect, it } from 'vitest';
import type { Dependency } from './dependency.js';
import { buildGraph, dotString, mermaidLabel, parseGraphFormat, renderDot, renderMermaid } from './graph-format.js';
import type { Status } from './status.js';
import type { Task } from './task.js';

function task(id: number, title: string, status: Status): Task {
  return {
    id, title, status, description: '', kind: 'task', priority: 2, assignee: null, labels: [], due: null, parentId: null,
    acceptance: [], verify: [], resources: [], links: [], createdBy: 'alice', createdAt: '', updatedAt: '', closedAt: null,
    blockReason: null, completionMessage: null, leaseExpiresAt: null, worktree: null, branch: null, version: 1,
  };
}

const TASKS = [
  task(3, 'Say "hi" [twice] <now> & #1', 'blocked'),
  task(1, 'Login', 'open'),
  task(2, 'Schema', 'done'),
  task(4, 'Docs', 'in_progress'),
];
const EDGES: Dependency[] = [
  { taskId: 3, dependsOnId: 1, type: 'blocks' },
  { taskId: 1, dependsOnId: 2, type: 'blocks' },
  { taskId: 4, dependsOnId: 1, type: 'related' },
  { taskId: 4, dependsOnId: 3, type: 'parent-child' },
];

describe('buildGraph', () => {
  it('keeps the tasks still in play and only the edges between them, sorted', () => {
    const graph = buildGraph(TASKS, EDGES, false);
    expect(graph.nodes.map((node) => node.id)).toEqual([1, 3, 4]);
    expect(graph.edges).toEqual([
      { taskId: 3, dependsOnId: 1, type: 'blocks' },
      { taskId: 4, dependsOnId: 1, type: 'related' },
      { taskId: 4, dependsOnId: 3, type: 'parent-child' },
    ]);
    expect(graph.nodes[0]).toEqual({ id: 1, title: 'Login', status: 'open', priority: 2, assignee: null });
  });

  it('shows closed tasks and their edges when asked for all', () => {
    const graph = buildGraph(TASKS, EDGES, true);
    expect(graph.nodes.map((node) => node.id)).toEqual([1, 2, 3, 4]);
    expect(graph.edges).toHaveLength(4);
  });
});

describe('mermaid', () => {
  it('codes the characters that would end a label or read as markup, # first', () => {
    expect(mermaidLabel('#3 Say "hi" [x] <b> & c')).toBe('#35;3 Say #34;hi#34; #91;x#93; #60;b#62; #38; c');
    expect(mermaidLabel('two\nlines\ttabbed')).toBe('two lines tabbed');
  });

  it('draws one node per task and one arrow per dependency, labelled unless it blocks', () => {
    const text = renderMermaid(buildGraph(TASKS, EDGES, false));
    const [header, ...body] = text.split('\n');
    expect(header).toBe('flowchart TD');
    const nodes = body.filter((line) => line.includes('["'));
    const edges = body.filter((line) => !line.includes('["'));
    // A quoted label holds no raw quote or bracket that could end it early.
    for (const line of nodes) expect(line).toMatch(/^ {2}t\d+\["[^"[\]<>]*"\]$/);
    expect(nodes[1]).toBe('  t3["#35;3 Say #34;hi#34; #91;twice#93; #60;now#62; #38; #35;1 #91;blocked#93;"]');
    expect(edges).toEqual(['  t3 --> t1', '  t4 -.->|related| t1', '  t4 -->|parent-child| t3']);
  });

  it('is still a valid chart when nothing is open', () => {
    expect(renderMermaid({ nodes: [], edges: [] })).toBe('flowchart TD');
  });
});

describe('dot', () => {
  it('escapes quotes and backslashes inside quoted strings and leaves brackets alone', () => {
    expect(dotString('a "b" [c] \\n')).toBe('"a \\"b\\" [c] \\\\n"');
    expect(dotString('x\ny')).toBe('"x y"');
  });

  it('writes a digraph whose every statement is well formed', () => {
    const text = renderDot(buildGraph(TASKS, EDGES, true));
    const lines = text.split('\n');
    expect(lines[0]).toBe('digraph baton {');
    expect(lines.at(-1)).toBe('}');
    const statements = lines.slice(1, -1);
    const quoted = '"(?:[^"\\\\]|\\\\.)*"';
    for (const line of statements) {
      expect(line).toMatch(new RegExp(`^ {2}(rankdir=LR|node \\[shape=box\\]|t\\d+ \\[label=${quoted}\\]|t\\d+ -> t\\d+( \\[[^\\]]*\\])?);$`));
    }
    expect(statements).toContain('  t3 [label="#3 Say \\"hi\\" [twice] <now> & #1 [blocked]"];');
    expect(statements).toContain('  t1 -> t2;');
    expect(statements).toContain('  t4 -> t1 [label="related", style=dashed];');
    expect(statements).toContain('  t4 -> t3 [label="parent-child"];');
  });
});

describe('parseGraphFormat', () => {
  it('takes the three formats and refuses others naming them', () => {
    expect(parseGraphFormat('DOT')).toBe('dot');
    expect(() => parseGraphFormat('svg')).toThrow(/unknown graph format 'svg'; use one of mermaid, dot, json/);
  });
});
