import { Hono } from 'hono';
import { SCHEMA_VERSION } from '../../cli/output.js';
import { onlyFields, readBody, stringField } from '../body.js';
import type { ServerEnv } from '../server-deps.js';

/** The merge queue and its gates: `baton queue`, `approve` (queues only) and `reject`. */
export function queueRoutes(): Hono<ServerEnv> {
  const routes = new Hono<ServerEnv>();

  routes.get('/queue', async (c) => c.json({ schemaVersion: SCHEMA_VERSION, ...(await c.get('deps').merge.queue()) }));

  routes.post('/tasks/:id/approve', async (c) => {
    const body = await readBody(c);
    onlyFields(body, ['message']);
    return c.json({ schemaVersion: SCHEMA_VERSION, ...(await c.get('deps').merge.approve(c.get('actor'), c.req.param('id'), stringField(body, 'message'))) });
  });

  routes.post('/tasks/:id/reject', async (c) => {
    const body = await readBody(c);
    onlyFields(body, ['message']);
    return c.json({ schemaVersion: SCHEMA_VERSION, ...(await c.get('deps').merge.reject(c.get('actor'), c.req.param('id'), stringField(body, 'message'))) });
  });

  return routes;
}
