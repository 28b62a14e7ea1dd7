import { followEvents } from '../../app/follow-events.js';
import type { EventFilter } from '../../app/ports.js';
import { InvalidInputError } from '../../core/errors.js';
import { EVENT_TYPES, type EventType } from '../../core/event.js';
import { parseTaskId } from '../../core/ids.js';
import type { CommandSpec } from '../command.js';
import { flag, listOption, stringOption } from '../command.js';
import { eventLine } from '../format-task.js';
import { paint, SCHEMA_VERSION } from '../output.js';
import { parseLimit } from './task-list.js';
import { quoted } from '../../core/quoted.js';

export const watchCommand: CommandSpec = {
  name: 'watch',
  aliases: ['events'],
  summary: 'print the event feed; --follow keeps streaming (NDJSON with --json)',
  board: 'read',
  args: [],
  options: [
    { name: 'follow', short: 'f', kind: 'boolean', help: 'keep waiting for new events' },
    { name: 'since', kind: 'string', value: 'ID', help: 'only events after this event id (a cursor)' },
    { name: 'me', kind: 'boolean', help: 'only events addressed to me' },
    { name: 'task', kind: 'string', value: 'ID', help: 'only events about this task' },
    { name: 'type', kind: 'list', value: 'TYPE', help: 'only this event type; repeat for several' },
    { name: 'limit', short: 'n', kind: 'string', value: 'N', help: 'without --follow: at most N events (the latest)', conflicts: ['follow'] },
  ],
  async run(ctx, { options }) {
    const filter: EventFilter = {
      afterId: parseCursor(stringOption(options, 'since')),
      types: listOption(options, 'type').flatMap((text) => text.split(',')).map(parseEventType),
    };
    const task = stringOption(options, 'task');
    if (task !== undefined) filter.taskId = parseTaskId(task, '--task');
    if (flag(options, 'me')) filter.recipient = await ctx.actor();
    const store = ctx.openStore();
    const p = paint(ctx.color);
    if (!flag(options, 'follow')) {
      const events = await store.read((tx) => tx.events(filter));
      const limit = stringOption(options, 'limit');
      const shown = limit === undefined ? events : events.slice(-parseLimit(limit));
      return { json: { events: shown, count: shown.length }, text: shown.length === 0 ? 'no events' : shown.map((e) => eventLine(e, p)).join('\n') };
    }
    const controller = new AbortController();
    const stop = (): void => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      await followEvents(
        store,
        filter,
        (event) => ctx.io.stdout(ctx.json ? JSON.stringify({ schemaVersion: SCHEMA_VERSION, event }) : eventLine(event, p)),
        controller.signal,
      );
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  },
};

/** An event id to follow on from; `field` names where it came from (`--since`, `Last-Event-ID`). */
export function parseCursor(text: string | undefined, field = '--since'): number {
  if (text === undefined) return 0;
  if (!/^\d{1,15}$/.test(text.trim())) throw new InvalidInputError(field, `${quoted(text)} is not an event id; use the id of the last event you saw`);
  return Number(text);
}

function parseEventType(text: string): EventType {
  const type = text.trim().toLowerCase();
  if ((EVENT_TYPES as readonly string[]).includes(type)) return type as EventType;
  throw new InvalidInputError('--type', `unknown event type ${quoted(text)}; use one of ${EVENT_TYPES.join(', ')}`);
}
