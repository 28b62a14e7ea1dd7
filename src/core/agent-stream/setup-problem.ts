import { AUTH_FAILURE_WORDS } from './api-errors.js';

/**
 * Something about how the agent is run that no further attempt can change: a person must act
 * before the run can go on.
 */
export interface SetupProblem {
  kind: 'environment_error' | 'auth_error';
  /** One sentence: what the agent said, and what to do about it. */
  reason: string;
}

interface KnownProblem {
  pattern: RegExp;
  kind: SetupProblem['kind'];
  reason: (line: string) => string;
}

/*
 * Messages agent CLIs print on stderr when they cannot work as set up. Matched line by line,
 * first problem first. Only the agent's own diagnostics reach its stderr (what its tools print
 * is in its stream), so a match means the agent itself, not a command it ran, stopped.
 */
const KNOWN_PROBLEMS: readonly KnownProblem[] = [
  {
    // Claude Code 2.1: "--dangerously-skip-permissions cannot be used with root/sudo privileges for security reasons"
    pattern: /cannot be used with root\/sudo privileges|(?:must|should) not (?:be )?run as root|refus\w* to run as root/i,
    kind: 'environment_error',
    reason: (line) => `the agent refuses to run as root: ${line}; run baton as a normal user, or give the agent IS_SANDBOX=1 in its environment if it runs in a sandbox`,
  },
  {
    pattern: AUTH_FAILURE_WORDS,
    kind: 'auth_error',
    reason: (line) => `refused credentials: ${line}`,
  },
  {
    pattern: /\b(?:EACCES|EPERM|EROFS)\b|permission denied|operation not permitted|read-only file system/i,
    kind: 'environment_error',
    reason: (line) => `the agent was denied access to a file or folder: ${line}; give the user baton runs as access to it`,
  },
  {
    // sh: "sh: 1: exec: claude: not found"; bash: "bash: claude: command not found"; a shebang's interpreter: "env: 'node': No such file or directory"
    pattern: /command not found|^(?:\S*\/)?(?:sh|bash|dash|zsh|env)(?:: \d+)?: .*(?:not found|No such file or directory)$/i,
    kind: 'environment_error',
    reason: (line) => `the agent's program could not be started: ${line}; install it, or fix the command that starts it`,
  },
  {
    // Claude Code (commander): "error: unknown option '--x'"; Codex (clap): "error: unexpected argument '--x' found"
    pattern: /^error: (?:unknown option|unknown command|unexpected argument|too many arguments|missing required argument|option .* argument missing|invalid value)/i,
    kind: 'environment_error',
    reason: (line) => `the agent refused its command line: ${line}; check "agent.args" in baton.config.json`,
  },
];

/**
 * The problem a person must fix, read from the end of the agent's stderr (see `stderrTail`),
 * or null when it names none that baton knows.
 */
export function setupProblemIn(tail: string): SetupProblem | null {
  const lines = tail.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  for (const known of KNOWN_PROBLEMS) {
    const line = lines.findLast((candidate) => known.pattern.test(candidate));
    if (line !== undefined) return { kind: known.kind, reason: known.reason(line.slice(0, 300)) };
  }
  return null;
}
