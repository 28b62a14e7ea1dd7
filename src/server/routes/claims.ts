import { Hono } from 'hono';
import { claimNext, claimTask, type ClaimOptions } from '../../app/claim-task.js';
import { heartbeat, releaseTask } from '../../app/leases.js';
import { addNote } from '../../app/notes.js';
import { parseDurationMs } from '../../core/duration.js';
import { BatonError, InvalidInputError } from '../../core/errors.js';
import { DEFAULT_LEASE_TTL_MS } from '../../core/lease.js';
import { validateText } from '../../core/task.js';
import { completeWithChecks } from '../../cli/commands/task-complete.js';
import { idArgument } from '../../cli/input.js';
import { SCHEMA_VERSION } from '../../cli/output.js';
import { booleanField, onlyFields, readBody, stringField, type JsonBody } from '../body.js';
import { boardDeps, type ServerEnv } from '../server-deps.js';

function ttlOf(body: JsonBody): number {
  const ttl = stringField(body, 'ttl');
  return ttl === undefined ? DEFAULT_LEASE_TTL_MS : parseDurationMs(ttl, 'ttl');
}

/** A claim over HTTP binds no worktree: the server's own checkout is not where the agent works. */
function claimOptions(body: JsonBody): ClaimOptions {
  onlyFields(body, ['ttl', 'strict']);
  return { ttlMs: ttlOf(body), strict: booleanField(body, 'strict'), worktree: null, branch: null };
}

/** The work loop of one task: claim, heartbeat, notes, complete, release. */
export function claimRoutes(): Hono<ServerEnv> {
  const routes = new Hono<ServerEnv>();

  routes.post('/tasks/:id/claim', async (c) => {
    const id = idArgument(c.req.param('id'));
    const result = await claimTask(boardDeps(c.get('deps'), c.get('actor')), id, claimOptions(await readBody(c)));
    return c.json({ schemaVersion: SCHEMA_VERSION, ...result });
  });

  routes.post('/claim-next', async (c) => {
    const result = await claimNext(boardDeps(c.get('deps'), c.get('actor')), claimOptions(await readBody(c)));
    return c.json({ schemaVersion: SCHEMA_VERSION, ...result });
  });

  routes.post('/tasks/:id/heartbeat', async (c) => {
    const id = idArgument(c.req.param('id'));
    const body = await readBody(c);
    onlyFields(body, ['ttl']);
    const { renewed, lost } = await heartbeat(boardDeps(c.get('deps'), c.get('actor')), [id], ttlOf(body));
    // As `baton heartbeat` exits 4: a lost task is a conflict the agent must act on.
    if (lost.length > 0) throw new BatonError('CONFLICT', lost.map((loss) => `lost #${loss.taskId}: ${loss.reason}; stop working on it`).join('; '), { lost });
    return c.json({ schemaVersion: SCHEMA_VERSION, tasks: renewed, lost });
  });

  routes.post('/tasks/:id/notes', async (c) => {
    const id = idArgument(c.req.param('id'));
    const body = await readBody(c);
    onlyFields(body, ['text']);
    const text = stringField(body, 'text')?.trim() ?? '';
    if (text === '') throw new InvalidInputError('text', 'the note is empty; write what you want to record');
    const note = await addNote(boardDeps(c.get('deps'), c.get('actor')), id, validateText(text, 'text'));
    return c.json({ schemaVersion: SCHEMA_VERSION, note }, 201);
  });

  routes.post('/tasks/:id/complete', async (c) => {
    const id = idArgument(c.req.param('id'));
    const body = await readBody(c);
    onlyFields(body, ['message', 'force', 'reason']);
    const result = await completeWithChecks(boardDeps(c.get('deps'), c.get('actor')), id, {
      message: stringField(body, 'message'),
      force: booleanField(body, 'force'),
      reason: stringField(body, 'reason'),
    });
    return c.json({ schemaVersion: SCHEMA_VERSION, task: result.task, unblocked: result.unblocked, findings: result.findings });
  });

  routes.post('/tasks/:id/release', async (c) => {
    const id = idArgument(c.req.param('id'));
    const body = await readBody(c);
    onlyFields(body, ['force']);
    const task = await releaseTask(boardDeps(c.get('deps'), c.get('actor')), id, booleanField(body, 'force'));
    return c.json({ schemaVersion: SCHEMA_VERSION, task });
  });

  return routes;
}
