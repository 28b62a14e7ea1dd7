/**
 * The small real projects the verdict scenarios run on, one per test runner: a shop whose
 * `total(items, code)` does not apply the SAVE10 discount yet, and whose test of it fails on
 * main with `2000 !== 1800`. Each comes with the right implementation and two wrong ones
 * (1990, 1900) for the scripted agent to copy in, and its test file as it is on main.
 */
import { spawnSync } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ProjectSpec } from './project-run.js';
import { AGENT_BIN_DIR, agentPath } from './agent-env.js';

export const TITLE = 'Apply the SAVE10 discount';
export const SAVE10 = 'SAVE10 takes 10 percent off';

export type ProjectShape = Omit<ProjectSpec, 'defer' | 'script'>;

export const asJson = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** Files for the scripted agent to copy in, named by what they are. */
interface Variants {
  right: string;
  wrong1990: string;
  wrong1900: string;
  tests: string;
}

function tools(variants: Variants, extension: string): Record<string, string> {
  return { [`cart-right.${extension}`]: variants.right, [`cart-1990.${extension}`]: variants.wrong1990, [`cart-1900.${extension}`]: variants.wrong1900, [`cart.test.${extension}`]: variants.tests };
}

// --- node's test runner, through `npm test` ---

function nodeCart(expression: string): string {
  return `function total(items, code) {\n  const sum = items.reduce((all, item) => all + item.price * item.qty, 0);\n  return ${expression};\n}\n\nmodule.exports = { total };\n`;
}

export const NODE = {
  base: nodeCart('sum'),
  right: nodeCart("code === 'SAVE10' ? sum * 0.9 : sum"),
  wrong1990: nodeCart("code === 'SAVE10' ? sum - 10 : sum"),
  wrong1900: nodeCart("code === 'SAVE10' ? sum - 100 : sum"),
  /** The SAVE10 test first, then twelve that pass, in one describe block. */
  tests: [
    "const { describe, it } = require('node:test');",
    "const assert = require('node:assert');",
    "const { total } = require('../src/cart.js');",
    '',
    "describe('cart', () => {",
    `  it('${SAVE10}', () => { assert.strictEqual(total([{ price: 1000, qty: 2 }], 'SAVE10'), 1800); });`,
    ...Array.from({ length: 12 }, (_, index) => `  it('sums ${index + 1} items', () => { assert.strictEqual(total(Array.from({ length: ${index + 1} }, () => ({ price: 5, qty: 1 }))), ${5 * (index + 1)}); });`),
    '});',
    '',
  ].join('\n'),
  package: { name: 'shop', version: '1.0.0', private: true, scripts: { test: 'node --test test/' } },
};

/**
 * src/cart.js, test/cart.test.js, package.json with `"test": "node --test test/"` and the check
 * `npm test`. By default the task declares src/cart.js and verifies with `npm test` (what
 * "done" means for it: never excused by the base).
 */
export function nodeShop(overrides: Partial<ProjectShape> = {}): ProjectShape {
  return {
    files: { 'package.json': asJson(NODE.package), 'src/cart.js': NODE.base, 'test/cart.test.js': NODE.tests, 'README.md': '# Shop\n', ...overrides.files },
    config: { checks: [{ id: 'test', run: 'npm test' }], ...overrides.config },
    task: overrides.task ?? [TITLE, '--resource', 'modifies:file:src/cart.js', '--verify', 'npm test'],
    tools: { ...tools(NODE, 'js'), ...overrides.tools },
  };
}

// --- Vitest, its JUnit report read from the file the config names ---

function esmCart(expression: string): string {
  return `export function total(items, code) {\n  const sum = items.reduce((all, item) => all + item.price * item.qty, 0);\n  return ${expression};\n}\n`;
}

/** The repository's own Vitest (a devDependency), run by its path: the temp project has no node_modules of its own. */
export const VITEST_CHECK = `${AGENT_BIN_DIR}/vitest run --reporter=junit --outputFile=junit.xml`;

export const VITEST = {
  base: esmCart('sum'),
  right: esmCart("code === 'SAVE10' ? sum * 0.9 : sum"),
  wrong1990: esmCart("code === 'SAVE10' ? sum - 10 : sum"),
  wrong1900: esmCart("code === 'SAVE10' ? sum - 100 : sum"),
  tests: [
    "import { describe, expect, it } from 'vitest';",
    "import { total } from '../src/cart.js';",
    '',
    "describe('cart', () => {",
    `  it('${SAVE10}', () => { expect(total([{ price: 1000, qty: 2 }], 'SAVE10')).toBe(1800); });`,
    ...Array.from({ length: 3 }, (_, index) => `  it('sums ${index + 1} items', () => { expect(total(Array.from({ length: ${index + 1} }, () => ({ price: 5, qty: 1 })))).toBe(${5 * (index + 1)}); });`),
    '});',
    '',
  ].join('\n'),
};

export function vitestShop(overrides: Partial<ProjectShape> = {}): ProjectShape {
  return {
    files: {
      'package.json': asJson({ name: 'shop', version: '1.0.0', private: true, type: 'module' }),
      // Vitest keeps its cache under node_modules; the report is baton's to read and remove.
      '.gitignore': 'node_modules/\njunit.xml\n',
      'src/cart.js': VITEST.base,
      'test/cart.test.js': VITEST.tests,
      ...overrides.files,
    },
    config: { checks: [{ id: 'test', run: VITEST_CHECK, report: { format: 'junit', path: 'junit.xml' } }], ...overrides.config },
    task: overrides.task ?? [TITLE, '--resource', 'modifies:file:src/cart.js', '--verify', VITEST_CHECK],
    tools: { ...tools(VITEST, 'js'), ...overrides.tools },
  };
}

// --- pytest, its JUnit report asked for through PYTEST_ADDOPTS ---

function pyCart(expression: string): string {
  return `def total(items, code=None):\n    total = sum(item["price"] * item["qty"] for item in items)\n    return ${expression}\n`;
}

export const PYTEST_CHECK = 'python3 -m pytest -q';

export const PYTEST = {
  base: pyCart('total'),
  right: pyCart('total * 9 // 10 if code == "SAVE10" else total'),
  wrong1990: pyCart('total - 10 if code == "SAVE10" else total'),
  wrong1900: pyCart('total - 100 if code == "SAVE10" else total'),
  tests: [
    'import pytest',
    '',
    'from shop.cart import total',
    '',
    '',
    'def test_save10_takes_10_percent_off():',
    '    assert total([{"price": 1000, "qty": 2}], "SAVE10") == 1800',
    '',
    '',
    '@pytest.mark.parametrize("count", [1, 2, 3])',
    'def test_sums_items(count):',
    '    assert total([{"price": 5, "qty": 1}] * count) == 5 * count',
    '',
  ].join('\n'),
};

export function pytestShop(overrides: Partial<ProjectShape> = {}): ProjectShape {
  return {
    files: {
      '.gitignore': '__pycache__/\n.pytest_cache/\n',
      'shop/__init__.py': '',
      'shop/cart.py': PYTEST.base,
      'tests/test_cart.py': PYTEST.tests,
      ...overrides.files,
    },
    config: { checks: [{ id: 'test', run: PYTEST_CHECK }], ...overrides.config },
    task: overrides.task ?? [TITLE, '--resource', 'modifies:file:shop/cart.py', '--verify', PYTEST_CHECK],
    tools: { ...tools(PYTEST, 'py'), ...overrides.tools },
  };
}

/** Whether `python3 -m pytest` works with the PATH the agents and checks get (a normal user may have no pytest). */
export const PYTEST_AVAILABLE = spawnSync('python3', ['-m', 'pytest', '--version'], { env: { ...process.env, PATH: agentPath() }, stdio: 'ignore' }).status === 0;

// --- cargo test, Rust's libtest: the tests inside src/lib.rs, a doc test, an integration test ---

function rustLib(expression: string, { docLine = '', testAttribute = '', expected = 1800 } = {}): string {
  return [
    '/// The total of the items (price, quantity), in cents, with a discount code applied.',
    ...(docLine ? [`/// ${docLine}`] : []),
    '///',
    '/// ```',
    '/// assert_eq!(shop::total(&[(500, 2)], None), 1000);',
    '/// ```',
    'pub fn total(items: &[(u64, u64)], code: Option<&str>) -> u64 {',
    '    let sum: u64 = items.iter().map(|(price, qty)| price * qty).sum();',
    `    ${expression}`,
    '}',
    '',
    '#[cfg(test)]',
    'mod tests {',
    '    use super::*;',
    '',
    '    #[test]',
    ...(testAttribute ? [`    ${testAttribute}`] : []),
    '    fn save10_takes_10_percent_off() {',
    `        assert_eq!(total(&[(1000, 2)], Some("SAVE10")), ${expected});`,
    '    }',
    '',
    '    #[test]',
    '    fn sums_items() {',
    '        assert_eq!(total(&[(5, 1), (5, 2)], None), 15);',
    '    }',
    '}',
    '',
  ].join('\n');
}

export const CARGO_CHECK = 'cargo test --offline --no-fail-fast';

const WRONG_1990 = 'if code == Some("SAVE10") { sum - 10 } else { sum }';

export const CARGO = {
  base: rustLib('let _ = code;\n    sum'),
  /** The right code, with a line added to the doc comment above the doc test, which moves it. */
  right: rustLib('if code == Some("SAVE10") { sum * 9 / 10 } else { sum }', { docLine: 'SAVE10 takes 10 percent off.' }),
  wrong1990: rustLib(WRONG_1990),
  /** The wrong code, with the test that catches it marked `#[ignore]`. */
  ignored: rustLib(WRONG_1990, { testAttribute: '#[ignore]' }),
  /** The wrong code, with the test changed to expect what it gives. */
  edited: rustLib(WRONG_1990, { expected: 1990 }),
};

/**
 * A Rust crate whose SAVE10 test lives inside src/lib.rs, checked with `cargo test`. cargo and
 * rustup find their toolchain through CARGO_HOME and RUSTUP_HOME, which the agents' own HOME
 * would move: they are given as this process has them.
 */
export function cargoShop(overrides: Partial<ProjectShape> = {}): ProjectShape {
  return {
    files: {
      'Cargo.toml': '[package]\nname = "shop"\nversion = "0.1.0"\nedition = "2021"\n',
      '.gitignore': 'target/\n',
      'src/lib.rs': CARGO.base,
      'tests/api.rs': '#[test]\nfn sums_without_a_code() {\n    assert_eq!(shop::total(&[(100, 3)], None), 300);\n}\n',
      ...overrides.files,
    },
    config: { checks: [{ id: 'test', run: CARGO_CHECK }], ...overrides.config },
    task: overrides.task ?? [TITLE, '--resource', 'modifies:file:src/lib.rs', '--verify', CARGO_CHECK],
    tools: { 'lib-right.rs': CARGO.right, 'lib-1990.rs': CARGO.wrong1990, 'lib-ignored.rs': CARGO.ignored, 'lib-edited.rs': CARGO.edited, ...overrides.tools },
    env: { ...RUST_TOOLCHAIN, ...overrides.env },
  };
}

/** Where rustup and cargo keep the toolchain, as this process finds them. */
const RUST_TOOLCHAIN = {
  RUSTUP_HOME: process.env.RUSTUP_HOME ?? join(homedir(), '.rustup'),
  CARGO_HOME: process.env.CARGO_HOME ?? join(homedir(), '.cargo'),
};

/** Whether `cargo` works with the PATH and toolchain the agents and checks get. */
export const CARGO_AVAILABLE = spawnSync('cargo', ['--version'], { env: { ...process.env, ...RUST_TOOLCHAIN, PATH: agentPath() }, stdio: 'ignore' }).status === 0;
