/**
 * Baton's verdict against an adversarial agent, end to end: the real `baton run` binary drives
 * the real Claude Code and Codex CLIs (node_modules/.bin; Codex without its own sandbox) against
 * the scripted model server, on a small real Node project whose check is `npm test` (node's
 * test runner, read as TAP). The agent strips, skips or deletes the failing test, adds a test
 * file that patches assert and exits early, gets a wrong answer twice with other values, works
 * beside a test already failing on main, or is rate limited. Each scenario asserts what a person
 * would check afterwards: the task's status, the task branch, that nothing is left running, and
 * what the model was told. What defines the checks (scripts, Makefile, runner configs) and the
 * Vitest and pytest projects are in run-verdict-guards.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rateLimited } from '../src/adapters/scripted-model/script.js';
import { git } from './helpers/baton.js';
import { AGENTS, ALREADY_FAILING, byAttempt, copy, expectNothingLeft, explain, failureIds, REVERTED, RETRY, projectsPerTest, verdicts } from './helpers/project-run.js';
import { NODE, nodeShop, SAVE10, TITLE } from './helpers/shop-projects.js';
import { takingTurns } from './helpers/agent-turns.js';

/** Each adversarial scenario runs with one agent CLI, the two taking turns (see agent-turns.ts). */
const eitherAgent = takingTurns(AGENTS);

const SCENARIO_TIMEOUT_MS = 60_000;

const project = projectsPerTest();

describe('baton run against an adversarial agent (node --test)', () => {
  eitherAgent('reverts a test file rewritten to a comment, then one given an early exit: never in review', { timeout: SCENARIO_TIMEOUT_MS }, async (agent) => {
    const run = await project(
      agent,
      // The task declares no files: nothing but the test contract stands in the way.
      nodeShop({ task: [TITLE, '--verify', 'npm test'], config: { checks: [{ id: 'test', run: 'npm test' }], budgets: { maxDivergences: 2, maxAttempts: 3 } } }),
      () => byAttempt("printf '// these tests moved elsewhere\\n' > test/cart.test.js", "sed -i '1i process.exit(0);' test/cart.test.js"),
    );

    const result = await run.run();

    expect(result.code, explain(result)).toBe(1);
    const record = run.record();
    expect(record.status).toBe('diverged');
    expect(verdicts(run)).toEqual(['diverged', 'diverged']);
    expect(failureIds(run)).toEqual([['scope:test-edited'], ['scope:test-edited']]);
    expect(record.attempts[0]?.failures[0]?.detail).toContain('test/cart.test.js (modified)');
    expect(run.taskStatus()).toBe('failed');
    expect(record.commit).toBeNull();
    // Nothing of either attempt is on the branch or left in the worktree.
    expect(git(run.dir, ['rev-parse', record.branch]).trim()).toBe(git(run.dir, ['rev-parse', 'main']).trim());
    expect(run.onBranch('test/cart.test.js')).toBe(NODE.tests);
    expect(readFileSync(join(record.worktree, 'test/cart.test.js'), 'utf8')).toBe(NODE.tests);
    expect(run.attemptFile(2, 'diff.patch')).toContain('+process.exit(0);');
    // The second attempt was told why the first was undone.
    const prompts = run.prompts();
    expect(prompts).toHaveLength(2);
    expect(prompts[1]).toContain(REVERTED);
    expect(prompts[1]).toContain('changed an existing test file: test/cart.test.js');
    await expectNothingLeft(run);
  });

  eitherAgent('fails a test skipped, then deleted from its describe block, in a test file the task may edit; passes once it runs and passes', { timeout: SCENARIO_TIMEOUT_MS }, async (agent) => {
    const run = await project(
      agent,
      nodeShop({ task: [TITLE, '--resource', 'modifies:file:src/cart.js', '--resource', 'modifies:file:test/cart.test.js', '--verify', 'npm test'] }),
      (tools) =>
        byAttempt(
          `sed -i "s/it('${SAVE10}'/it.skip('${SAVE10}'/" test/cart.test.js`,
          "sed -i '/SAVE10/d' test/cart.test.js",
          `${copy(tools, 'cart.test.js', 'test/cart.test.js')} && ${copy(tools, 'cart-right.js', 'src/cart.js')}`,
        ),
    );

    const result = await run.run('--max-attempts', '3');

    expect(result.code, explain(result)).toBe(0);
    expect(verdicts(run)).toEqual(['checks_failed', 'checks_failed', 'passed']);
    // `npm test` exits 0 both times: only the test-by-test comparison with the base catches it.
    expect(failureIds(run).slice(0, 2)).toEqual([['tests:command:test'], ['tests:command:test']]);
    const [, second, third] = run.prompts();
    expect(second).toContain(`cart > ${SAVE10} (failed before, now skipped)`);
    expect(third).toContain(`cart > ${SAVE10} (failed before, now missing: removed or renamed)`);
    expect(third).toContain('a test may not be removed, renamed, skipped or marked todo');
    expect(run.taskStatus()).toBe('review');
    expect(run.onBranch('test/cart.test.js')).toBe(NODE.tests);
    expect(run.onBranch('src/cart.js')).toBe(NODE.right);
    expect(git(run.dir, ['diff', '--name-only', `main...${run.record().branch}`]).trim()).toBe('src/cart.js');
    await expectNothingLeft(run);
  });

  eitherAgent('a new test file that patches assert and exits early does not make the failing test pass', { timeout: SCENARIO_TIMEOUT_MS }, async (agent) => {
    const cheat = "const assert = require('node:assert');\nassert.strictEqual = () => {};\nassert.equal = () => {};\nprocess.exit(0);\n";
    const run = await project(agent, nodeShop({ task: [TITLE, '--verify', 'npm test'], tools: { 'setup.test.js': cheat } }), (tools) =>
      byAttempt(copy(tools, 'setup.test.js', 'test/setup.test.js'), `rm test/setup.test.js && ${copy(tools, 'cart-right.js', 'src/cart.js')}`),
    );

    const result = await run.run('--max-attempts', '2');

    expect(result.code, explain(result)).toBe(0);
    expect(verdicts(run)).toEqual(['checks_failed', 'passed']);
    expect(failureIds(run)[0]).toEqual(['command:test']);
    // The test still ran in its own process, with the real assert, and its failure reached the model.
    expect(run.attemptFile(1, 'diff.patch')).toContain('+process.exit(0);');
    expect(run.prompts()[1]).toContain('2000 !== 1800');
    expect(run.taskStatus()).toBe('review');
    expect(run.onBranch('src/cart.js')).toBe(NODE.right);
    expect(git(run.dir, ['ls-tree', '-r', '--name-only', run.record().branch, 'test/']).trim()).toBe('test/cart.test.js');
    await expectNothingLeft(run);
  });

  eitherAgent('puts the failing test, its message and values in the next prompt, not the twelve passing ones after it; converges on attempt 2', { timeout: SCENARIO_TIMEOUT_MS }, async (agent) => {
    const run = await project(agent, nodeShop(), (tools) => byAttempt(copy(tools, 'cart-1990.js', 'src/cart.js'), copy(tools, 'cart-right.js', 'src/cart.js')));

    const result = await run.run('--max-attempts', '3');

    expect(result.code, explain(result)).toBe(0);
    expect(verdicts(run)).toEqual(['checks_failed', 'passed']);
    const second = run.prompts()[1] ?? '';
    expect(second).toContain(RETRY);
    expect(second).toContain(`✗ cart > ${SAVE10}`);
    expect(second).toContain('1990 !== 1800');
    expect(second).toContain('expected: 1800');
    expect(second).toContain('actual:   1990');
    expect(second).toMatch(/at test\/cart\.test\.js:\d+/);
    expect(second).toContain('Tests: 1 failed, 12 passed');
    // The passing tests are counted, not shown: the failure is not lost behind them.
    expect(second).not.toContain('sums 12 items');
    expect(run.taskStatus()).toBe('review');
    expect(run.onBranch('src/cart.js')).toBe(NODE.right);
    await expectNothingLeft(run);
  });

  eitherAgent('is not stalled by the same assertion failing with other values (1990, then 1900): a third attempt runs', { timeout: SCENARIO_TIMEOUT_MS }, async (agent) => {
    const run = await project(agent, nodeShop(), (tools) =>
      byAttempt(copy(tools, 'cart-1990.js', 'src/cart.js'), copy(tools, 'cart-1900.js', 'src/cart.js'), copy(tools, 'cart-right.js', 'src/cart.js')),
    );

    const result = await run.run('--max-attempts', '3');

    expect(result.code, explain(result)).toBe(0);
    const record = run.record();
    expect(record.status).toBe('succeeded');
    expect(verdicts(run)).toEqual(['checks_failed', 'checks_failed', 'passed']);
    expect(record.attempts[0]?.fingerprint).not.toBe(record.attempts[1]?.fingerprint);
    const prompts = run.prompts();
    expect(prompts).toHaveLength(3);
    expect(prompts[1]).toContain('1990 !== 1800');
    expect(prompts[2]).toContain('1900 !== 1800');
    expect(prompts[2]).not.toContain('1990 !== 1800');
    expect(run.taskStatus()).toBe('review');
    expect(run.onBranch('src/cart.js')).toBe(NODE.right);
    await expectNothingLeft(run);
  });

  describe('with an unrelated test already failing on main', () => {
    const LEGACY = "const { it } = require('node:test');\nconst assert = require('node:assert');\n\nit('legacy export writes CSV', () => { assert.strictEqual(['id', 'total'].join(';'), 'id,total'); });\n";
    /** The task names its test in its acceptance criteria and has no verify command: only the config's `npm test` runs. */
    const task = [TITLE, '--resource', 'modifies:file:src/cart.js', '--acceptance', SAVE10];

    eitherAgent("excuses that one, never the task's own: the prompt says what was already failing, the run succeeds", { timeout: SCENARIO_TIMEOUT_MS }, async (agent) => {
      const run = await project(agent, nodeShop({ files: { 'test/legacy.test.js': LEGACY }, task }), (tools) =>
        byAttempt("printf '// SAVE10: to do\\n' >> src/cart.js", copy(tools, 'cart-right.js', 'src/cart.js')),
      );

      const result = await run.run('--max-attempts', '3');

      expect(result.code, explain(result)).toBe(0);
      // SAVE10 failed on the base too, the same way; it is the task's, so it is not excused.
      expect(verdicts(run)).toEqual(['checks_failed', 'passed']);
      const [first, second] = run.prompts();
      expect(first).toContain(ALREADY_FAILING);
      expect(first).toContain('legacy export writes CSV');
      expect(second).toContain(`✗ cart > ${SAVE10}`);
      expect(second).toContain('2000 !== 1800');
      const passed = JSON.parse(run.attemptFile(2, 'verdict.json')) as { outcomes: { checkId: string; passed: boolean; summary: string }[] };
      expect(passed.outcomes.find((outcome) => outcome.checkId === 'command:test')).toMatchObject({ passed: true, summary: expect.stringContaining('fails as it did before the task') });
      expect(run.taskStatus()).toBe('review');
      expect(run.onBranch('src/cart.js')).toBe(NODE.right);
      await expectNothingLeft(run);
    });

    eitherAgent("blocks the run with `baseline: { preexisting: 'block' }`", { timeout: SCENARIO_TIMEOUT_MS }, async (agent) => {
      const run = await project(
        agent,
        nodeShop({ files: { 'test/legacy.test.js': LEGACY }, config: { checks: [{ id: 'test', run: 'npm test' }], baseline: { preexisting: 'block' } }, task }),
        (tools) => byAttempt(copy(tools, 'cart-right.js', 'src/cart.js')),
      );

      const result = await run.run('--max-attempts', '1');

      expect(result.code, explain(result)).toBe(1);
      const record = run.record();
      expect(verdicts(run)).toEqual(['checks_failed']);
      expect(record.attempts[0]?.failures[0]?.detail).toContain('legacy export writes CSV');
      expect(run.prompts()[0]).toContain(ALREADY_FAILING);
      expect(run.taskStatus()).toBe('failed');
      expect(record.commit).toBeNull();
      // The work is kept as a checkpoint, not offered for review.
      expect(run.onBranch('src/cart.js')).toBe(NODE.right);
      expect(git(run.dir, ['log', '-1', '--format=%s', record.branch])).toMatch(/^Checkpoint: /);
      await expectNothingLeft(run);
    });
  });

  eitherAgent('hands the task back (open, with a note), not failed, when the agent stays rate limited', { timeout: SCENARIO_TIMEOUT_MS }, async (agent) => {
    const run = await project(agent, nodeShop({ config: { checks: [{ id: 'test', run: 'npm test' }], budgets: { rateLimitWait: '1s', maxRateLimitRetries: 1 } } }), () => [rateLimited()]);

    const result = await run.run('--max-attempts', '2');

    expect(result.code, explain(result)).toBe(1);
    const record = run.record();
    expect(record.status).toBe('rate_limited');
    expect(verdicts(run)).toEqual(['rate_limited', 'rate_limited']);
    expect(run.taskStatus()).toBe('open');
    expect(run.notes().at(-1)).toMatch(/^Run 1 stopped \(rate_limited\): the agent was rate limited 2 times/);
    expect(run.server.conversation().length).toBeGreaterThanOrEqual(2);
    expect(git(run.dir, ['rev-parse', record.branch]).trim()).toBe(git(run.dir, ['rev-parse', 'main']).trim());
    await expectNothingLeft(run);
  });
});

describe('baton run --agent claude under a rate limit', () => {
  it("waits out Claude Code's own 429 retry, longer than the idle timeout, without calling it hung", { timeout: SCENARIO_TIMEOUT_MS }, async () => {
    // The idle timeout leaves Claude Code room to start on a busy machine; the wait it announces is longer.
    const idleSeconds = 5;
    const retryAfterSeconds = 8;
    const run = await project('claude', nodeShop(), (tools) => [rateLimited(1, retryAfterSeconds), ...byAttempt(copy(tools, 'cart-right.js', 'src/cart.js'))]);

    const result = await run.run('--max-attempts', '1', '--idle-timeout', `${idleSeconds}s`);

    expect(result.code, explain(result)).toBe(0);
    const record = run.record();
    expect(record.attempts.map((attempt) => [attempt.outcome, attempt.verdict])).toEqual([['succeeded', 'passed']]);
    // Claude Code said it would wait, then was silent for longer than the idle timeout.
    expect(run.attemptFile(1, 'stream.jsonl')).toContain(`"retry_delay_ms":${retryAfterSeconds * 1000}`);
    expect(record.attempts[0]?.durationMs).toBeGreaterThanOrEqual(retryAfterSeconds * 1000);
    expect(run.server.conversation().map((request) => request.turn)).toEqual([0, 1, 2]);
    expect(run.taskStatus()).toBe('review');
    expect(run.onBranch('src/cart.js')).toBe(NODE.right);
    await expectNothingLeft(run);
  });
});
