/**
 * The expected and actual values of a failed assertion, read from the text runners print when
 * they give no structured fields. Robust rather than exhaustive: each shape below is one a
 * common runner prints; text matching none gives nulls, never a guess.
 */

export interface AssertionValues {
  expected: string | null;
  actual: string | null;
}

const NONE: AssertionValues = { expected: null, actual: null };
const MAX_VALUE_CHARS = 300;

type Reading = (text: string) => AssertionValues | null;

/** jest and others: `Expected: 1800` and `Received: 1990` on lines of their own. */
const labelled: Reading = (text) => {
  const expected = /^\s*(?:[-+]\s*)?Expected(?: value)?:\s*(\S.*)$/m.exec(text);
  const actual = /^\s*(?:[-+]\s*)?(?:Received|Actual)(?: value)?:\s*(\S.*)$/m.exec(text);
  return expected && actual ? values(expected[1], actual[1]) : null;
};

/** chai, vitest: `expected 1990 to be 1800 // Object.is equality`. */
const chai: Reading = (text) => {
  const match = /\bexpected (.+?) to (?:not )?(?:be|equal|deeply equal|deep equal|strictly equal|eql|be close to|have length of|have length|include|contain|match) (.+?)(?:\s+\/\/.*)?$/m.exec(text);
  return match ? values(match[2], match[1]) : null;
};

/** pytest: `assert 1990 == 1800`, the left side being what the code produced. */
const pytest: Reading = (text) => {
  const match = /^(?:E\s+)?(?:AssertionError:\s*)?assert (.+?) == (.+?)\s*$/m.exec(text);
  return match ? values(match[2], match[1]) : null;
};

/** node's assert and Python's unittest: `1990 !== 1800`, `AssertionError: 1990 != 1800` (actual first). */
const operator: Reading = (text) => {
  const match = /^\s*(?:E\s+)?(?:\w*Error(?: \[\w+\])?:\s*)?(\S.*?) !==? (\S.*?)\s*$/m.exec(text);
  return match ? values(match[2], match[1]) : null;
};

/** node's util.inspect of an AssertionError: `actual: 1990,` and `expected: 1800,`. */
const inspected: Reading = (text) => {
  const expected = /^\s*expected: (.+?),?\s*$/m.exec(text);
  const actual = /^\s*actual: (.+?),?\s*$/m.exec(text);
  return expected && actual ? values(expected[1], actual[1]) : null;
};

const READINGS: readonly Reading[] = [labelled, chai, pytest, operator, inspected];

/**
 * The first pair of values any known shape finds, looking at each text in turn (the message
 * before the longer failure body, which repeats it with more noise).
 */
export function assertionValues(...texts: readonly (string | null)[]): AssertionValues {
  for (const text of texts) {
    if (!text) continue;
    for (const reading of READINGS) {
      const found = reading(text);
      if (found) return found;
    }
  }
  return NONE;
}

function values(expected: string | undefined, actual: string | undefined): AssertionValues {
  return { expected: bounded(expected), actual: bounded(actual) };
}

function bounded(value: string | undefined): string | null {
  const trimmed = value?.trim() ?? '';
  if (trimmed === '') return null;
  return trimmed.length > MAX_VALUE_CHARS ? `${trimmed.slice(0, MAX_VALUE_CHARS)}…` : trimmed;
}

/** A value a report gives as data (TAP's YAML diagnostics): compact JSON for objects and strings, text for the rest. */
export function valueText(value: unknown): string {
  if (typeof value === 'string') return bounded(JSON.stringify(value)) ?? '""';
  if (value === undefined) return 'undefined';
  if (typeof value === 'object' && value !== null) {
    try {
      return bounded(JSON.stringify(value)) ?? String(value);
    } catch {
      return String(value);
    }
  }
  return String(value);
}
