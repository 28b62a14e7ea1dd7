/**
 * The merge queue over `baton serve`: tasks brought to review by real `baton run`s (a `cmd:`
 * agent), then queued, approved and rejected through the HTTP API, which reaches the same
 * functions as `baton queue`, `approve` and `reject`.
 */
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baton, git, json, makeRepo } from './helpers/baton.js';
import { rawGet, startServe, stopAllServes, type Served } from './helpers/serve.js';

type Doc = Record<string, unknown>;
interface QueueRow {
  task: { id: number; status: string };
  position: number | null;
  approved: boolean;
  needsApproval: boolean;
}

const repo = makeRepo('baton-serve-queue-');
let served: Served;

beforeAll(async () => {
  // Features wait for a person's approval; the agent writes the one file its task declares.
  const config = { checks: [{ id: 'check', run: 'true' }], agent: { name: 'cmd:echo done > "out-$BATON_RUN_TASK.txt"' }, merge: { approval: { kinds: ['feature'] } } };
  writeFileSync(join(repo.dir, 'baton.config.json'), `${JSON.stringify(config)}\n`);
  git(repo.dir, ['add', '-A']);
  git(repo.dir, ['commit', '-qm', 'initial']);
  expect(baton(['init'], { cwd: repo.dir }).code).toBe(0);
  for (const id of [1, 2]) {
    expect(baton(['add', `Feature ${id}`, '--kind', 'feature', '-r', `adds:file:out-${id}.txt`], { cwd: repo.dir }).code).toBe(0);
    const run = baton(['run', String(id), '--max-attempts', '1'], { cwd: repo.dir });
    expect(run.code, run.stderr).toBe(0);
  }
  expect(baton(['add', 'Still open'], { cwd: repo.dir }).code).toBe(0);
  served = await startServe(repo.dir);
}, 180_000);

afterAll(async () => {
  await stopAllServes();
  repo.cleanup();
});

describe('the merge queue over HTTP', () => {
  it('GET /api/queue lists the tasks in review, both waiting for a person', async () => {
    const queue = await served.call('GET', '/api/queue');
    expect(queue.status).toBe(200);
    expect((queue.body.entries as QueueRow[]).map((row) => [row.task.id, row.needsApproval, row.position])).toEqual([[1, true, null], [2, true, null]]);
  });

  it('approve queues the task (it does not land it), recorded as the actor', async () => {
    const approved = await served.call('POST', '/api/tasks/1/approve', { message: 'looks right' });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const rows = (await served.call('GET', '/api/queue')).body.entries as QueueRow[];
    expect(rows.find((row) => row.task.id === 1)).toMatchObject({ approved: true, position: 1, task: { status: 'review' } });
    const events = json<{ events: { type: string; actor: string }[] }>(baton(['log', '1', '--json'], { cwd: repo.dir })).events;
    expect(events.filter((event) => event.type === 'review_approved').map((event) => event.actor)).toEqual(['alice']);
  });

  it('reject needs a message (400, as `baton reject` does), then sends the task back to work with it', async () => {
    const bare = await served.call('POST', '/api/tasks/2/reject', {});
    expect([bare.status, (bare.body.error as Doc).code]).toEqual([400, 'INVALID_INPUT']);
    const rejected = await served.call('POST', '/api/tasks/2/reject', { message: 'name the file feature.txt' }, { 'x-baton-actor': 'bob' });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ task: { id: 2, status: 'open' } });
    const inbox = json<{ findings: { kind: string; message: string }[] }>(baton(['inbox', '--all', '--json'], { cwd: repo.dir })).findings;
    expect(inbox.find((finding) => finding.kind === 'merge_returned')?.message).toContain('bob rejected it: name the file feature.txt');
  });

  it('a task not in review is a 409, an unknown one a 404, and approving needs the token', async () => {
    const open = await served.call('POST', '/api/tasks/3/approve');
    expect([open.status, (open.body.error as Doc).code]).toEqual([409, 'ILLEGAL_TRANSITION']);
    const unknown = await served.call('POST', '/api/tasks/99/reject', { message: 'no' });
    expect([unknown.status, (unknown.body.error as Doc).code]).toEqual([404, 'TASK_NOT_FOUND']);
    const anonymous = await fetch(`${served.url}/api/tasks/1/approve`, { method: 'POST', headers: { 'x-baton-actor': 'mallory' } });
    expect(anonymous.status).toBe(401);
  });
});

describe('evidence files over HTTP', () => {
  it('serves a file of a run as plain text, never sniffed', async () => {
    const response = await fetch(`${served.url}/api/runs/1/1/files/attempt-1/prompt.md`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.text()).toContain('Feature 1');
  });

  it('refuses every way out of the run\'s folder: .., encoded .. and /, a symlink leading out', async () => {
    const base = '/api/runs/1/1/files/';
    for (const path of ['../../../baton.db', 'attempt-1/../../2/attempt-1/prompt.md', '%2e%2e/%2e%2e/%2e%2e/baton.db', '..%2f..%2f..%2fbaton.db', 'attempt-1%2fprompt.md', 'attempt-1//prompt.md', '%00']) {
      // Dot segments (plain or %2e) are resolved by URL parsing before routing, so they end on
      // another route or none (404); an encoded slash or an empty segment reaches the check (400).
      const result = await rawGet(served.port, base + path, { host: `127.0.0.1:${served.port}` });
      expect([path, [400, 404].includes(result.status)]).toEqual([path, true]);
      expect(JSON.parse(result.body)).toMatchObject({ error: { code: expect.stringMatching(/^(INVALID_INPUT|NOT_FOUND)$/) as unknown } });
    }
    for (const path of ['..%2f..%2f..%2fbaton.db', 'attempt-1%2fprompt.md', 'attempt-1//prompt.md', '%00']) {
      expect((await rawGet(served.port, base + path, { host: `127.0.0.1:${served.port}` })).status).toBe(400);
    }
    symlinkSync(join(repo.dir, 'baton.config.json'), join(repo.dir, '.git', 'baton', 'runs', '1', '1', 'attempt-1', 'outside.json'));
    const outside = await fetch(`${served.url}/api/runs/1/1/files/attempt-1/outside.json`);
    expect(outside.status).toBe(404);
    expect(await outside.text()).not.toContain('checks');
  });

  it('404 for a file, run or task that is not there; 400 for a run that is not a number', async () => {
    expect((await fetch(`${served.url}/api/runs/1/1/files/attempt-1/nothing.txt`)).status).toBe(404);
    expect((await fetch(`${served.url}/api/runs/1/9/files/attempt-1/prompt.md`)).status).toBe(404);
    expect((await fetch(`${served.url}/api/runs/99/1/files/attempt-1/prompt.md`)).status).toBe(404);
    expect((await fetch(`${served.url}/api/runs/1/1/files/attempt-1`)).status).toBe(404);
    expect((await fetch(`${served.url}/api/runs/1/x/files/attempt-1/prompt.md`)).status).toBe(400);
  });
});
