import { describe, expect, it } from 'vitest';
import { inlineTestChanges, inlineTests, mayHoldInlineTests } from './inline-tests.js';

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

describe('inline tests (Rust)', () => {
  it('finds every item of a #[cfg(test)] module, and nothing of the code around it', () => {
    expect([...inlineTests(LIB_RS).keys()]).toEqual(['tests::use super::*;', 'tests::fn adds_tax', 'tests::fn totals_items', 'tests::fn slow_rounding', 'tests::fn refuses_empty', 'tests::fn checks_flag']);
    expect(inlineTests('pub fn a() -> u8 { 1 }\n')).toEqual(new Map());
    expect(mayHoldInlineTests('src/lib.rs')).toBe(true);
    expect(mayHoldInlineTests('src/lib.py')).toBe(false);
  });

  it('sees a test changed, ignored, removed, renamed or commented out; not the code under test, nor whitespace or comments', () => {
    const before = inlineTests(LIB_RS);
    const changed = (edited: string) => inlineTestChanges(before, inlineTests(edited)).map(({ key, how }) => `${key} ${how}`);
    expect(changed(LIB_RS.replace('+ cents / 5', '+ cents / 4').replace('items.iter().sum::<u64>() + 1', 'items.iter().sum::<u64>()'))).toEqual([]);
    expect(changed(LIB_RS.replace('assert_eq!(total(&[1000, 800]), 1800);', '// Was 1800: rounding.\n        assert_eq!( total(&[1000, 800]),\n 1800 );'))).toEqual([]);
    expect(changed(LIB_RS.replace('1800);', '1801);'))).toEqual(['tests::fn totals_items changed']);
    expect(changed(LIB_RS.replace('#[test]\n    fn totals_items', '#[test]\n    #[ignore]\n    fn totals_items'))).toEqual(['tests::fn totals_items changed']);
    expect(changed(LIB_RS.replace('fn totals_items', 'fn totals_items_old'))).toEqual(['tests::fn totals_items removed']);
    const commented = LIB_RS.replace(/ {4}#\[test\]\n {4}fn adds_tax\(\) \{\n.*\n {4}\}\n/, (text) => text.replace(/^/gm, '// '));
    expect(commented).not.toBe(LIB_RS);
    expect(changed(commented)).toEqual(['tests::fn adds_tax removed']);
    expect(changed(LIB_RS.replace(/#\[cfg\(test\)\]\nmod tests \{[\s\S]*$/, ''))).toHaveLength(6);
  });

  it('lets a new test be added to the module', () => {
    const added = LIB_RS.replace(/\}\n$/, '\n    #[test]\n    fn new_case() {\n        assert_eq!(with_tax(5), 6);\n    }\n}\n');
    expect(inlineTests(added).has('tests::fn new_case')).toBe(true);
    expect(inlineTestChanges(inlineTests(LIB_RS), inlineTests(added))).toEqual([]);
  });

  it("is not fooled by braces in strings, raw strings, characters, lifetimes and nested comments", () => {
    const tricky = [
      '#[cfg(test)]',
      'pub(crate) mod checks {',
      '    fn helper<\'a>(s: &\'a str) -> &\'a str { s }',
      '    #[test]',
      '    fn braces() { assert_eq!(helper("}"), r#"}"#); let _c = \'}\'; let _q = \'\\\'\'; /* } /* } */ } */ }',
      '    #[test]',
      '    fn after() { assert!(true); }',
      '}',
      'fn outside() {}',
    ].join('\n');
    expect([...inlineTests(tricky).keys()]).toEqual(['checks::fn helper', 'checks::fn braces', 'checks::fn after']);
  });
});
