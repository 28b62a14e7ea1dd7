import { describe, expect, it } from 'vitest';
import { findJsonSyntaxError } from './json-syntax-error.js';

describe('findJsonSyntaxError', () => {
  it.each([
    ['', 1, 1, 'the file is empty; write {} to use every default'],
    ['{"a": 1,}', 1, 8, "trailing comma before '}'"],
    ['[1, 2,\n]', 1, 6, "trailing comma before ']'"],
    ['{\n  "a": 1\n  "b": 2\n}', 3, 3, "missing ',' before this"],
    ['{\n  "a": 1\n', 3, 1, "missing '}' for the '{' at line 1, column 1"],
    ["{'a': 1}", 1, 2, 'keys need double quotes'],
    ['{a: 1}', 1, 2, 'keys need double quotes'],
    ['{"a": \'x\'}', 1, 7, 'strings need double quotes'],
    ['{"a" 1}', 1, 6, "expected ':' after the key but found '1'"],
    ['{"a": }', 1, 7, "expected a value (a string, number, object, list, true, false or null) but found '}'"],
    ['{\n  // note\n  "a": 1\n}', 2, 3, 'comments are not allowed in JSON'],
    ['{"a": "x\ny"}', 1, 9, 'line break inside a string (write \\n)'],
    ['{"a": "\\x"}', 1, 8, "invalid escape '\\x' in a string (write \\\\ for a backslash)"],
    ['{"a": "abc', 1, 7, 'string not closed'],
    ['{"a": -}', 1, 7, 'invalid number'],
    ['{"a": 01}', 1, 8, "expected ',' or '}' but found '1'"],
    ['{} {}', 1, 4, "unexpected '{' after the end of the JSON value"],
    ['{"a": [1 2]}', 1, 10, "expected ',' or ']' but found '2'"],
    ['{"a": True}', 1, 7, "expected a value (a string, number, object, list, true, false or null) but found 'T'"],
  ])('%j → line %i, column %i: %s', (text, line, column, reason) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(findJsonSyntaxError(text)).toEqual({ line, column, reason });
  });

  it('finds nothing wrong in valid JSON', () => {
    for (const text of ['{}', ' [ ] ', '{"a": [1, -2.5e+3, "x\\u00e9\\n", true, false, null, {"b": {}}]}\r\n', '"s"', '0']) {
      expect(findJsonSyntaxError(text)).toBeNull();
    }
  });

  it('agrees with JSON.parse on which texts are valid', () => {
    const base = '{\n  "agent": { "name": "claude", "args": ["-v"] },\n  "checks": [{ "id": "t", "run": "npm test", "timeout": "10m" }],\n  "budgets": { "maxUsd": 1.5e1, "maxTokens": null, "x": [true, false] }\n}\n';
    const pieces = ['', ',', '}', ']', '{', '[', '"', ':', ' ', '\n', '\\', '1', '-', '.', 'e', 'n', 't', '/'];
    let seed = 7;
    const random = (limit: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % limit;
    };
    for (let round = 0; round < 3000; round++) {
      let text = base;
      for (let edit = 0, edits = 1 + random(3); edit < edits; edit++) {
        const at = random(text.length + 1);
        text = text.slice(0, at) + pieces[random(pieces.length)]! + text.slice(at + random(3));
      }
      let valid = true;
      try {
        JSON.parse(text);
      } catch {
        valid = false;
      }
      expect(findJsonSyntaxError(text) === null, text).toBe(valid);
    }
  });
});
