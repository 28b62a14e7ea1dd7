import { describe, expect, it } from 'vitest';
import type { BoardEvent } from '../../core/event.js';
import { taskLine, taskTableHeading } from '../format-task.js';
import { paint } from '../output.js';
import { renderImpact, renderWaits, waitsOf, type ImpactStory } from './story.js';

let nextId = 1;
function event(type: BoardEvent['type'], taskId: number, actor: string, payload: Record<string, unknown> = {}): BoardEvent {
  return { id: nextId++, at: '', actor, taskId, type, payload, recipients: [] };
}

const tasks = [
  { id: 1, title: 'Schema' },
  { id: 2, title: 'Table' },
  { id: 3, title: 'Endpoint' },
  { id: 4, title: 'Page' },
];
const plain = paint(false);

describe('waitsOf', () => {
  it('names what each task waited on and whose completion freed it', () => {
    const events = [
      event('task_created', 1, 'planner', { dependsOn: [] }),
      event('task_created', 2, 'planner', { dependsOn: [{ id: 1, type: 'blocks' }] }),
      event('task_created', 3, 'planner', { dependsOn: [{ id: 1, type: 'blocks' }, { id: 2, type: 'blocks' }] }),
      event('task_created', 4, 'planner', { dependsOn: [{ id: 3, type: 'related' }] }),
      event('task_completed', 1, 'agent-1'),
      event('task_unblocked', 2, 'agent-1'),
      event('task_completed', 2, 'agent-2'),
      event('task_unblocked', 3, 'agent-2'),
    ];
    expect(waitsOf(events, tasks)).toEqual([
      { taskId: 2, title: 'Table', waitedOn: [1], freedBy: { agent: 'agent-1', taskId: 1 } },
      { taskId: 3, title: 'Endpoint', waitedOn: [1, 2], freedBy: { agent: 'agent-2', taskId: 2 } },
    ]);
    expect(renderWaits(waitsOf(events.slice(0, 6), tasks), plain).slice(1)).toEqual([
      '  #2 Table     waited on #1     until agent-1 completed #1',
      '  #3 Endpoint  waited on #1 #2  and was never unblocked',
    ]);
  });
});

describe('renderImpact', () => {
  it('says which tasks met on what, who was told, what they were told, and which claims collided', () => {
    const story: ImpactStory = {
      findings: [{ id: 1, kind: 'impact_notice', taskId: 3, otherTaskId: 2, subject: 'table:users', recipient: 'agent-3', message: "#2 'Table' added table users, which #3 'Endpoint' reads" }],
      collisions: [{ agent: 'agent-1', taskId: 4, reason: "#3 'Endpoint' (agent-3) is already working on table users" }],
      inboxes: [{ agent: 'agent-3', text: "[1] low impact_notice #3 → agent-3: #2 'Table' added table users, which #3 'Endpoint' reads" }],
    };
    expect(renderImpact(story, tasks, plain).slice(1)).toEqual([
      '  [1] #2 Table -> #3 Endpoint, on table:users: told agent-3',
      '  what agent-3 was told ($ baton inbox --as agent-3):',
      "    [1] low impact_notice #3 → agent-3: #2 'Table' added table users, which #3 'Endpoint' reads",
      "  collision: when agent-1 claimed #4 Page, baton warned: #3 'Endpoint' (agent-3) is already working on table users",
      '  the demo\'s agents only read these; a real agent adapts its work, then runs `baton ack ID -m "how"`',
    ]);
    expect(renderImpact({ findings: [], collisions: [], inboxes: [] }, tasks, plain).slice(1)).toEqual(['  none this time: no task changed what another task uses']);
  });
});

describe('taskTableHeading', () => {
  it('puts each heading over its column', () => {
    const heading = taskTableHeading();
    const row = taskLine({ ...tasks[0], id: 12, status: 'in_progress', priority: 1, assignee: 'agent-2', labels: ['db'], due: null } as never, plain);
    const columns: [string, string][] = [['status', 'in_progress'], ['pri', 'P1'], ['assignee', 'agent-2'], ['title', 'Schema']];
    for (const [name, cell] of columns) expect(heading.indexOf(name), name).toBe(row.indexOf(cell));
  });
});
