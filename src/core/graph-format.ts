import { isClosed, isGating, type Dependency } from './dependency.js';
import { InvalidInputError } from './errors.js';
import type { Priority } from './priority.js';
import type { Status } from './status.js';
import type { Task } from './task.js';
import { quoted } from './quoted.js';

export const GRAPH_FORMATS = ['mermaid', 'dot', 'json'] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

export function parseGraphFormat(input: string, field = '--format'): GraphFormat {
  const text = input.trim().toLowerCase();
  if ((GRAPH_FORMATS as readonly string[]).includes(text)) return text as GraphFormat;
  throw new InvalidInputError(field, `unknown graph format ${quoted(input)}; use one of ${GRAPH_FORMATS.join(', ')}`);
}

export interface GraphNode {
  id: number;
  title: string;
  status: Status;
  priority: Priority;
  assignee: string | null;
}

/** An edge points from the waiting task (`taskId`) to the task it depends on (`dependsOnId`). */
export interface DependencyGraph {
  nodes: GraphNode[];
  edges: Dependency[];
}

/**
 * The graph of the tasks still in play (every task with `includeClosed`), and the dependencies
 * between the tasks shown: an edge to a task left out would point at nothing.
 */
export function buildGraph(tasks: readonly Task[], dependencies: readonly Dependency[], includeClosed: boolean): DependencyGraph {
  const nodes = tasks
    .filter((task) => includeClosed || !isClosed(task.status))
    .sort((a, b) => a.id - b.id)
    .map(({ id, title, status, priority, assignee }) => ({ id, title, status, priority, assignee }));
  const shown = new Set(nodes.map((node) => node.id));
  const edges = dependencies
    .filter((edge) => shown.has(edge.taskId) && shown.has(edge.dependsOnId))
    .map(({ taskId, dependsOnId, type }) => ({ taskId, dependsOnId, type }))
    .sort((a, b) => a.taskId - b.taskId || a.dependsOnId - b.dependsOnId);
  return { nodes, edges };
}

/** `#12 Add login [open]`: the same words in every format, escaped per format. */
export function nodeLabel(node: GraphNode): string {
  return `#${node.id} ${node.title} [${node.status}]`;
}

/** Titles imported from elsewhere may hold line breaks or control characters; a label is one line. */
function oneLine(text: string): string {
  // Unicode's control characters (Cc), spelled out as in task.ts.
  // eslint-disable-next-line no-control-regex -- matching the control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f]+/gu, ' ');
}

const MERMAID_CODES: Record<string, string> = { '#': '#35;', '"': '#34;', '&': '#38;', '<': '#60;', '>': '#62;', '[': '#91;', ']': '#93;' };

/**
 * Mermaid reads `#name;` in a quoted label as a character code, so `#` itself is coded first,
 * then the characters that would end the label or be read as markup.
 */
export function mermaidLabel(text: string): string {
  return oneLine(text).replace(/[#"&<>[\]]/g, (char) => MERMAID_CODES[char] as string);
}

/** `flowchart TD`: solid arrows for dependencies that hold a task back, dotted for the others. */
export function renderMermaid(graph: DependencyGraph): string {
  const lines = ['flowchart TD'];
  for (const node of graph.nodes) lines.push(`  t${node.id}["${mermaidLabel(nodeLabel(node))}"]`);
  for (const edge of graph.edges) {
    const arrow = isGating(edge.type) ? '-->' : '-.->';
    const label = edge.type === 'blocks' ? '' : `|${edge.type}|`;
    lines.push(`  t${edge.taskId} ${arrow}${label} t${edge.dependsOnId}`);
  }
  return lines.join('\n');
}

/** Inside a DOT double-quoted string only `"` and `\` are special (`\n`, `\l` are escapes). */
export function dotString(text: string): string {
  return `"${oneLine(text).replace(/[\\"]/g, (char) => `\\${char}`)}"`;
}

export function renderDot(graph: DependencyGraph): string {
  const lines = ['digraph baton {', '  rankdir=LR;', '  node [shape=box];'];
  for (const node of graph.nodes) lines.push(`  t${node.id} [label=${dotString(nodeLabel(node))}];`);
  for (const edge of graph.edges) {
    const attributes = [
      ...(edge.type === 'blocks' ? [] : [`label=${dotString(edge.type)}`]),
      ...(isGating(edge.type) ? [] : ['style=dashed']),
    ];
    lines.push(`  t${edge.taskId} -> t${edge.dependsOnId}${attributes.length > 0 ? ` [${attributes.join(', ')}]` : ''};`);
  }
  lines.push('}');
  return lines.join('\n');
}
