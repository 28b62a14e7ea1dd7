/**
 * An agent's loop through `baton mcp`, for the real agent CLIs against the scripted model: a
 * board with two tasks, a script that calls claim_next, note and complete as MCP tools, and
 * what the board must show afterwards (read with the CLI).
 */
import { expect } from 'vitest';
import { callTools, mcpTool, offersTool, say, type ConversationView, type Script } from '../../src/adapters/scripted-model/script.js';
import { baton, json, makeRepo } from './baton.js';

/** A repository whose board holds #1 (priority 1, the one claim_next takes) and #2. */
export function loopRepo(): ReturnType<typeof makeRepo> {
  const repo = makeRepo('baton-mcp-loop-');
  lead(repo.dir, ['init']);
  lead(repo.dir, ['add', 'Write the greeting', '-p', '1']);
  lead(repo.dir, ['add', 'Later work', '-p', '3']);
  return repo;
}

function lead(cwd: string, args: string[]): Record<string, unknown> {
  return json(baton([...args, '--json'], { cwd, env: { BATON_AGENT: 'lead' } }));
}

/** The last tool results the model got contain `text`. */
const resultHas = (text: string) => (view: ConversationView) => view.toolResults.some((result) => result.includes(text));

/** claim_next (once the CLI offers it), then note on #1, then complete #1, each after the last one answered. */
export const LOOP_SCRIPT: Script = [
  { ...callTools(mcpTool('baton', 'claim_next')), when: offersTool('mcp__baton__claim_next') },
  { ...callTools(mcpTool('baton', 'note', { id: 1, text: 'greeting goes in greeting.txt' })), when: resultHas('"status":"in_progress"') },
  { ...callTools(mcpTool('baton', 'complete', { id: 1, message: 'greeting written' })), when: resultHas('"note"') },
  { ...say('Task 1 is done.'), when: resultHas('"status":"done"') },
];

/** The board shows #1 claimed, noted and completed by `agent`, in that order, and #2 untouched. */
export function expectLoopOnBoard(cwd: string, agent: string): void {
  const shown = lead(cwd, ['show', '1']) as { task: Record<string, unknown>; notes: { author: string; body: string }[] };
  expect(shown.task).toMatchObject({ status: 'done', assignee: agent, completionMessage: 'greeting written' });
  expect(shown.notes).toEqual([expect.objectContaining({ author: agent, body: 'greeting goes in greeting.txt' })]);
  const log = lead(cwd, ['log', '1']) as { events: { type: string; actor: string }[] };
  expect(log.events.map((event) => [event.type, event.actor])).toEqual([
    ['task_created', 'lead'],
    ['task_claimed', agent],
    ['note_added', agent],
    ['task_completed', agent],
  ]);
  expect(lead(cwd, ['show', '2'])).toMatchObject({ task: { status: 'open', assignee: null } });
}
