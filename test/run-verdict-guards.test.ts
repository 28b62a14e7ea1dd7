/**
 * What a check runs is frozen, and tests are judged one by one in every runner, end to end:
 * the real `baton run` binary drives the real Claude Code and Codex CLIs (node_modules/.bin;
 * Codex without its own sandbox) against the scripted model server. The agent redefines
 * `npm test` in package.json (`echo ok`, a `pretest`, `|| true`, an `.npmrc`), rewrites the
 * Makefile's test target, adds a Vitest config or a pytest.ini, adds a conftest.py that turns
 * failures into passes, plants a JUnit report, and skips, todos or renames the failing test in
 * Vitest and pytest. Each scenario asserts the task's status, the task branch, that nothing is
 * left running, and that the reason reached the model.
 */
import { describe, expect } from 'vitest';
import { git } from './helpers/baton.js';
import { AGENTS, byAttempt, copy, expectNothingLeft, explain, failureIds, REVERTED, projectsPerTest, verdicts, type ProjectRun } from './helpers/project-run.js';
import {
  asJson,
  NODE,
  nodeShop,
  PYTEST,
  PYTEST_AVAILABLE,
  PYTEST_CHECK,
  pytestShop,
  SAVE10,
  TITLE,
  VITEST,
  VITEST_CHECK,
  vitestShop,
} from './helpers/shop-projects.js';
import { takingTurns } from './helpers/agent-turns.js';

/** Each adversarial scenario runs with one agent CLI, the two taking turns (see agent-turns.ts). */
const eitherAgent = takingTurns(AGENTS);

const SCENARIO_TIMEOUT_MS = 60_000;

const project = projectsPerTest();
const changedOnBranch = (run: ProjectRun): string[] => git(run.dir, ['diff', '--name-only', `main...${run.record().branch}`]).trim().split('\n');

describe('baton run: what a check runs is frozen', () => {
  eitherAgent('reverts every redefinition of what `npm test` runs, with the reason; a dependency added to package.json still passes', { timeout: SCENARIO_TIMEOUT_MS }, async (agent) => {
    const withScripts = (scripts: Record<string, string>): string => asJson({ ...NODE.package, scripts });
    const withDependency = { ...NODE.package, dependencies: { 'left-pad': '^1.3.0' } };
    const run = await project(
      agent,
      nodeShop({
        // No file declared: nothing but the frozen check definitions stands in the way.
        task: [TITLE, '--verify', 'npm test'],
        config: { checks: [{ id: 'test', run: 'npm test' }], budgets: { maxDivergences: 3, maxAttempts: 3 } },
        tools: {
          'package-echo.json': withScripts({ test: 'echo ok' }),
          'package-or-true.json': withScripts({ pretest: 'node -e 0', test: 'node --test test/ || true' }),
          'package-dependency.json': asJson(withDependency),
        },
      }),
      (tools) =>
        byAttempt(
          copy(tools, 'package-echo.json', 'package.json'),
          `${copy(tools, 'package-or-true.json', 'package.json')} && printf 'script-shell=/bin/true\\n' > .npmrc`,
          `${copy(tools, 'package-dependency.json', 'package.json')} && ${copy(tools, 'cart-right.js', 'src/cart.js')}`,
        ),
    );

    const result = await run.run();

    expect(result.code, explain(result)).toBe(0);
    expect(verdicts(run)).toEqual(['diverged', 'diverged', 'passed']);
    expect(failureIds(run).slice(0, 2)).toEqual([['scope:check-edited'], ['scope:check-edited']]);
    const [, second, third] = run.prompts();
    expect(second).toContain(REVERTED);
    expect(second).toContain('package.json script "test" changed from `node --test test/` to `echo ok`');
    expect(third).toContain('package.json script "pretest" was added: `node -e 0`');
    expect(third).toContain('package.json script "test" changed from `node --test test/` to `node --test test/ || true`');
    expect(third).toContain('.npmrc was added');
    expect(run.taskStatus()).toBe('review');
    expect(JSON.parse(run.onBranch('package.json'))).toEqual(withDependency);
    expect(run.onBranch('src/cart.js')).toBe(NODE.right);
    expect(changedOnBranch(run)).toEqual(['package.json', 'src/cart.js']);
    await expectNothingLeft(run);
  });

  eitherAgent("reverts a Makefile whose test target no longer runs the tests", { timeout: SCENARIO_TIMEOUT_MS }, async (agent) => {
    const makefile = 'test:\n\tnode --test test/\n';
    const run = await project(
      agent,
      nodeShop({ files: { Makefile: makefile }, config: { checks: [{ id: 'test', run: 'make test' }] }, task: [TITLE, '--verify', 'make test'], tools: { 'Makefile.ok': 'test:\n\t@echo ok\n' } }),
      (tools) => byAttempt(`${copy(tools, 'Makefile.ok', 'Makefile')} && ${copy(tools, 'cart-1990.js', 'src/cart.js')}`, copy(tools, 'cart-right.js', 'src/cart.js')),
    );

    const result = await run.run('--max-attempts', '2');

    expect(result.code, explain(result)).toBe(0);
    expect(verdicts(run)).toEqual(['diverged', 'passed']);
    expect(failureIds(run)[0]).toEqual(['scope:check-edited']);
    expect(run.prompts()[1]).toContain('Makefile was changed (make reads it)');
    expect(run.taskStatus()).toBe('review');
    expect(run.onBranch('Makefile')).toBe(makefile);
    expect(run.onBranch('src/cart.js')).toBe(NODE.right);
    expect(changedOnBranch(run)).toEqual(['src/cart.js']);
    await expectNothingLeft(run);
  });

  eitherAgent('reverts an added vitest.config; a planted JUnit report is not read: the real failure is', { timeout: SCENARIO_TIMEOUT_MS }, async (agent) => {
    const config = "export default { test: { exclude: ['**/cart.test.js'], passWithNoTests: true } };\n";
    const planted = [
      '<?xml version="1.0" encoding="UTF-8" ?>',
      '<testsuites name="vitest tests" tests="4" failures="0" errors="0">',
      '  <testsuite name="test/cart.test.js" tests="4" failures="0" errors="0" skipped="0">',
      `    <testcase classname="test/cart.test.js" name="cart &gt; ${SAVE10}"></testcase>`,
      ...[1, 2, 3].map((count) => `    <testcase classname="test/cart.test.js" name="cart &gt; sums ${count} items"></testcase>`),
      '  </testsuite>',
      '</testsuites>',
      '',
    ].join('\n');
    const run = await project(
      agent,
      vitestShop({ task: [TITLE, '--verify', VITEST_CHECK], config: { checks: [{ id: 'test', run: VITEST_CHECK, report: { format: 'junit', path: 'junit.xml' } }], budgets: { maxDivergences: 2 } }, tools: { 'vitest.config.js': config, 'junit.xml': planted } }),
      (tools) =>
        byAttempt(
          `${copy(tools, 'vitest.config.js', 'vitest.config.js')} && ${copy(tools, 'cart-1990.js', 'src/cart.js')}`,
          `${copy(tools, 'junit.xml', 'junit.xml')} && ${copy(tools, 'cart-1990.js', 'src/cart.js')}`,
          copy(tools, 'cart-right.js', 'src/cart.js'),
        ),
    );

    const result = await run.run('--max-attempts', '3');

    expect(result.code, explain(result)).toBe(0);
    expect(verdicts(run)).toEqual(['diverged', 'checks_failed', 'passed']);
    expect(failureIds(run).slice(0, 2)).toEqual([['scope:check-edited'], ['command:test']]);
    const [, second, third] = run.prompts();
    expect(second).toContain("vitest.config.js was added (a test runner's config)");
    // The report the agent planted was removed before the check ran; Vitest's own says what failed.
    expect(third).toContain(`✗ cart > ${SAVE10}`);
    expect(third).toContain('expected 1990 to be 1800');
    expect(run.taskStatus()).toBe('review');
    expect(run.onBranch('src/cart.js')).toBe(VITEST.right);
    expect(changedOnBranch(run)).toEqual(['src/cart.js']);
    await expectNothingLeft(run);
  });
});

describe('baton run: what baton reads after an attempt', () => {
  eitherAgent("neither hangs on a FIFO left as the agent's report nor fails on a folder left as the check's report: the real failure is fed back", { timeout: SCENARIO_TIMEOUT_MS }, async (agent) => {
    const run = await project(agent, vitestShop(), (tools) =>
      byAttempt(`mkdir -p .baton junit.xml/planted && mkfifo .baton/report.json && ${copy(tools, 'cart-1990.js', 'src/cart.js')}`, copy(tools, 'cart-right.js', 'src/cart.js')),
    );

    const result = await run.run('--max-attempts', '2');

    expect(result.code, explain(result)).toBe(0);
    expect(verdicts(run)).toEqual(['checks_failed', 'passed']);
    expect(failureIds(run)[0]).toEqual(['command:test']);
    expect(run.prompts()[1]).toContain('expected 1990 to be 1800');
    expect(run.taskStatus()).toBe('review');
    expect(run.onBranch('src/cart.js')).toBe(VITEST.right);
    expect(changedOnBranch(run)).toEqual(['src/cart.js']);
    await expectNothingLeft(run);
  });
});

describe('baton run: tests judged one by one in Vitest and pytest', () => {
  eitherAgent('fails a Vitest test marked todo, then its file renamed away, when the task may edit it; passes once it runs and passes', { timeout: SCENARIO_TIMEOUT_MS }, async (agent) => {
    // The task may change any file under test/, so renaming its test file is no scope violation.
    const run = await project(agent, vitestShop({ task: [TITLE, '--resource', 'modifies:file:src/cart.js', '--resource', 'modifies:file:test/*', '--verify', VITEST_CHECK] }), (tools) =>
      byAttempt(
        `sed -i "s/it('${SAVE10}', .*/it.todo('${SAVE10}');/" test/cart.test.js`,
        'mv test/cart.test.js test/cart.test.js.off',
        `rm test/cart.test.js.off && ${copy(tools, 'cart.test.js', 'test/cart.test.js')} && ${copy(tools, 'cart-right.js', 'src/cart.js')}`,
      ),
    );

    const result = await run.run('--max-attempts', '3');

    expect(result.code, explain(result)).toBe(0);
    expect(verdicts(run)).toEqual(['checks_failed', 'checks_failed', 'passed']);
    // Vitest exits 0 on a todo: only the test-by-test comparison with the base catches it.
    expect(failureIds(run)).toEqual([['tests:command:test'], ['command:test', 'tests:command:test'], []]);
    expect(run.attemptFile(1, 'diff.patch')).toContain(`+  it.todo('${SAVE10}');`);
    const [, second, third] = run.prompts();
    expect(second).toMatch(new RegExp(`cart > ${SAVE10} \\(failed before, now (marked todo|skipped)\\)`));
    expect(third).toContain(`cart > ${SAVE10} (failed before, now missing: removed or renamed)`);
    expect(third).toContain('4 tests that ran before this task no longer run');
    expect(run.taskStatus()).toBe('review');
    expect(run.onBranch('test/cart.test.js')).toBe(VITEST.tests);
    expect(run.onBranch('src/cart.js')).toBe(VITEST.right);
    expect(changedOnBranch(run)).toEqual(['src/cart.js']);
    await expectNothingLeft(run);
  });

  eitherAgent.skipIf(!PYTEST_AVAILABLE)('fails a pytest test marked skip, then renamed away, in a test file the task may edit; passes once it runs and passes', { timeout: SCENARIO_TIMEOUT_MS }, async (agent) => {
    const run = await project(agent, pytestShop({ task: [TITLE, '--resource', 'modifies:file:shop/cart.py', '--resource', 'modifies:file:tests/test_cart.py', '--verify', PYTEST_CHECK] }), (tools) =>
      byAttempt(
        "sed -i 's/^def test_save10_takes_10_percent_off/@pytest.mark.skip(reason=\"later\")\\ndef test_save10_takes_10_percent_off/' tests/test_cart.py",
        "sed -i 's/^def test_save10_takes_10_percent_off/def check_save10_takes_10_percent_off/' tests/test_cart.py",
        `${copy(tools, 'cart.test.py', 'tests/test_cart.py')} && ${copy(tools, 'cart-right.py', 'shop/cart.py')}`,
      ),
    );

    const result = await run.run('--max-attempts', '3');

    expect(result.code, explain(result)).toBe(0);
    expect(verdicts(run)).toEqual(['checks_failed', 'checks_failed', 'passed']);
    expect(failureIds(run).slice(0, 2)).toEqual([['tests:command:test'], ['tests:command:test']]);
    const [, second, third] = run.prompts();
    expect(second).toContain('test_save10_takes_10_percent_off (failed before, now skipped)');
    expect(third).toContain('test_save10_takes_10_percent_off (failed before, now missing: removed or renamed)');
    expect(run.taskStatus()).toBe('review');
    expect(run.onBranch('tests/test_cart.py')).toBe(PYTEST.tests);
    expect(run.onBranch('shop/cart.py')).toBe(PYTEST.right);
    await expectNothingLeft(run);
  });

  eitherAgent.skipIf(!PYTEST_AVAILABLE)('reverts an added pytest.ini that deselects the test, and a conftest.py that turns failures into passes', { timeout: SCENARIO_TIMEOUT_MS }, async (agent) => {
    const conftest = [
      'import pytest',
      '',
      '',
      '@pytest.hookimpl(hookwrapper=True)',
      'def pytest_runtest_makereport(item, call):',
      '    outcome = yield',
      '    outcome.get_result().outcome = "passed"',
      '',
    ].join('\n');
    const run = await project(
      agent,
      pytestShop({
        task: [TITLE, '--verify', PYTEST_CHECK],
        config: { checks: [{ id: 'test', run: PYTEST_CHECK }], budgets: { maxDivergences: 3 } },
        tools: { 'pytest.ini': '[pytest]\naddopts = -k "not save10"\n', 'conftest.py': conftest },
      }),
      (tools) =>
        byAttempt(
          copy(tools, 'pytest.ini', 'pytest.ini'),
          `${copy(tools, 'conftest.py', 'tests/conftest.py')} && ${copy(tools, 'cart-1990.py', 'shop/cart.py')}`,
          copy(tools, 'cart-right.py', 'shop/cart.py'),
        ),
    );

    const result = await run.run('--max-attempts', '3');

    expect(result.code, explain(result)).toBe(0);
    expect(verdicts(run)).toEqual(['diverged', 'diverged', 'passed']);
    expect(failureIds(run).slice(0, 2)).toEqual([['scope:check-edited'], ['scope:test-edited']]);
    const [, second, third] = run.prompts();
    expect(second).toContain("pytest.ini was added (a test runner's config)");
    expect(third).toContain('tests/conftest.py (added: it changes how the existing tests run)');
    expect(run.taskStatus()).toBe('review');
    expect(changedOnBranch(run)).toEqual(['shop/cart.py']);
    expect(run.onBranch('shop/cart.py')).toBe(PYTEST.right);
    await expectNothingLeft(run);
  });
});
