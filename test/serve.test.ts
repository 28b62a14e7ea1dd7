/**
 * `baton serve`: real HTTP requests (Node's fetch) against a real server process (the built
 * binary) on a real board, with the CLI changing the same board beside it.
 */
import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baton, json, makeRepo, spawnBaton } from './helpers/baton.js';
import { rawGet, startServe, stopAllServes, type Served } from './helpers/serve.js';

type Doc = Record<string, unknown>;
type TaskDoc = { id: number; title: string; status: string; assignee: string | null; createdBy: string };

const repo = makeRepo('baton-serve-');
let served: Served;
const cli = (...args: string[]): Doc => json(baton([...args, '--json'], { cwd: repo.dir }));

beforeAll(async () => {
  expect(baton(['init'], { cwd: repo.dir }).code).toBe(0);
  cli('add', 'Implement auth', '-d', 'login and signup', '-l', 'backend', '-p', '1', '-r', 'modifies:endpoint:POST /api/login');
  cli('add', 'Write docs', '-k', 'chore', '-l', 'docs');
  cli('add', 'Login page', '--depends-on', '1', '-r', 'reads:endpoint:POST /api/login');
  served = await startServe(repo.dir);
}, 60_000);

afterAll(async () => {
  await stopAllServes();
  repo.cleanup();
});

describe('baton serve starts', () => {
  it('on the port the OS picked, printing URL and token on stderr, the token in a file only its owner reads', () => {
    expect(served.port).toBeGreaterThan(0);
    expect(served.url).toBe(`http://127.0.0.1:${served.port}`);
    expect(statSync(served.tokenFile).mode & 0o777).toBe(0o600);
    expect(served.tokenFile).toBe(`${repo.dir}/.git/baton/serve-token`);
    expect(served.token).toMatch(/^[\w-]{32}$/);
  });

  it('prints URL and token on stderr; SIGTERM stops it (exit 0) with an event stream still open', async () => {
    const other = await startServe(repo.dir);
    const stream = await fetch(`${other.url}/api/events/stream`);
    expect(stream.status).toBe(200);
    other.baton.stop();
    const { code, stderr } = await other.baton.exited;
    expect(code).toBe(0);
    expect(stderr).toContain(`listening on ${other.url}/api, token ${other.token} (also in ${other.tokenFile})`);
  }, 30_000);

  it('a port in use is a clear failure (exit 1); a bad --port is a usage error (exit 2)', async () => {
    const busy = spawnBaton(['serve', '--port', String(served.port)], { cwd: repo.dir });
    const refused = await busy.exited;
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`port ${served.port} on 127.0.0.1 is in use; pick another with --port (0 picks a free one)`);
    const bad = baton(['serve', '--port', '99999', '--json'], { cwd: repo.dir });
    expect(bad.code).toBe(2);
    expect(json<{ error: { code: string; message: string } }>(bad).error.message).toMatch(/^--port: '99999' is not a port/);
  }, 30_000);
});

describe('reads', () => {
  it('GET /api/tasks filters by status, assignee, label, kind and text', async () => {
    const titles = async (query: string): Promise<string[]> => ((await served.call('GET', `/api/tasks${query}`)).body.tasks as TaskDoc[]).map((task) => task.title);
    expect(await titles('')).toEqual(['Implement auth', 'Write docs', 'Login page']);
    expect(await titles('?status=blocked')).toEqual(['Login page']);
    expect(await titles('?label=docs')).toEqual(['Write docs']);
    expect(await titles('?kind=chore')).toEqual(['Write docs']);
    expect(await titles('?q=SIGNUP')).toEqual(['Implement auth']);
    expect(await titles('?q=login')).toEqual(['Implement auth', 'Login page']);
    expect(await titles('?assignee=nobody')).toEqual([]);
  });

  it('GET /api/tasks/:id has notes, dependencies both ways and findings; GET /api/ready ranks what is ready', async () => {
    const one = (await served.call('GET', '/api/tasks/1')).body;
    expect(one).toMatchObject({ task: { id: 1, title: 'Implement auth' }, dependents: [{ taskId: 3, dependsOnId: 1 }], dependsOn: [], notes: [], findings: [] });
    const three = (await served.call('GET', '/api/tasks/3')).body;
    expect(three).toMatchObject({ dependsOn: [{ taskId: 3, dependsOnId: 1 }], dependents: [] });
    const ready = (await served.call('GET', '/api/ready')).body.tasks as (TaskDoc & { rank: { position: number; unblocks: number } })[];
    expect(ready.map((task) => [task.id, task.rank.position])).toEqual([[1, 1], [2, 2]]);
    expect(ready[0]?.rank.unblocks).toBe(1);
  });

  it('GET /api/events pages after a cursor', async () => {
    const all = (await served.call('GET', '/api/events')).body;
    expect((all.events as { id: number }[]).map((event) => event.id)).toEqual([1, 2, 3]);
    const page = (await served.call('GET', '/api/events?after=1&limit=1')).body;
    expect(page).toMatchObject({ count: 1, next: 2, events: [{ id: 2, type: 'task_created' }] });
  });
});

describe('the work loop over HTTP, each change by the agent X-Baton-Actor names', () => {
  it('add, claim, a claim of a claimed task refused (409), heartbeat, note, complete, release, claim-next', async () => {
    const added = await served.call('POST', '/api/tasks', { title: 'From HTTP', priority: 'high', labels: ['api', 'web'], dependsOn: [2] });
    expect(added.status).toBe(201);
    const task = added.body.task as TaskDoc & { priority: number; labels: string[] };
    expect(task).toMatchObject({ title: 'From HTTP', priority: 1, labels: ['api', 'web'], status: 'blocked', createdBy: 'alice' });

    const claimed = await served.call('POST', '/api/tasks/2/claim', { ttl: '10m' });
    expect(claimed.status).toBe(200);
    expect(claimed.body).toMatchObject({ task: { id: 2, status: 'in_progress', assignee: 'alice' }, renewed: false });
    const taken = await served.call('POST', '/api/tasks/2/claim', {}, { 'x-baton-actor': 'bob' });
    expect([taken.status, (taken.body.error as Doc).code]).toEqual([409, 'ALREADY_CLAIMED']);

    expect((await served.call('POST', '/api/tasks/2/heartbeat', { ttl: '20m' })).body).toMatchObject({ tasks: [{ id: 2 }], lost: [] });
    const lostBeat = await served.call('POST', '/api/tasks/2/heartbeat', {}, { 'x-baton-actor': 'bob' });
    expect([lostBeat.status, (lostBeat.body.error as Doc).code]).toEqual([409, 'CONFLICT']);

    expect((await served.call('POST', '/api/tasks/2/notes', { text: 'half done' })).status).toBe(201);
    const completed = await served.call('POST', '/api/tasks/2/complete', { message: 'all written' });
    expect(completed.body).toMatchObject({ task: { id: 2, status: 'done' }, unblocked: [{ id: task.id, status: 'open' }] });

    const next = await served.call('POST', '/api/claim-next', {}, { 'x-baton-actor': 'bob' });
    expect(next.body).toMatchObject({ task: { id: 1, assignee: 'bob' } });
    const released = await served.call('POST', '/api/tasks/1/release', {}, { 'x-baton-actor': 'bob' });
    expect(released.body).toMatchObject({ task: { id: 1, status: 'open', assignee: null } });

    // The CLI reads the same board: the note, and who did what.
    const shown = cli('show', '2') as { notes: { body: string; author: string }[]; task: TaskDoc };
    expect(shown.notes).toMatchObject([{ body: 'half done', author: 'alice' }]);
    const events = (cli('log', '2') as { events: { type: string; actor: string }[] }).events.map((event) => `${event.type}:${event.actor}`);
    expect(events).toEqual(['task_created:tester', 'task_claimed:alice', 'note_added:alice', 'task_completed:alice']);
  });

  it('claim-next with nothing ready is 404 NOTHING_READY', async () => {
    const other = makeRepo('baton-serve-empty-');
    expect(baton(['init'], { cwd: other.dir }).code).toBe(0);
    const empty = await startServe(other.dir);
    try {
      const result = await empty.call('POST', '/api/claim-next');
      expect([result.status, (result.body.error as Doc).code]).toEqual([404, 'NOTHING_READY']);
    } finally {
      await empty.stop();
      other.cleanup();
    }
  }, 30_000);

  it('findings: every open one, one recipient\'s, and ack by its recipient (another agent is refused, 409)', async () => {
    const change = (cli('add', 'Change profile API', '-r', 'modifies:endpoint:GET /api/me') as { task: TaskDoc }).task.id;
    const reader = (cli('add', 'Profile page', '-r', 'reads:endpoint:GET /api/me') as { task: TaskDoc }).task.id;
    cli('claim', String(reader), '--as', 'carol');
    cli('claim', String(change), '--as', 'bob');
    cli('complete', String(change), '--as', 'bob');
    const all = (await served.call('GET', '/api/findings')).body.findings as { id: number; recipient: string; taskId: number }[];
    expect(all).toMatchObject([{ recipient: 'carol', taskId: reader }]);
    expect((await served.call('GET', '/api/findings?recipient=carol')).body.findings).toMatchObject([{ recipient: 'carol' }]);
    expect((await served.call('GET', '/api/findings?recipient=alice')).body.findings).toEqual([]);
    const id = (all[0] as { id: number }).id;
    const refused = await served.call('POST', `/api/findings/${id}/ack`, { message: 'mine?' });
    expect([refused.status, (refused.body.error as Doc).code]).toEqual([409, 'CONFLICT']);
    const acked = await served.call('POST', `/api/findings/${id}/ack`, { message: 'will adapt' }, { 'x-baton-actor': 'carol' });
    expect(acked.body).toMatchObject({ finding: { id, status: 'acknowledged', ackedBy: 'carol', ackMessage: 'will adapt' } });
    expect((await served.call('GET', '/api/findings')).body.findings).toEqual([]);
  });
});

describe('refusals: the CLI\'s codes and messages, as HTTP statuses', () => {
  const errorOf = (result: { status: number; body: Doc }): [number, string] => [result.status, (result.body.error as Doc).code as string];

  it('400: a bad field gets the same code and message as the CLI', async () => {
    const http = await served.call('POST', '/api/tasks', { title: 'x', priority: 'urgent' });
    const viaCli = json<{ error: { code: string; message: string } }>(baton(['add', 'x', '-p', 'urgent', '--json'], { cwd: repo.dir }));
    expect(errorOf(http)).toEqual([400, 'INVALID_INPUT']);
    expect((http.body.error as Doc).message).toBe(viaCli.error.message);
    expect(errorOf(await served.call('POST', '/api/tasks', { title: '' }))).toEqual([400, 'INVALID_INPUT']);
    expect(errorOf(await served.call('POST', '/api/tasks', { title: 'x', labels: [3, { a: 1 }] }))).toEqual([400, 'INVALID_INPUT']);
    expect(errorOf(await served.call('POST', '/api/tasks', { title: 'x', colour: 'red' }))).toEqual([400, 'INVALID_INPUT']);
    expect(errorOf(await served.call('POST', '/api/tasks/1/claim', { ttl: 'forever' }))).toEqual([400, 'INVALID_INPUT']);
    expect(errorOf(await served.call('POST', '/api/tasks/abc/claim'))).toEqual([400, 'INVALID_INPUT']);
    expect(errorOf(await served.call('POST', '/api/tasks/1/notes', { text: '  ' }))).toEqual([400, 'INVALID_INPUT']);
    expect(errorOf(await served.call('GET', '/api/events?after=x'))).toEqual([400, 'INVALID_INPUT']);
    expect(errorOf(await served.call('POST', '/api/tasks/1/complete', { force: true }))).toEqual([400, 'INVALID_INPUT']);
  });

  it('400: malformed JSON, a body that is not an object, no X-Baton-Actor on a change', async () => {
    const malformed = await served.call('POST', '/api/tasks', '{"title": ');
    expect(errorOf(malformed)).toEqual([400, 'INVALID_INPUT']);
    expect((malformed.body.error as Doc).message).toMatch(/^body: is not valid JSON/);
    expect(errorOf(await served.call('POST', '/api/tasks', '[1, 2]'))).toEqual([400, 'INVALID_INPUT']);
    const anonymous = await fetch(`${served.url}/api/tasks`, { method: 'POST', headers: { authorization: `Bearer ${served.token}` }, body: '{"title":"x"}' });
    expect(anonymous.status).toBe(400);
    expect(((await anonymous.json()) as { error: Doc }).error.message).toMatch(/^X-Baton-Actor: missing/);
    expect(errorOf(await served.call('POST', '/api/tasks', { title: 'x' }, { 'x-baton-actor': 'a,b' }))).toEqual([400, 'INVALID_INPUT']);
  });

  it('401: a change with no token or a wrong one; the board unchanged', async () => {
    const before = (cli('list', '--all') as { count: number }).count;
    const none = await fetch(`${served.url}/api/tasks`, { method: 'POST', headers: { 'x-baton-actor': 'alice' }, body: '{"title":"x"}' });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    expect(((await none.json()) as { error: Doc }).error.code).toBe('UNAUTHORIZED');
    expect(errorOf(await served.call('POST', '/api/tasks', { title: 'x' }, { authorization: `Bearer ${served.token}x` }))).toEqual([401, 'UNAUTHORIZED']);
    expect(errorOf(await served.call('POST', '/api/tasks', { title: 'x' }, { authorization: served.token }))).toEqual([401, 'UNAUTHORIZED']);
    expect((cli('list', '--all') as { count: number }).count).toBe(before);
  });

  it('403: a foreign Host (DNS rebinding) or Origin (another site\'s page); the server\'s own pass; CORS stays closed', async () => {
    expect((await rawGet(served.port, '/api/tasks', { host: `evil.example:${served.port}` })).status).toBe(403);
    expect((await rawGet(served.port, '/api/tasks', { host: `127.0.0.1:${served.port + 1}` })).status).toBe(403);
    expect((await rawGet(served.port, '/api/tasks', { host: `localhost:${served.port}` })).status).toBe(200);
    const foreign = await served.call('POST', '/api/tasks', { title: 'csrf' }, { origin: 'http://evil.example' });
    expect(errorOf(foreign)).toEqual([403, 'FORBIDDEN']);
    expect(errorOf(await served.call('GET', '/api/tasks', undefined, { origin: 'null' }))).toEqual([403, 'FORBIDDEN']);
    const own = await fetch(`${served.url}/api/tasks`, { headers: { origin: served.url } });
    expect(own.status).toBe(200);
    expect(own.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${served.url}/api/tasks`, { method: 'OPTIONS', headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('404: an unknown task, finding or route', async () => {
    expect(errorOf(await served.call('GET', '/api/tasks/999'))).toEqual([404, 'TASK_NOT_FOUND']);
    expect(errorOf(await served.call('POST', '/api/tasks/999/claim'))).toEqual([404, 'TASK_NOT_FOUND']);
    expect(errorOf(await served.call('POST', '/api/findings/999/ack'))).toEqual([404, 'NOT_FOUND']);
    expect(errorOf(await served.call('GET', '/api/nothing'))).toEqual([404, 'NOT_FOUND']);
    expect(errorOf(await served.call('GET', '/'))).toEqual([404, 'NOT_FOUND']);
  });

  it('409: an illegal transition, claiming a task that waits on another', async () => {
    expect(errorOf(await served.call('POST', '/api/tasks/2/claim'))).toEqual([409, 'ILLEGAL_TRANSITION']);
    cli('add', 'Waits', '--depends-on', '1');
    const waiting = (cli('list', '--status', 'blocked') as { tasks: TaskDoc[] }).tasks.at(-1) as TaskDoc;
    expect(errorOf(await served.call('POST', `/api/tasks/${waiting.id}/claim`))).toEqual([409, 'DEPENDENCIES_UNMET']);
  });

  it('413: a body over 64 KiB, refused before it is read whole; the board unchanged', async () => {
    const before = (cli('list', '--all') as { count: number }).count;
    const big = await served.call('POST', '/api/tasks', { title: 'big', description: 'x'.repeat(70 * 1024) });
    expect(errorOf(big)).toEqual([413, 'TOO_LARGE']);
    // Chunked, with no Content-Length to judge it by: counted as it streams in.
    const chunk = new TextEncoder().encode(`{"title":"big","description":"${'y'.repeat(16 * 1024)}`);
    const streamed = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let index = 0; index < 5; index++) controller.enqueue(chunk);
        controller.enqueue(new TextEncoder().encode('"}'));
        controller.close();
      },
    });
    const chunked = await fetch(`${served.url}/api/tasks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${served.token}`, 'x-baton-actor': 'alice', 'content-type': 'application/json' },
      body: streamed,
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect((cli('list', '--all') as { count: number }).count).toBe(before);
    // Just under the limit is read, and then judged by the CLI's own rule (20,000 characters).
    expect(errorOf(await served.call('POST', '/api/tasks', { title: 'big', description: 'x'.repeat(60 * 1024) }))).toEqual([400, 'INVALID_INPUT']);
  });
});

describe('off loopback', () => {
  it('reads need the token too, and any Host naming the port is taken (the token guards it)', async () => {
    const open = await startServe(repo.dir, ['--host', '0.0.0.0']);
    try {
      const bare = await fetch(`http://127.0.0.1:${open.port}/api/tasks`);
      expect(bare.status).toBe(401);
      const withToken = await fetch(`http://127.0.0.1:${open.port}/api/tasks`, { headers: { authorization: `Bearer ${open.token}` } });
      expect(withToken.status).toBe(200);
      expect((await rawGet(open.port, '/api/tasks', { host: `127.0.0.1:${open.port + 1}`, authorization: `Bearer ${open.token}` })).status).toBe(403);
    } finally {
      await open.stop();
    }
  }, 30_000);
});
