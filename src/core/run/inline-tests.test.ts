import { describe, expect, it } from 'vitest';
import { assertionShadows, inlineTestChanges, inlineTestEdits, inlineTests, mayHoldInlineTests } from './inline-tests.js';

/** The `src/lib.rs` of the Rust project the libtest fixtures were captured from (test/fixtures/test-reports/cargo-project). */
const LIB_RS = [
  "/// Adds tax to a price in cents.",
  "///",
  "/// ```",
  "/// assert_eq!(cart::with_tax(100), 120);",
  "/// ```",
  "pub fn with_tax(cents: u64) -> u64 {",
  "    cents + cents / 5",
  "}",
  "",
  "pub fn total(items: &[u64]) -> u64 {",
  "    items.iter().sum::<u64>() + 1",
  "}",
  "",
  "#[cfg(test)]",
  "mod tests {",
  "    use super::*;",
  "",
  "    #[test]",
  "    fn adds_tax() {",
  "        assert_eq!(with_tax(100), 120);",
  "    }",
  "",
  "    #[test]",
  "    fn totals_items() {",
  "        assert_eq!(total(&[1000, 800]), 1800);",
  "    }",
  "",
  "    #[test]",
  "    #[ignore]",
  "    fn slow_rounding() {",
  "        assert_eq!(with_tax(3), 3);",
  "    }",
  "",
  "    #[test]",
  "    #[should_panic(expected = \"empty\")]",
  "    fn refuses_empty() {",
  "        panic!(\"empty cart\");",
  "    }",
  "",
  "    #[test]",
  "    fn checks_flag() {",
  "        assert!(total(&[]) == 0, \"an empty cart costs nothing, got {}\", total(&[]));",
  "    }",
  "}",
].join('\n') + '\n';

const changed = (before: string, after: string): string[] => inlineTestChanges(inlineTests(before), inlineTests(after)).map(({ key, how }) => `${key} ${how}`);
/** The edits the contract reports for src/lib.rs going from `before` to `after`, nothing declared editable. */
const edits = (before: string | null, after: string | null): string[] => inlineTestEdits([{ path: 'src/lib.rs', before, now: after }], () => false).map((edit) => edit.how);

describe('inline tests (Rust)', () => {
  it('finds the items, imports and attributes of a #[cfg(test)] module and the doc tests, nothing of the code around them', () => {
    expect([...inlineTests(LIB_RS).keys()]).toEqual([
      'tests::#[…]',
      'tests::fn adds_tax',
      'tests::fn totals_items',
      'tests::fn slow_rounding',
      'tests::fn refuses_empty',
      'tests::fn checks_flag',
      'tests::use',
      'doc::fn with_tax #1',
    ]);
    expect(inlineTests('pub fn a() -> u8 { 1 }\n')).toEqual(new Map());
    expect(mayHoldInlineTests('src/lib.rs')).toBe(true);
    expect(mayHoldInlineTests('src/lib.py')).toBe(false);
  });

  it('sees a test changed, ignored, removed, renamed or commented out; not the code under test, nor formatting or comments', () => {
    expect(changed(LIB_RS, LIB_RS.replace('+ cents / 5', '+ cents / 4').replace('items.iter().sum::<u64>() + 1', 'items.iter().sum::<u64>()'))).toEqual([]);
    expect(changed(LIB_RS, LIB_RS.replace('assert_eq!(total(&[1000, 800]), 1800);', '// Was 1800: rounding.\n        assert_eq!(\n            total(&[1000, 800]),\n            1800,\n        );'))).toEqual([]);
    expect(changed(LIB_RS, LIB_RS.replace('1800);', '1801);'))).toEqual(['tests::fn totals_items changed']);
    expect(changed(LIB_RS, LIB_RS.replace('#[test]\n    fn totals_items', '#[test]\n    #[ignore]\n    fn totals_items'))).toEqual(['tests::fn totals_items changed']);
    expect(changed(LIB_RS, LIB_RS.replace('fn totals_items', 'fn totals_items_old'))).toEqual(['tests::fn totals_items removed']);
    const commented = LIB_RS.replace(/ {4}#\[test\]\n {4}fn adds_tax\(\) \{\n.*\n {4}\}\n/, (text) => text.replace(/^/gm, '// '));
    expect(commented).not.toBe(LIB_RS);
    expect(changed(LIB_RS, commented)).toEqual(['tests::fn adds_tax removed']);
    expect(changed(LIB_RS, LIB_RS.replace(/#\[cfg\(test\)\]\nmod tests \{[\s\S]*$/, ''))).toHaveLength(7);
  });

  it('lets a new test be added to the module, or a new doc example', () => {
    const added = LIB_RS.replace(/\}\n$/, '\n    #[test]\n    fn new_case() {\n        assert_eq!(with_tax(5), 6);\n    }\n}\n');
    expect(inlineTests(added).has('tests::fn new_case')).toBe(true);
    expect(changed(LIB_RS, added)).toEqual([]);
    expect(changed(LIB_RS, LIB_RS.replace('/// ```\n/// assert_eq!', '/// ```\n/// assert_eq!(cart::with_tax(0), 0);\n/// ```\n///\n/// ```\n/// assert_eq!'))).toEqual(['doc::fn with_tax #1 changed']);
    expect(changed(LIB_RS, LIB_RS.replace('/// ```\n/// assert_eq!(cart::with_tax(100), 120);\n/// ```', '/// ```\n/// assert_eq!(cart::with_tax(100), 120);\n/// ```\n///\n/// ```\n/// assert_eq!(cart::with_tax(0), 0);\n/// ```'))).toEqual([]);
  });

  it('is not fooled by a copy of the module in a comment or a string, nor by a second module of the same name', () => {
    const weakened = LIB_RS.replace('1800);', '2000);');
    const original = LIB_RS.slice(LIB_RS.indexOf('#[cfg(test)]'));
    expect(changed(LIB_RS, `${weakened}/* previous version\n${original}*/\n`)).toEqual(['tests::fn totals_items changed']);
    expect(changed(LIB_RS, `${weakened}const OLD: &str = r#"\n${original}"#;\n`)).toEqual(['tests::fn totals_items changed']);
    // The original switched off by an attribute above it, a shadow with the same names after it.
    const shadowed = LIB_RS.replace('#[cfg(test)]\nmod tests', '#[cfg(any())]\n#[cfg(test)]\nmod tests') + weakened.slice(weakened.indexOf('#[cfg(test)]')).replace('#[cfg(test)]', '#[cfg(all(test))]');
    expect(changed(LIB_RS, shadowed)).toEqual(['tests::#[…] changed']);
    // The same shadow before it: the first `tests` is now the weakened one.
    const first = LIB_RS.replace('#[cfg(test)]\nmod tests', `${weakened.slice(weakened.indexOf('#[cfg(test)]'))}\n#[cfg(any())]\n#[cfg(test)]\nmod tests`);
    expect(changed(LIB_RS, first)).toContain('tests::fn totals_items changed');
    // Wrapped in a module that is never compiled: every item moved.
    expect(changed(LIB_RS, LIB_RS.replace('#[cfg(test)]\nmod tests', '#[cfg(any())]\nmod off {\n#[cfg(test)]\nmod tests') + '}\n')).toContain('tests::fn adds_tax removed');
  });

  it('sees a doc test hidden in an HTML comment as removed, even with a new one in its place', () => {
    const hidden = LIB_RS.replace('/// ```\n/// assert_eq!(cart::with_tax(100), 120);\n/// ```', '/// <!--\n/// ```\n/// assert_eq!(cart::with_tax(100), 120);\n/// ```\n/// -->\n///\n/// ```\n/// assert_eq!(cart::with_tax(0), 0);\n/// ```');
    expect(hidden).not.toBe(LIB_RS);
    expect(changed(LIB_RS, hidden)).toEqual(['doc::fn with_tax #1 changed']);
  });

  it('reports a new item of a test module named like something its tests call: it would stand in for the code under test', () => {
    const helper = LIB_RS.replace('    use super::*;\n', '    use super::*;\n\n    fn with_tax(cents: u64) -> u64 {\n        cents * 6 / 5\n    }\n');
    expect(edits(LIB_RS, helper)).toEqual(['adds with_tax to test module tests, whose tests already call with_tax: it would stand in for what they test']);
    const imported = LIB_RS.replace('    use super::*;\n', '    use super::*;\n    use crate::lenient::total;\n');
    expect(edits(LIB_RS, imported)).toEqual(['adds total to test module tests, whose tests already call total: it would stand in for what they test']);
    // A helper by a new name is a new helper.
    expect(edits(LIB_RS, LIB_RS.replace('    use super::*;\n', '    use super::*;\n\n    fn cents(n: u64) -> u64 {\n        n\n    }\n'))).toEqual([]);
  });

  it('protects doc tests: their code and their fence', () => {
    expect(changed(LIB_RS, LIB_RS.replace('/// assert_eq!(cart::with_tax(100), 120);', '/// assert_eq!(cart::with_tax(100), 121);'))).toEqual(['doc::fn with_tax #1 changed']);
    expect(changed(LIB_RS, LIB_RS.replace('/// ```\n/// assert_eq!', '/// ```no_run\n/// assert_eq!'))).toEqual(['doc::fn with_tax #1 changed']);
    expect(changed(LIB_RS, LIB_RS.replace('/// Adds tax to a price in cents.', '/// Adds a fifth to a price in cents.'))).toEqual([]);
  });

  it("takes rustfmt's rewriting of the imports for no change, and a different import for one", () => {
    const module = (imports: string) => `pub fn total() -> u64 { 1 }\n\n#[cfg(test)]\nmod tests {\n    ${imports}\n\n    #[test]\n    fn one() {\n        assert_eq!(total(), 1);\n    }\n}\n`;
    const base = module('use super::{total};\n    use std::collections::{HashMap, BTreeMap};');
    expect(changed(base, module('use super::total;\n    use std::collections::{BTreeMap, HashMap};'))).toEqual([]);
    expect(changed(base, module('use super::fake_total as total;\n    use std::collections::{BTreeMap, HashMap};'))).toEqual(['tests::use changed']);
    // An import added beside them (a new test's) is no change.
    expect(changed(base, module('use super::total;\n    use std::collections::{BTreeMap, HashMap, HashSet};'))).toEqual([]);
  });

  it('reports an assertion macro a file starts to redefine, in words a person reads', () => {
    const shadow = LIB_RS.replace('#[cfg(test)]\nmod tests', '#[cfg(test)]\nmacro_rules! assert_eq { ($($t:tt)*) => {}; }\n\n#[cfg(test)]\nmod tests');
    expect(assertionShadows(shadow)).toEqual(['assert_eq']);
    expect(assertionShadows('use crate::lenient as assert_ne;\n// macro_rules! assert\n')).toEqual(['assert_ne']);
    expect(edits(LIB_RS, shadow)).toEqual(['redefines assert_eq!, which the tests call to pass or fail']);
    expect(edits(null, '#[macro_export]\nmacro_rules! assert { ($($t:tt)*) => {}; }\n')).toEqual(['redefines assert!, which the tests call to pass or fail']);
    expect(edits(LIB_RS, LIB_RS.replace('1800);', '1801);').replace('#[ignore]\n', ''))).toEqual(['changed test tests::totals_items', 'changed test tests::slow_rounding']);
    expect(edits(LIB_RS, LIB_RS.replace('use super::*;', 'use super::with_tax;'))).toContain('changed the imports of test module tests');
  });

  it('is not fooled by braces in strings, raw strings, characters, lifetimes and nested comments', () => {
    const tricky = [
      '#[cfg(test)]',
      'pub(crate) mod checks {',
      "    fn helper<'a>(s: &'a str) -> &'a str { s }",
      '    #[test]',
      "    fn braces() { assert_eq!(helper(\"}\"), r#\"}\"#); let _c = '}'; let _q = '\\''; /* } /* } */ } */ }",
      '    #[test]',
      '    fn after() { assert!(true); }',
      '}',
      'fn outside() {}',
    ].join('\n');
    expect([...inlineTests(tricky).keys()]).toEqual(['checks::#[…]', 'checks::fn helper', 'checks::fn braces', 'checks::fn after']);
  });
});
