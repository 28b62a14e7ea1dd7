import { Hono } from 'hono';
import { inbox, settleFinding } from '../../app/findings.js';
import { validateAgentName } from '../../core/task.js';
import { findingId } from '../../cli/commands/findings.js';
import { SCHEMA_VERSION } from '../../cli/output.js';
import { booleanField, onlyFields, readBody, stringField } from '../body.js';
import { boardDeps, type ServerEnv } from '../server-deps.js';

/** Impact findings: every agent's open ones (or one recipient's), and acknowledging one. */
export function findingRoutes(): Hono<ServerEnv> {
  const routes = new Hono<ServerEnv>();

  routes.get('/findings', async (c) => {
    const recipient = c.req.query('recipient');
    const history = c.req.query('history') === 'true' || c.req.query('history') === '1';
    const actor = recipient === undefined ? '' : validateAgentName(recipient, 'recipient');
    const findings = await inbox(boardDeps(c.get('deps'), actor), { all: recipient === undefined, history });
    return c.json({ schemaVersion: SCHEMA_VERSION, findings, count: findings.length });
  });

  routes.post('/findings/:id/ack', async (c) => {
    const id = findingId(c.req.param('id'));
    const body = await readBody(c);
    onlyFields(body, ['message', 'force']);
    const finding = await settleFinding(boardDeps(c.get('deps'), c.get('actor')), id, 'acknowledged', {
      message: stringField(body, 'message') ?? null,
      force: booleanField(body, 'force'),
    });
    return c.json({ schemaVersion: SCHEMA_VERSION, finding });
  });

  return routes;
}
