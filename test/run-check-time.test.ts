/**
 * The code under test runs inside the checks, with the worktree writable: it could rewrite a
 * test file that the runner loads after it, and the check would pass on a test that is not the
 * committed one. The real Claude Code and Codex CLIs (Codex without its own sandbox) against the
 * scripted model: the agent's cart.js, once loaded by the first test file, rewrites the second
 * (the SAVE10 test) to pass. While the checks run, the tests and the check definitions are
 * read-only, so the rewrite fails, the real failure reaches the model, and the right code passes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { detectContainment } from '../src/adapters/process/containment.js';
import { AGENTS, byAttempt, copy, expectNothingLeft, explain, projectsPerTest, verdicts } from './helpers/project-run.js';
import { asJson, NODE, nodeShop, SAVE10, TITLE, type ProjectShape } from './helpers/shop-projects.js';
import { takingTurns } from './helpers/agent-turns.js';

/** Each adversarial scenario runs with one agent CLI, the two taking turns (see agent-turns.ts). */
const eitherAgent = takingTurns(AGENTS);

const project = projectsPerTest();
const CONTAINED = (await detectContainment()).kind === 'namespaces';
const CHECK = 'npm test';

/** A passing test of another part of the shop, which node runs first (file names in order, one file at a time). */
const LOADS_CART_FIRST = "const { it } = require('node:test');\nconst assert = require('node:assert');\nconst { total } = require('../src/cart.js');\nit('sums nothing to zero', () => assert.strictEqual(total([]), 0));\n";
/** The SAVE10 test file with the failing assertion turned into one that passes. */
const TAMED_TESTS = NODE.tests.replace("total([{ price: 1000, qty: 2 }], 'SAVE10'), 1800", '1800, 1800');

/**
 * The shop with a first test file that loads the cart before node loads the SAVE10 test (one
 * file at a time, in name order), the check its verify command, and `tools` for the agent.
 */
function shopLoadingCartFirst(tools: Record<string, string>): ProjectShape {
  return nodeShop({
    files: { 'package.json': asJson({ ...NODE.package, scripts: { test: 'node --test --test-concurrency=1 test/' } }), 'test/a-first.test.js': LOADS_CART_FIRST },
    task: [TITLE, '--verify', CHECK],
    config: { checks: [{ id: 'test', run: CHECK }] },
    tools,
  });
}

/** Wrong code that, when loaded, rewrites test/cart.test.js (which node has not loaded yet) to pass. */
const REWRITING_CART = [
  "const { writeFileSync } = require('node:fs');",
  `try { writeFileSync(require('node:path').join(__dirname, '..', 'test', 'cart.test.js'), ${JSON.stringify(TAMED_TESTS)}); } catch {}`,
  NODE.wrong1990,
].join('\n');

describe.skipIf(!CONTAINED)('baton run: the tests are read-only while the checks run them', () => {
  eitherAgent('code under test that rewrites a test file loaded after it cannot: the real failure is fed back, the right code passes', { timeout: 60_000 }, async (agent) => {
    const run = await project(
      agent,
      shopLoadingCartFirst({ 'cart-rewriting.js': REWRITING_CART }),
      (tools) => byAttempt(copy(tools, 'cart-rewriting.js', 'src/cart.js'), copy(tools, 'cart-right.js', 'src/cart.js')),
    );

    const result = await run.run('--max-attempts', '2');

    expect(result.code, explain(result)).toBe(0);
    expect(verdicts(run)).toEqual(['checks_failed', 'passed']);
    expect(run.prompts()[1]).toContain(SAVE10);
    expect(run.prompts()[1]).toContain('1990');
    // The test file is as committed, in the worktree and on the branch.
    expect(readFileSync(join(run.record().worktree, 'test', 'cart.test.js'), 'utf8')).toBe(NODE.tests);
    expect(run.onBranch('test/cart.test.js')).toBe(NODE.tests);
    await expectNothingLeft(run);
  });
});

/** Wrong code that, when loaded, tries the other ways to the SAVE10 test: moving its folder away, and a hard link the agent made. */
const EVASIVE_CART = [
  "const fs = require('node:fs');",
  "const path = require('node:path');",
  "const root = path.join(__dirname, '..');",
  `const tamed = ${JSON.stringify(TAMED_TESTS)};`,
  "try { fs.renameSync(path.join(root, 'test'), path.join(root, '.baton', 'gone')); fs.mkdirSync(path.join(root, 'test')); fs.writeFileSync(path.join(root, 'test', 'cart.test.js'), tamed); } catch {}",
  "try { fs.writeFileSync(path.join(root, '.baton', 'cart-link'), tamed); } catch {}",
  NODE.wrong1990,
].join('\n');

describe.skipIf(!CONTAINED)('baton run: the tests stay where they are while the checks run', () => {
  eitherAgent('neither moving the test folder away nor a hard link the agent made reaches the SAVE10 test: the real failure is fed back', { timeout: 60_000 }, async (agent) => {
    const run = await project(
      agent,
      shopLoadingCartFirst({ 'cart-evasive.js': EVASIVE_CART }),
      (tools) => byAttempt(`mkdir -p .baton && ln test/cart.test.js .baton/cart-link && ${copy(tools, 'cart-evasive.js', 'src/cart.js')}`, copy(tools, 'cart-right.js', 'src/cart.js')),
    );

    const result = await run.run('--max-attempts', '2');

    expect(result.code, explain(result)).toBe(0);
    expect(verdicts(run)).toEqual(['checks_failed', 'passed']);
    expect(run.prompts()[1]).toContain('1990');
    expect(readFileSync(join(run.record().worktree, 'test', 'cart.test.js'), 'utf8')).toBe(NODE.tests);
    await expectNothingLeft(run);
  });
});

describe('baton run without containment: a test file changed while the checks ran', () => {
  eitherAgent('fails the attempt, naming the file, whatever the checks said', { timeout: 60_000 }, async (agent) => {
    const run = await project(
      agent,
      { ...shopLoadingCartFirst({ 'cart-rewriting.js': REWRITING_CART }), env: { BATON_CONTAINMENT: 'off' } },
      (tools) => byAttempt(copy(tools, 'cart-rewriting.js', 'src/cart.js'), copy(tools, 'cart-right.js', 'src/cart.js')),
    );

    const result = await run.run('--max-attempts', '2');

    expect(result.code, explain(result)).toBe(0);
    expect(result.stderr).toContain('containment: none (turned off by BATON_CONTAINMENT=off)');
    expect(verdicts(run)).toEqual(['checks_failed', 'passed']);
    const [first] = run.record().attempts;
    expect(first?.failures.map((failure) => failure.checkId), JSON.stringify(first?.failures)).toEqual(['checks:changed-tests']);
    expect(first?.failures[0]?.summary).toContain('test/cart.test.js');
    expect(run.prompts()[1]).toContain('test/cart.test.js');
    await expectNothingLeft(run);
  });
});
