import { isClosed } from '../../core/dependency.js';
import { buildGraph, parseGraphFormat, renderDot, renderMermaid } from '../../core/graph-format.js';
import { STATUSES } from '../../core/status.js';
import type { CommandSpec } from '../command.js';
import { flag, stringOption } from '../command.js';
import { jsonDocument } from '../output.js';

const NOT_CLOSED = STATUSES.filter((status) => !isClosed(status));

export const graphCommand: CommandSpec = {
  name: 'graph',
  summary: 'print the dependency graph of open work (mermaid, dot or json)',
  board: 'read',
  args: [],
  options: [
    { name: 'format', kind: 'string', value: 'FORMAT', help: 'mermaid (default) | dot | json' },
    { name: 'all', kind: 'boolean', help: 'include done and cancelled tasks' },
  ],
  async run(ctx, { options }) {
    const format = parseGraphFormat(stringOption(options, 'format') ?? 'mermaid');
    const all = flag(options, 'all');
    const graph = await ctx.openStore().read(async (tx) =>
      buildGraph(await tx.listTasks(all ? {} : { statuses: NOT_CLOSED }), await tx.allDependencies(), all),
    );
    const document = { nodes: graph.nodes, edges: graph.edges };
    if (format === 'json') {
      // --format json asks for the machine document, so it is printed whether or not --json was given.
      return { json: document, text: jsonDocument(document) };
    }
    return { json: document, text: format === 'dot' ? renderDot(graph) : renderMermaid(graph) };
  },
};
