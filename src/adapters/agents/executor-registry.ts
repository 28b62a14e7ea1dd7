import type { Executor } from '../../app/run-ports.js';
import { BatonError } from '../../core/errors.js';
import { quoted } from '../../core/quoted.js';
import { acpExecutor } from './acp-executor.js';
import type { ExecutorOptions } from './agent-process.js';
import { claudeExecutor } from './claude-executor.js';
import { codexExecutor } from './codex-executor.js';
import { commandExecutor } from './command-executor.js';

/** The agent names baton understands, for messages. */
export const AGENT_NAME_FORMS = ['claude', 'codex', 'acp:<command>', 'cmd:<command>'] as const;

/**
 * The executor for an agent as the user names it: `claude`, `codex`, `acp:<command>` (any
 * Agent Client Protocol agent, e.g. `acp:gemini --experimental-acp`) or `cmd:<command>` (any
 * shell command, the prompt in `$BATON_PROMPT_FILE`). Throws UNKNOWN_AGENT for anything else.
 */
export function resolveExecutor(name: string, options: ExecutorOptions): Executor {
  const trimmed = name.trim();
  if (trimmed === 'claude') return claudeExecutor(options);
  if (trimmed === 'codex') return codexExecutor(options);
  const prefixed = /^(acp|cmd):(.*)$/s.exec(trimmed);
  if (prefixed) {
    const command = (prefixed[2] ?? '').trim();
    if (command === '') throw unknownAgent(name, `\`${prefixed[1]}:\` needs a command after the colon, e.g. \`${prefixed[1] === 'acp' ? 'acp:gemini --experimental-acp' : 'cmd:./agent.sh'}\``);
    return prefixed[1] === 'acp' ? acpExecutor(command, options) : commandExecutor(command, options);
  }
  throw unknownAgent(name, `baton knows ${AGENT_NAME_FORMS.map((form) => `\`${form}\``).join(', ')}`);
}

function unknownAgent(name: string, what: string): BatonError {
  return new BatonError('UNKNOWN_AGENT', `unknown agent ${quoted(name, '`')}: ${what}`, { agent: name, valid: [...AGENT_NAME_FORMS] });
}
