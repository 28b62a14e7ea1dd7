import { Hono } from 'hono';
import { addTask } from '../../app/add-task.js';
import { reapExpiredLeases, SYSTEM_ACTOR } from '../../app/leases.js';
import { listTasks, showTask } from '../../app/queries.js';
import { readyWithCollisions } from '../../app/ready-with-collisions.js';
import { validateAgentName } from '../../core/task.js';
import { taskMatchesText } from '../../core/task-search.js';
import type { OptionValues } from '../../cli/args.js';
import { listFilter, parseLimit } from '../../cli/commands/task-list.js';
import { idArgument, taskInput } from '../../cli/input.js';
import { SCHEMA_VERSION } from '../../cli/output.js';
import { listField, onlyFields, readBody, stringField } from '../body.js';
import { boardDeps, type ServerEnv } from '../server-deps.js';

/** Body fields of POST /api/tasks and the `baton add` option each one is. */
const ADD_FIELDS: Record<string, { option: string; list: boolean }> = {
  description: { option: 'description', list: false },
  kind: { option: 'kind', list: false },
  priority: { option: 'priority', list: false },
  assignee: { option: 'assignee', list: false },
  labels: { option: 'label', list: true },
  due: { option: 'due', list: false },
  parent: { option: 'parent', list: false },
  acceptance: { option: 'acceptance', list: true },
  verify: { option: 'verify', list: true },
  resources: { option: 'resource', list: true },
  links: { option: 'link', list: true },
  dependsOn: { option: 'depends-on', list: true },
  dependencyType: { option: 'type', list: false },
};

/** Reads and creation of tasks: `list`, `show`, `ready` and `add`. */
export function taskRoutes(): Hono<ServerEnv> {
  const routes = new Hono<ServerEnv>();

  routes.get('/tasks', async (c) => {
    const query = c.req.queries();
    const values: OptionValues = {
      status: query.status ?? [],
      assignee: c.req.query('assignee'),
      label: c.req.query('label'),
      kind: c.req.query('kind'),
      parent: c.req.query('parent'),
      all: c.req.query('all') === 'true' || c.req.query('all') === '1',
    };
    const limit = c.req.query('limit');
    const text = c.req.query('q')?.trim() ?? '';
    const deps = boardDeps(c.get('deps'), SYSTEM_ACTOR);
    await reapExpiredLeases(deps);
    const found = (await listTasks(deps, listFilter(values, undefined))).filter((task) => text === '' || taskMatchesText(task, text));
    const tasks = limit === undefined ? found : found.slice(0, parseLimit(limit, 'limit'));
    return c.json({ schemaVersion: SCHEMA_VERSION, tasks, count: tasks.length });
  });

  routes.get('/tasks/:id', async (c) => {
    const detail = await showTask(c.get('deps'), idArgument(c.req.param('id')));
    return c.json({ schemaVersion: SCHEMA_VERSION, ...detail });
  });

  routes.get('/ready', async (c) => {
    const limitText = c.req.query('limit');
    const limit = limitText === undefined ? 20 : parseLimit(limitText, 'limit');
    const forAgent = c.req.query('for');
    const claimableBy = forAgent === undefined ? undefined : validateAgentName(forAgent, 'for');
    const deps = boardDeps(c.get('deps'), SYSTEM_ACTOR);
    await reapExpiredLeases(deps);
    const ranked = await deps.store.read((tx) => readyWithCollisions(tx, { limit, ...(claimableBy !== undefined && { claimableBy }) }));
    const tasks = ranked.map((entry, index) => ({ ...entry.task, rank: { position: index + 1, unblocks: entry.unblocks, collisions: entry.collisions } }));
    return c.json({ schemaVersion: SCHEMA_VERSION, tasks, count: tasks.length });
  });

  routes.post('/tasks', async (c) => {
    const body = await readBody(c);
    onlyFields(body, ['title', ...Object.keys(ADD_FIELDS)]);
    const options: OptionValues = {};
    for (const [field, { option, list }] of Object.entries(ADD_FIELDS)) options[option] = list ? listField(body, field) : stringField(body, field);
    const deps = boardDeps(c.get('deps'), c.get('actor'));
    const task = await addTask(deps, taskInput(stringField(body, 'title') ?? '', options, deps.clock.now()));
    return c.json({ schemaVersion: SCHEMA_VERSION, task }, 201);
  });

  return routes;
}
