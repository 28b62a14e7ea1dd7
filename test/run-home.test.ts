/**
 * What an attempt writes outside its worktree never reaches the checks: the real Claude Code
 * and Codex CLIs (Codex without its own sandbox) against the scripted model, a Node project
 * whose check is `npm test`. The agent leaves the code wrong and plants what would make the
 * check pass without running the tests — an `~/.npmrc` whose `script-shell` is `/bin/true`, a
 * `node` earlier on the PATH in `~/.local/bin`, and, as root, a program in /usr/local/bin.
 * Contained, its home is a layer of its own and the system is read-only: the check runs the
 * real tests, the failure reaches the model, and neither the real home nor the system keeps
 * anything.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import nodeProcess from 'node:process';
import { describe, expect } from 'vitest';
import { detectContainment } from '../src/adapters/process/containment.js';
import { toolOutputs } from './helpers/agent-scenario.js';
import { AGENTS, byAttempt, copy, expectNothingLeft, explain, projectsPerTest, verdicts } from './helpers/project-run.js';
import { nodeShop, TITLE } from './helpers/shop-projects.js';
import { takingTurns } from './helpers/agent-turns.js';

/** Each adversarial scenario runs with one agent CLI, the two taking turns (see agent-turns.ts). */
const eitherAgent = takingTurns(AGENTS);

const CONTAINED = (await detectContainment()).kind === 'namespaces';
const IS_ROOT = nodeProcess.geteuid?.() === 0;
const PLANTED = `/usr/local/bin/baton-planted-${nodeProcess.pid}`;
const project = projectsPerTest();

describe('baton run: an agent that plants in its home and the system', () => {
  eitherAgent.skipIf(!CONTAINED)('cannot reach the checks through ~/.npmrc, ~/.local/bin or /usr/local/bin: the real tests run, the failure is fed back', { timeout: 60_000 }, async (agent) => {
    const fakeNode = '#!/bin/sh\\necho "TAP version 13"; echo "ok 1 - all"; echo "1..1"\\n';
    const plant = [
      `printf 'script-shell=/bin/true\\n' > ~/.npmrc`,
      `mkdir -p ~/.local/bin && printf '${fakeNode}' > ~/.local/bin/node && chmod +x ~/.local/bin/node`,
      `(printf 'x' > ${PLANTED}) 2>&1`,
      'cat ~/.npmrc',
    ].join('; ');
    const run = await project(
      agent,
      nodeShop({ task: [TITLE, '--verify', 'npm test'], config: { checks: [{ id: 'test', run: 'npm test' }] } }),
      (tools) => byAttempt(`${plant}; ${copy(tools, 'cart-1990.js', 'src/cart.js')}`, copy(tools, 'cart-right.js', 'src/cart.js')),
    );

    const result = await run.run('--max-attempts', '2');

    expect(result.code, explain(result)).toBe(0);
    // Within the attempt the plants were live: the agent read its own ~/.npmrc back.
    expect(toolOutputs(run.server)).toContain('script-shell=/bin/true');
    if (IS_ROOT) expect(toolOutputs(run.server)).toContain('Read-only file system');
    expect(verdicts(run)).toEqual(['checks_failed', 'passed']);
    expect(run.prompts()[1]).toContain('1990');
    expect(run.taskStatus()).toBe('review');
    // Nothing reached the real home or the system.
    expect(readdirSync(run.home)).not.toContain('.npmrc');
    expect(existsSync(join(run.home, '.local', 'bin', 'node'))).toBe(false);
    expect(existsSync(PLANTED)).toBe(false);
    await expectNothingLeft(run);
  });
});
