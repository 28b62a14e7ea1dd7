/**
 * `baton mcp` as an agent's MCP client sees it: the SDK's own client spawns the built binary over
 * stdio against a real board, calls every tool, and reads the board back with the CLI.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { baton, json, makeRepo } from './helpers/baton.js';
import { connectBatonMcp, type BatonMcp } from './helpers/mcp-client.js';

const TIMEOUT_MS = 60_000;
let repo: ReturnType<typeof makeRepo>;
const servers: BatonMcp[] = [];

beforeEach(() => {
  repo = makeRepo('baton-mcp-');
  expect(baton(['init'], { cwd: repo.dir }).code).toBe(0);
});

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  repo.cleanup();
});

async function connect(env: Record<string, string | undefined> = {}, args: string[] = []): Promise<BatonMcp> {
  const server = await connectBatonMcp(repo.dir, env, args);
  servers.push(server);
  return server;
}

interface TaskDoc {
  id: number;
  title: string;
  status: string;
  assignee: string | null;
  kind: string;
  priority: number;
}

const cli = (args: string[], agent = 'lead') => json(baton([...args, '--json'], { cwd: repo.dir, env: { BATON_AGENT: agent } }));

describe('baton mcp', () => {
  it('lists the twelve tools with their input schemas', { timeout: TIMEOUT_MS }, async () => {
    const { client } = await connect();
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(['ready', 'claim_next', 'claim', 'heartbeat', 'show', 'note', 'idea', 'complete', 'add', 'depend', 'inbox', 'ack']);
    expect(tools.find((tool) => tool.name === 'claim')?.inputSchema).toEqual({
      type: 'object',
      properties: { id: { type: 'integer' }, ttl: expect.objectContaining({ type: 'string' }), agent: expect.objectContaining({ type: 'string' }) },
      required: ['id'],
    });
    for (const tool of tools) expect(tool.description, tool.name).toMatch(/\S/);
  });

  it('the whole tool list costs under 3,000 tokens, even at a pessimistic characters / 3 (bench/mcp-tools.mjs measures it)', { timeout: TIMEOUT_MS }, async () => {
    const { client } = await connect();
    const { tools } = await client.listTools();
    expect(Math.ceil(JSON.stringify({ tools }).length / 3)).toBeLessThan(3000);
  });

  it('add, depend, ready, claim_next, heartbeat, show, note, idea and complete change the board the CLI reads', { timeout: TIMEOUT_MS }, async () => {
    const mcp = await connect({ BATON_AGENT: 'agent-1' });
    const schema = await mcp.call('add', { title: 'Design the schema', priority: 1, labels: ['db'], resources: ['modifies:table:users'], verify: ['npm test'] });
    expect(schema.isError).toBe(false);
    expect(schema.doc).toMatchObject({ schemaVersion: 1, task: { id: 1, title: 'Design the schema', priority: 1, labels: ['db'], createdBy: 'agent-1' } });
    const api = await mcp.call('add', { title: 'Build the API', kind: 'feature', depends_on: [1] });
    expect(api.doc.task).toMatchObject({ id: 2, kind: 'feature' });
    const docs = await mcp.call('add', { title: 'Write the docs' });
    expect(await mcp.call('depend', { id: 3, on: 2 })).toMatchObject({ isError: false, doc: { task: { id: 3 }, dependsOn: 2, type: 'blocks' } });

    const ready = await mcp.call('ready', {});
    expect((ready.doc.tasks as TaskDoc[]).map((task) => task.id)).toEqual([1]);
    expect(ready.doc.count).toBe(1);

    const claimed = await mcp.call('claim_next');
    expect(claimed.isError).toBe(false);
    expect(claimed.doc).toMatchObject({ task: { id: 1, status: 'in_progress', assignee: 'agent-1' }, renewed: false });
    const heartbeat = await mcp.call('heartbeat', {});
    expect(heartbeat).toMatchObject({ isError: false, doc: { tasks: [{ id: 1 }], lost: [] } });
    expect(await mcp.call('heartbeat', { ids: [1], ttl: '2h' })).toMatchObject({ isError: false, doc: { tasks: [{ id: 1 }] } });

    expect(await mcp.call('note', { id: 1, text: 'users.email is unique' })).toMatchObject({ isError: false, doc: { note: { taskId: 1, author: 'agent-1' } } });
    const idea = await mcp.call('idea', { title: 'Index users.created_at', link: ['src/db.ts:12'], from: 1 });
    expect(idea.doc.task).toMatchObject({ kind: 'idea', title: 'Index users.created_at' });

    const shown = await mcp.call('show', { id: 1 });
    expect(shown.isError).toBe(false);
    expect(JSON.stringify(shown.doc)).toContain('users.email is unique');
    expect(shown.doc).toMatchObject({ task: { id: 1, status: 'in_progress' } });

    const completed = await mcp.call('complete', { id: 1, message: 'schema merged' });
    expect(completed.doc).toMatchObject({ task: { id: 1, status: 'done', completionMessage: 'schema merged' }, unblocked: [{ id: 2 }] });

    // The CLI reads the same board: the claim, the note, the idea and the completion are there.
    const one = cli(['show', '1']);
    expect(one).toMatchObject({ task: { status: 'done', assignee: 'agent-1' } });
    expect(JSON.stringify(one)).toContain('users.email is unique');
    expect((cli(['list', '--all']).tasks as TaskDoc[]).map((task) => [task.id, task.status])).toEqual([[1, 'done'], [2, 'open'], [3, 'blocked'], [4, 'open']]);
    expect(docs.doc.task).toMatchObject({ id: 3 });
  });

  it('claim takes a task by id; the agent argument overrides BATON_AGENT, --as sets the default', { timeout: TIMEOUT_MS }, async () => {
    cli(['add', 'one']);
    cli(['add', 'two']);
    const mcp = await connect({ BATON_AGENT: 'from-env' });
    expect((await mcp.call('claim', { id: 2 })).doc).toMatchObject({ task: { id: 2, assignee: 'from-env' } });
    expect((await mcp.call('claim', { id: 1, agent: 'named' })).doc).toMatchObject({ task: { id: 1, assignee: 'named' } });
    expect((await mcp.call('claim', { id: 2 })).doc).toMatchObject({ renewed: true });
    const asFlag = await connect({ BATON_AGENT: undefined }, ['--as', 'flagged']);
    expect(await asFlag.call('claim', { id: 1 })).toMatchObject({ isError: true, doc: { error: { code: 'ALREADY_CLAIMED' } } });
    expect((await asFlag.call('add', { title: 'three' })).doc).toMatchObject({ task: { createdBy: 'flagged' } });
  });

  it('--db names the board, as for every command', { timeout: TIMEOUT_MS }, async () => {
    const other = makeRepo('baton-mcp-other-');
    try {
      expect(baton(['init', '--db', `${other.dir}/board.db`], { cwd: repo.dir }).code).toBe(0);
      const mcp = await connect({}, ['--db', `${other.dir}/board.db`]);
      expect((await mcp.call('add', { title: 'elsewhere' })).doc).toMatchObject({ task: { id: 1 } });
      expect(cli(['list'])).toMatchObject({ tasks: [] });
      expect(json(baton(['list', '--json', '--db', `${other.dir}/board.db`], { cwd: repo.dir }))).toMatchObject({ tasks: [{ title: 'elsewhere' }] });
    } finally {
      other.cleanup();
    }
  });

  it('inbox shows a finding, complete is refused until it is acknowledged with ack', { timeout: TIMEOUT_MS }, async () => {
    cli(['add', 'Remove legacy login', '--resource', 'removes:endpoint:POST /api/login']);
    cli(['add', 'Rate-limit login', '--resource', 'modifies:endpoint:POST /api/login']);
    const mcp = await connect({ BATON_AGENT: 'agent-b' });
    expect((await mcp.call('claim', { id: 2 })).isError).toBe(false);
    cli(['complete', '1']);

    const inbox = await mcp.call('inbox');
    expect(inbox.doc).toMatchObject({ count: 1, findings: [{ taskId: 2, recipient: 'agent-b', kind: 'impact_conflict', status: 'open' }] });
    const findingId = (inbox.doc.findings as { id: number }[])[0]?.id;
    const refused = await mcp.call('complete', { id: 2 });
    expect(refused).toMatchObject({ isError: true, doc: { error: { code: 'CONFLICT' } } });
    expect(refused.doc.error?.message).toContain('ack');

    expect(await mcp.call('ack', { id: findingId, message: 'moved to v2' })).toMatchObject({ isError: false, doc: { finding: { status: 'acknowledged', ackedBy: 'agent-b', ackMessage: 'moved to v2' } } });
    expect((await mcp.call('inbox')).doc).toMatchObject({ count: 0 });
    expect((await mcp.call('inbox', { history: true })).doc).toMatchObject({ count: 1 });
    expect(await mcp.call('complete', { id: 2 })).toMatchObject({ isError: false, doc: { task: { status: 'done' } } });
  });

  it('errors carry the CLI error code and message, and change nothing', { timeout: TIMEOUT_MS }, async () => {
    cli(['add', 'one']);
    cli(['claim', '1'], 'someone-else');
    const mcp = await connect({ BATON_AGENT: 'agent-1' });

    const missing = await mcp.call('show', { id: 99 });
    expect(missing).toMatchObject({ isError: true, doc: { schemaVersion: 1, error: { code: 'TASK_NOT_FOUND', message: expect.stringContaining('task #99 does not exist') } } });
    const taken = await mcp.call('claim', { id: 1 });
    expect(taken).toMatchObject({ isError: true, doc: { error: { code: 'ALREADY_CLAIMED', message: expect.stringContaining('someone-else') } } });
    expect(await mcp.call('claim_next')).toMatchObject({ isError: true, doc: { error: { code: 'NOTHING_READY' } } });
    expect(await mcp.call('complete', { id: 1 })).toMatchObject({ isError: true, doc: { error: { code: 'ALREADY_CLAIMED' } } });

    // Bad input: wrong type, missing field, unknown field, a value the CLI's own checks refuse, an empty agent.
    expect(await mcp.call('claim', { id: 'one' })).toMatchObject({ isError: true, doc: { error: { code: 'INVALID_INPUT', message: 'id: must be an integer, not "one"' } } });
    expect(await mcp.call('note', { id: 1 })).toMatchObject({ isError: true, doc: { error: { code: 'INVALID_INPUT', message: 'text: is required' } } });
    expect(await mcp.call('note', { id: 1, text: 'x', txet: 'y' })).toMatchObject({ isError: true, doc: { error: { code: 'INVALID_INPUT', message: expect.stringContaining('txet: is not an argument') } } });
    expect(await mcp.call('note', { id: 1, text: '   ' })).toMatchObject({ isError: true, doc: { error: { code: 'INVALID_INPUT', message: expect.stringContaining('the note is empty') } } });
    expect(await mcp.call('add', { title: 'x', priority: 9 })).toMatchObject({ isError: true, doc: { error: { code: 'INVALID_INPUT' } } });
    expect(await mcp.call('depend', { id: 1, on: 1 })).toMatchObject({ isError: true });
    expect(await mcp.call('claim_next', { ttl: 'forever' })).toMatchObject({ isError: true, doc: { error: { code: 'INVALID_INPUT' } } });
    expect(await mcp.call('ready', { agent: '' })).toMatchObject({ isError: true, doc: { error: { code: 'INVALID_INPUT', message: expect.stringContaining('agent') } } });
    expect(await mcp.call('ack', { id: 5 })).toMatchObject({ isError: true, doc: { error: { code: 'NOT_FOUND' } } });
    expect(await mcp.call('no_such_tool')).toMatchObject({ isError: true, doc: { error: { code: 'USAGE', message: expect.stringContaining('claim_next') } } });

    expect(cli(['show', '1'])).toMatchObject({ task: { status: 'in_progress', assignee: 'someone-else' }, notes: [] });
    expect((cli(['list', '--all']).tasks as TaskDoc[]).length).toBe(1);
  });

  it('a heartbeat that finds a task lost answers it as an error, naming the task, as the CLI exits 4', { timeout: TIMEOUT_MS }, async () => {
    cli(['add', 'one']);
    const mcp = await connect({ BATON_AGENT: 'agent-1' });
    expect((await mcp.call('claim_next')).isError).toBe(false);
    cli(['release', '1', '--force']);
    const beat = await mcp.call('heartbeat');
    expect(beat).toMatchObject({ isError: true, doc: { tasks: [], lost: [{ taskId: 1 }] } });
    expect(await mcp.call('heartbeat')).toMatchObject({ isError: false, doc: { tasks: [], lost: [] } });
  });

  it('inside `baton run`, the tools that write the board are refused as the CLI refuses them; reads stay open', { timeout: TIMEOUT_MS }, async () => {
    cli(['add', 'one']);
    const mcp = await connect({ BATON_RUN_TASK: '1' });
    expect(await mcp.call('note', { id: 1, text: 'from inside' })).toMatchObject({ isError: true, doc: { error: { code: 'ILLEGAL_TRANSITION', message: expect.stringContaining('.baton/notes.md') } } });
    expect(await mcp.call('show', { id: 1 })).toMatchObject({ isError: false });
  });

  it('calls sent at once to one server are all answered, none waiting out the board lock', { timeout: TIMEOUT_MS }, async () => {
    cli(['add', 'one']);
    cli(['add', 'two']);
    const mcp = await connect();
    const started = Date.now();
    const replies = await Promise.all([
      mcp.call('claim_next'),
      mcp.call('claim', { id: 2 }),
      mcp.call('note', { id: 1, text: 'a' }),
      mcp.call('note', { id: 2, text: 'b' }),
      mcp.call('add', { title: 'three' }),
      mcp.call('ready'),
    ]);
    expect(replies.filter((reply) => reply.isError), JSON.stringify(replies)).toEqual([]);
    // A second write waiting on the first inside one process would sit out SQLite's busy timeout (20 s).
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('two clients racing claim_next for one ready task: exactly one gets it', { timeout: TIMEOUT_MS }, async () => {
    cli(['add', 'the only task']);
    const [first, second] = await Promise.all([connect({ BATON_AGENT: 'racer-1' }), connect({ BATON_AGENT: 'racer-2' })]);
    for (let round = 1; round <= 5; round++) {
      if (round > 1) {
        cli(['release', '1', '--force']);
      }
      const replies = await Promise.all([first.call('claim_next'), second.call('claim_next')]);
      const winners = replies.filter((reply) => !reply.isError);
      expect(winners, JSON.stringify(replies)).toHaveLength(1);
      const loser = replies.find((reply) => reply.isError);
      expect(['NOTHING_READY', 'ALREADY_CLAIMED']).toContain(loser?.doc.error?.code);
      const holder = (winners[0]?.doc.task as TaskDoc).assignee;
      expect(cli(['show', '1'])).toMatchObject({ task: { status: 'in_progress', assignee: holder } });
    }
  });
});
