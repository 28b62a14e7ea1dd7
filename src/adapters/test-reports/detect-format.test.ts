import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectReportFormat, junitRegion } from './detect-format.js';
import { readJunitReport, readTapReport, readTestReport } from './read-test-report.js';

const fixture = (name: string): string => readFileSync(new URL(`../../../test/fixtures/test-reports/${name}`, import.meta.url), 'utf8');

describe('detectReportFormat', () => {
  it('recognises the real outputs of each runner', () => {
    expect(detectReportFormat(fixture('node-tap-a.tap'))).toBe('tap');
    expect(detectReportFormat(fixture('node-tap-npm-a.txt'))).toBe('tap');
    expect(detectReportFormat(fixture('node-junit-a.xml'))).toBe('junit');
    expect(detectReportFormat(fixture('vitest-junit-a.xml'))).toBe('junit');
    expect(detectReportFormat(fixture('pytest-junit-a.xml'))).toBe('junit');
  });

  it('finds nothing in the plain output of the same runners', () => {
    expect(detectReportFormat(fixture('node-spec-a.txt'))).toBeNull();
    expect(detectReportFormat(fixture('vitest-default-a.txt'))).toBeNull();
    expect(detectReportFormat(fixture('pytest-plain-a.txt'))).toBeNull();
    expect(detectReportFormat('')).toBeNull();
  });

  it('recognises TAP without a version line by its plan and test points', () => {
    expect(detectReportFormat('ok 1 - a\nnot ok 2 - b\n1..2\n')).toBe('tap');
    expect(detectReportFormat('1..2\n')).toBeNull();
    expect(detectReportFormat('ok, all done\n')).toBeNull();
  });

  it('wants a closed suite element for JUnit', () => {
    expect(detectReportFormat('<testsuite name="a">')).toBeNull();
    expect(detectReportFormat('log line\n<testsuite name="a"/>\n')).toBe('junit');
    expect(junitRegion('before\n<?xml version="1.0"?>\n<testsuites><testsuite name="a"></testsuite></testsuites>\nafter')).toBe(
      '<?xml version="1.0"?>\n<testsuites><testsuite name="a"></testsuite></testsuites>',
    );
  });
});

describe('readTestReport', () => {
  it('reads whichever format the text is in', () => {
    expect(readTestReport(fixture('node-tap-a.tap'))?.format).toBe('tap');
    expect(readTestReport(fixture('pytest-junit-a.xml'))?.format).toBe('junit');
    expect(readTestReport(fixture('pytest-plain-a.txt'))).toBeNull();
  });
});

describe('the readers on damaged input', () => {
  it('never throw on a report cut short or with bytes swapped, whichever reader gets it', () => {
    const texts = ['node-tap-a.tap', 'node-tap-load-error.tap', 'node-junit-a.xml', 'vitest-junit-a.xml', 'pytest-junit-a.xml', 'mocha-junit-handmade.xml'].map(fixture);
    let seed = 7;
    const random = (below: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % below;
    };
    for (const text of texts) {
      for (let round = 0; round < 40; round++) {
        const cut = text.slice(0, random(text.length));
        const at = random(text.length);
        const swapped = `${text.slice(0, at)}${'<>&"\'\n\u0000-]ok 1'[random(12)]}${text.slice(at + 1)}`;
        for (const input of [cut, swapped]) {
          expect(() => readTapReport(input)).not.toThrow();
          expect(() => readJunitReport(input)).not.toThrow();
        }
      }
    }
  });
});
