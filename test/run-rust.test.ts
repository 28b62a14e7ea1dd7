/**
 * A Rust crate under `cargo test`, whose tests live inside the code they test (`#[cfg(test)] mod
 * tests` in src/lib.rs), with the real Claude Code and Codex CLIs (Codex without its own
 * sandbox) against the scripted model. The test file rules cannot protect tests inside a source
 * file the task must change, so baton holds them item by item, and reads libtest's report for
 * the test-by-test verdict: an attempt that ignores the failing test, or makes it expect what the
 * wrong code gives, is reverted and told why; the right code passes, although the line added to
 * the doc comment moves the doc test (which is named without its line).
 */
import { describe, expect } from 'vitest';
import { AGENTS, byAttempt, copy, expectNothingLeft, explain, projectsPerTest, REVERTED, verdicts } from './helpers/project-run.js';
import { CARGO, CARGO_AVAILABLE, CARGO_CHECK, cargoShop } from './helpers/shop-projects.js';
import { takingTurns } from './helpers/agent-turns.js';

/** Each adversarial scenario runs with one agent CLI, the two taking turns (see agent-turns.ts). */
const eitherAgent = takingTurns(AGENTS);

const project = projectsPerTest();
const title = CARGO_AVAILABLE ? 'cargo test' : 'cargo test (skipped: no cargo with the PATH the agents get)';

describe.skipIf(!CARGO_AVAILABLE)(`baton run on a Rust crate: ${title}`, () => {
  eitherAgent('an attempt that marks the failing inline test #[ignore] is reverted; one that changes what it expects too; the right code passes', { timeout: 120_000 }, async (agent) => {
    const run = await project(agent, cargoShop({ config: { checks: [{ id: 'test', run: CARGO_CHECK }], budgets: { maxDivergences: 3 } } }), (tools) =>
      byAttempt(copy(tools, 'lib-ignored.rs', 'src/lib.rs'), copy(tools, 'lib-edited.rs', 'src/lib.rs'), copy(tools, 'lib-right.rs', 'src/lib.rs')),
    );

    const result = await run.run('--max-attempts', '3');

    expect(result.code, explain(result)).toBe(0);
    expect(verdicts(run)).toEqual(['diverged', 'diverged', 'passed']);
    const [ignored, edited] = run.record().attempts;
    expect(ignored?.failures.map((failure) => failure.checkId)).toEqual(['scope:test-edited']);
    expect(ignored?.failures[0]?.detail).toContain('src/lib.rs (changed test tests::save10_takes_10_percent_off)');
    expect(edited?.failures[0]?.detail).toContain('src/lib.rs (changed test tests::save10_takes_10_percent_off)');
    const [, second, third] = run.prompts();
    expect(second).toContain(REVERTED);
    expect(second).toContain('tests::save10_takes_10_percent_off');
    expect(third).toContain('tests::save10_takes_10_percent_off');
    expect(run.onBranch('src/lib.rs')).toBe(CARGO.right);
    expect(run.taskStatus()).toBe('review');
    await expectNothingLeft(run);
  });

  eitherAgent("feeds back libtest's failure — the test, its place and both values — not a tail of cargo's output", { timeout: 120_000 }, async (agent) => {
    const run = await project(agent, cargoShop(), (tools) => byAttempt(copy(tools, 'lib-1990.rs', 'src/lib.rs'), copy(tools, 'lib-right.rs', 'src/lib.rs')));

    const result = await run.run('--max-attempts', '2');

    expect(result.code, explain(result)).toBe(0);
    expect(verdicts(run), JSON.stringify(run.record().attempts.map((attempt) => attempt.failures))).toEqual(['checks_failed', 'passed']);
    const retry = run.prompts()[1] ?? '';
    expect(retry).toContain('✗ tests::save10_takes_10_percent_off  (src/lib.rs)');
    expect(retry).toMatch(/left: 1990\s+right: 1800/);
    await expectNothingLeft(run);
  });
});
