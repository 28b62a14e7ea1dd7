/* eslint-disable no-restricted-imports -- the recorded stderr is a fixture file; the classifier never reads files */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { classifyAttempt, needsHuman, type AgentExit } from './classify-attempt.js';
import { setupProblemIn } from './setup-problem.js';
import { stderrTail } from './stderr-tail.js';

/** Real stderr of agent CLIs that stopped before their stream said anything (see its README.md). */
const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/agent-stderr/', import.meta.url));
const recorded = (name: string): string => readFileSync(`${FIXTURES}${name}`, 'utf8');
const exited = (exitCode: number): AgentExit => ({ exitCode, signal: null, timedOut: null });

describe('classifyAttempt on recorded stderr of agents that stopped before their stream began', () => {
  it('Claude Code as root: a person must act, and the outcome says what Claude Code said', () => {
    const stderr = recorded('claude-2.1.197-root-without-IS_SANDBOX.stderr');
    const outcome = classifyAttempt('claude', [], exited(1), stderr);
    expect(outcome).toEqual({
      kind: 'environment_error',
      reason:
        'the agent refuses to run as root: --dangerously-skip-permissions cannot be used with root/sudo privileges for security reasons; run baton as a normal user, or give the agent IS_SANDBOX=1 in its environment if it runs in a sandbox',
      detail: '--dangerously-skip-permissions cannot be used with root/sudo privileges for security reasons',
    });
    expect(needsHuman(outcome)).toBe(true);
  });

  it('a command line the CLI refuses: a person must fix the configured arguments', () => {
    const claude = classifyAttempt('claude', [], exited(1), recorded('claude-2.1.197-unknown-option.stderr'));
    expect(claude).toMatchObject({ kind: 'environment_error', reason: `the agent refused its command line: error: unknown option '--no-such-flag'; check "agent.args" in baton.config.json` });
    const codex = classifyAttempt('codex', [], exited(2), recorded('codex-0.169.0-unknown-argument.stderr'));
    expect(codex.kind).toBe('environment_error');
    expect(codex.reason).toContain("error: unexpected argument '--no-such-flag' found");
    // The detail keeps the usage text that followed; the reason names only the line that says why.
    expect(codex.detail).toContain("For more information, try '--help'.");
  });

  it("an agent's program that a shell cannot find", () => {
    const outcome = classifyAttempt('acp', [], exited(127), recorded('sh-exec-not-found.stderr'));
    expect(outcome).toMatchObject({ kind: 'environment_error', reason: expect.stringContaining('sh: 1: exec: baton-no-such-agent: not found') as unknown });
  });

  it('an unknown complaint: crashed, named by its telltale line rather than the warnings before it', () => {
    const stderr = recorded('codex-0.169.0-not-a-git-repository.stderr');
    const outcome = classifyAttempt('codex', [], exited(1), stderr);
    expect(outcome).toEqual({
      kind: 'crashed',
      reason: 'the agent exited with 1 without reporting how its session ended: Not inside a trusted directory and --skip-git-repo-check was not specified.',
      detail: stderr.trimEnd(),
    });
    expect(needsHuman(outcome)).toBe(false);
  });
});

describe('setupProblemIn', () => {
  it('knows refused credentials, paths the agent may not use, and missing programs', () => {
    expect(setupProblemIn('Invalid API key · Please run /login')).toEqual({ kind: 'auth_error', reason: 'refused credentials: Invalid API key · Please run /login' });
    expect(setupProblemIn("Error: EACCES: permission denied, open '/home/dev/.claude.json'")?.kind).toBe('environment_error');
    expect(setupProblemIn('Error: Permission denied (os error 13)')?.reason).toMatch(/^the agent was denied access to a file or folder: .*; give the user baton runs as access to it$/);
    expect(setupProblemIn('bash: claude: command not found')?.kind).toBe('environment_error');
    expect(setupProblemIn("/usr/bin/env: 'node': No such file or directory")?.kind).toBe('environment_error');
  });

  it('finds nothing in ordinary failures', () => {
    expect(setupProblemIn('')).toBeNull();
    expect(setupProblemIn('TypeError: Cannot read properties of undefined (reading "x")\n    at main (cli.js:1:1)')).toBeNull();
    expect(setupProblemIn('./fix.sh: 3: cat: missing.txt: No such file or directory')).toBeNull();
    expect(setupProblemIn('error: the model is not available')).toBeNull();
  });
});

describe('stderrTail', () => {
  it('keeps the last 20 non-blank lines, without colours or overwritten progress', () => {
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);
    const stderr = `\u001b[31m${lines.join('\n\n')}\u001b[0m\nloading 10%\rloading 100%\n\n`;
    const tail = stderrTail(stderr).split('\n');
    expect(tail).toHaveLength(20);
    expect(tail[0]).toBe('line 12');
    expect(tail.at(-2)).toBe('line 30');
    expect(tail.at(-1)).toBe('loading 100%');
  });

  it('keeps at most 2,000 characters, whole lines when it can', () => {
    const tail = stderrTail(`${'a'.repeat(1_500)}\n${'b'.repeat(900)}\n${'c'.repeat(900)}\n`);
    expect(tail).toBe(`${'b'.repeat(900)}\n${'c'.repeat(900)}`);
    const huge = stderrTail('x'.repeat(10_000));
    expect(huge).toHaveLength(2_000);
    expect(huge.endsWith('…')).toBe(true);
    expect(stderrTail(' \n\t\n')).toBe('');
  });
});
