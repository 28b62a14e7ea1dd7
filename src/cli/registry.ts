import type { CommandSpec } from './command.js';
import { initCommand } from './commands/board-init.js';
import { claimCommand, heartbeatCommand, reapCommand, releaseCommand, startCommand } from './commands/claim.js';
import { blockedCommand, dependCommand, undependCommand } from './commands/dependency.js';
import { demoCommand } from './commands/demo.js';
import { approveCommand, gcCommand, mergeCommand, queueCommand, rejectCommand, reviewCommand } from './commands/merge.js';
import { runCommand, runLogCommand, runsCommand } from './commands/run.js';
import { schemaCommand } from './commands/schema.js';
import { serveCommand } from './commands/serve.js';
import { exportCommand } from './commands/export.js';
import { graphCommand } from './commands/graph.js';
import { importCommand } from './commands/import.js';
import { mcpCommand } from './commands/mcp.js';
import { primeCommand } from './commands/prime.js';
import { readyCommand } from './commands/ready.js';
import { addCommand } from './commands/task-add.js';
import { completeCommand } from './commands/task-complete.js';
import { editCommand } from './commands/task-edit.js';
import { ideaCommand } from './commands/task-idea.js';
import { listCommand } from './commands/task-list.js';
import { noteCommand } from './commands/task-note.js';
import { logCommand, showCommand } from './commands/task-show.js';
import { blockCommand, cancelCommand, reopenCommand, unblockCommand } from './commands/task-status.js';
import { watchCommand } from './commands/watch.js';
import { ackCommand, inboxCommand, resolveCommand } from './commands/findings.js';
import { hooksCommand } from './commands/hooks.js';
import { bindCommand, syncCommand } from './commands/impact-sync.js';
import { reserveCommand, unreserveCommand } from './commands/reserve.js';

/** Every command, in the order `baton --help` lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  initCommand,
  addCommand,
  listCommand,
  showCommand,
  editCommand,
  readyCommand,
  claimCommand,
  startCommand,
  heartbeatCommand,
  releaseCommand,
  reapCommand,
  completeCommand,
  dependCommand,
  undependCommand,
  blockedCommand,
  blockCommand,
  unblockCommand,
  cancelCommand,
  reopenCommand,
  noteCommand,
  ideaCommand,
  logCommand,
  watchCommand,
  inboxCommand,
  ackCommand,
  resolveCommand,
  bindCommand,
  syncCommand,
  reserveCommand,
  unreserveCommand,
  hooksCommand,
  graphCommand,
  exportCommand,
  importCommand,
  primeCommand,
  schemaCommand,
  runCommand,
  runsCommand,
  runLogCommand,
  mcpCommand,
  reviewCommand,
  approveCommand,
  rejectCommand,
  mergeCommand,
  queueCommand,
  gcCommand,
  serveCommand,
  demoCommand,
];

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((command) => command.name === name || command.aliases?.includes(name));
}
