import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { BatonError } from '../core/errors.js';
import { guard } from './guard.js';
import { errorResponse, HttpRefusal } from './http-errors.js';
import { claimRoutes } from './routes/claims.js';
import { eventRoutes } from './routes/events.js';
import { findingRoutes } from './routes/findings.js';
import { queueRoutes } from './routes/queue.js';
import { runRoutes } from './routes/runs.js';
import { taskRoutes } from './routes/tasks.js';
import type { ServerDeps, ServerEnv } from './server-deps.js';

/** The largest request body taken; a task's longest text field is 20,000 characters. */
export const MAX_BODY_BYTES = 64 * 1024;

/** The HTTP API: thin routes over the app layer, behind the guard (Host, Origin, token, actor). */
export function createApp(deps: ServerDeps): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>();
  app.onError((error, c) => errorResponse(c, error));
  app.notFound((c) => errorResponse(c, new BatonError('NOT_FOUND', `no route ${c.req.method} ${c.req.path}; the routes are listed in the README (baton serve: the HTTP API)`)));
  app.use('*', async (c, next) => {
    c.set('deps', deps);
    await next();
  });
  app.use('*', guard());
  app.use(
    '*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => errorResponse(c, new HttpRefusal('TOO_LARGE', `the request body is over ${MAX_BODY_BYTES} bytes; send less (a task's text fields take 20,000 characters at most)`)),
    }),
  );
  const api = new Hono<ServerEnv>();
  api.route('/', taskRoutes());
  api.route('/', claimRoutes());
  api.route('/', eventRoutes());
  api.route('/', findingRoutes());
  api.route('/', queueRoutes());
  api.route('/', runRoutes());
  app.route('/api', api);
  return app;
}
