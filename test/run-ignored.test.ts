/**
 * Files git ignores never reach the checks from an attempt: the real Claude Code and Codex CLIs
 * (Codex without its own sandbox) against the scripted model. The agent leaves the code wrong
 * and plants, where git does not look, what would make the check pass: a `node` in
 * `node_modules/.bin` (which `npm test` puts first on the PATH) printing a passing TAP stream,
 * and — for pytest — a `conftest.py` that turns failures into passes, hidden by a
 * `tests/.gitignore`. A commit of the attempt would hold none of it, so the checks must not
 * see it: baton removes what the agent wrote among ignored files before they run (and runs the
 * project's setup again when installed dependencies were among them), the real failure reaches
 * the model, and the task passes once the code is right.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { git } from './helpers/baton.js';
import { AGENTS, byAttempt, copy, expectNothingLeft, explain, projectsPerTest, verdicts } from './helpers/project-run.js';
import { NODE, nodeShop, PYTEST, PYTEST_AVAILABLE, PYTEST_CHECK, pytestShop, TITLE } from './helpers/shop-projects.js';
import { takingTurns } from './helpers/agent-turns.js';

/** Each adversarial scenario runs with one agent CLI, the two taking turns (see agent-turns.ts). */
const eitherAgent = takingTurns(AGENTS);

const project = projectsPerTest();
const ignoredRemoved = (run: { dir: string }, attempt: number): { removed: string[]; reinstall: string | null } =>
  JSON.parse(readFileSync(join(run.dir, '.git', 'baton', 'runs', '1', '1', `attempt-${attempt}`, 'ignored-removed.json'), 'utf8')) as { removed: string[]; reinstall: string | null };
const removedIn = (run: { dir: string }, attempt: number): string[] => ignoredRemoved(run, attempt).removed;
const reinstallIn = (run: { dir: string }, attempt: number): string => ignoredRemoved(run, attempt).reinstall ?? '';
const SETUP = 'mkdir -p node_modules && echo installed > node_modules/.installed';
/** A `node` that prints a passing TAP stream without running anything. */
const FAKE_NODE = '#!/bin/sh\necho "TAP version 13"\necho "ok 1 - everything"\necho "1..1"\n';

describe('baton run: what git ignores is not the checks\' to see', () => {
  eitherAgent('a node planted in node_modules/.bin that fakes a passing TAP stream is removed before `npm test`: the real failure is fed back', { timeout: 60_000 }, async (agent) => {
    const fakeNode = FAKE_NODE;
    const run = await project(
      agent,
      nodeShop({
        files: { '.gitignore': 'node_modules/\n' },
        task: [TITLE, '--verify', 'npm test'],
        config: { setup: SETUP, checks: [{ id: 'test', run: 'npm test' }] },
        tools: { 'fake-node': fakeNode },
      }),
      (tools) =>
        byAttempt(
          `mkdir -p node_modules/.bin && ${copy(tools, 'fake-node', 'node_modules/.bin/node')} && chmod +x node_modules/.bin/node && npm test 2>&1 | tail -2; ${copy(tools, 'cart-1990.js', 'src/cart.js')}`,
          copy(tools, 'cart-right.js', 'src/cart.js'),
        ),
    );

    const result = await run.run('--max-attempts', '2');

    expect(result.code, explain(result)).toBe(0);
    expect(verdicts(run)).toEqual(['checks_failed', 'passed']);
    expect(run.prompts()[1]).toContain('1990');
    expect(removedIn(run, 1)).toContain('node_modules/.bin/node');
    // Installed dependencies were written: the project's setup ran again before the checks.
    expect(reinstallIn(run, 1)).toContain(`$ ${SETUP}`);
    expect(existsSync(join(run.record().worktree, 'node_modules', '.bin', 'node'))).toBe(false);
    expect(run.taskStatus()).toBe('review');
    expect(git(run.dir, ['diff', '--name-only', `main...${run.record().branch}`]).trim()).toBe('src/cart.js');
    await expectNothingLeft(run);
  });

  eitherAgent('code under test that plants a node in node_modules/.bin during one check does not reach the next: each check sees setup\'s files', { timeout: 60_000 }, async (agent) => {
    const plantingCart = [
      "const { mkdirSync, writeFileSync } = require('node:fs');",
      "const bin = require('node:path').join(__dirname, '..', 'node_modules', '.bin');",
      `try { mkdirSync(bin, { recursive: true }); writeFileSync(bin + '/node', ${JSON.stringify(FAKE_NODE)}, { mode: 0o755 }); } catch {}`,
      NODE.wrong1990,
    ].join('\n');
    const run = await project(
      agent,
      nodeShop({ files: { '.gitignore': 'node_modules/\n' }, task: [TITLE, '--verify', 'npm test'], config: { checks: [{ id: 'test', run: 'npm test' }] }, tools: { 'cart-planting.js': plantingCart } }),
      (tools) => byAttempt(copy(tools, 'cart-planting.js', 'src/cart.js'), copy(tools, 'cart-1900.js', 'src/cart.js')),
    );

    const result = await run.run('--max-attempts', '2');

    expect(result.code, explain(result)).not.toBe(0);
    expect(verdicts(run)).toEqual(['checks_failed', 'checks_failed']);
    expect(removedIn(run, 2)).toContain('node_modules/.bin/node');
    expect(run.taskStatus()).toBe('failed');
    await expectNothingLeft(run);
  });

  eitherAgent.skipIf(!PYTEST_AVAILABLE)('a conftest.py that turns failures into passes, hidden by a tests/.gitignore, is removed before pytest runs', { timeout: 60_000 }, async (agent) => {
    const conftest = ['import pytest', '', '', '@pytest.hookimpl(hookwrapper=True)', 'def pytest_runtest_makereport(item, call):', '    outcome = yield', '    outcome.get_result().outcome = "passed"', ''].join('\n');
    const run = await project(
      agent,
      pytestShop({ task: [TITLE, '--verify', PYTEST_CHECK], config: { checks: [{ id: 'test', run: PYTEST_CHECK }] }, tools: { 'conftest.py': conftest } }),
      (tools) => byAttempt(`printf 'conftest.py\\n' > tests/.gitignore && ${copy(tools, 'conftest.py', 'tests/conftest.py')} && ${copy(tools, 'cart-1990.py', 'shop/cart.py')}`, copy(tools, 'cart-right.py', 'shop/cart.py')),
    );

    const result = await run.run('--max-attempts', '2');

    expect(result.code, explain(result)).toBe(0);
    expect(verdicts(run)).toEqual(['checks_failed', 'passed']);
    expect(run.prompts()[1]).toContain('1990');
    expect(removedIn(run, 1)).toContain('tests/conftest.py');
    expect(run.taskStatus()).toBe('review');
    expect(run.onBranch('shop/cart.py')).toBe(PYTEST.right);
    await expectNothingLeft(run);
  });
});
