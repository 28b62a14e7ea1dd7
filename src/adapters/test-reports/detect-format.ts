import type { TestReportFormat } from '../../core/run/test-results.js';
import { looksLikeLibtest } from './libtest-report.js';

const TAP_VERSION = /^TAP version 1[34]\s*$/m;
const TAP_PLAN = /^\s*1\.\.\d+(?:\s*#.*)?\s*$/m;
const TAP_TEST_POINT = /^\s*(?:not )?ok(?:\s+\d+)?(?:\s+-?\s*.*)?$/m;
const JUNIT_START = /<testsuites?(?=[\s>/])/;
const JUNIT_END = /<\/testsuites?\s*>|<testsuites?\b[^>]*\/>/;

/**
 * Which report format a command's output is, if any: TAP when it has a `TAP version 13/14`
 * line, or a plan line and a test point (node's test runner prints TAP to a pipe, after
 * whatever npm printed first); JUnit XML when it holds a `<testsuites>` or `<testsuite>`
 * element that is closed; libtest's (`cargo test`) with its `running N tests` and `test
 * result:` lines. Null for anything else.
 */
export function detectReportFormat(output: string): TestReportFormat | null {
  if (looksLikeTap(output)) return 'tap';
  if (looksLikeLibtest(output)) return 'libtest';
  if (junitRegion(output) !== null) return 'junit';
  return null;
}

export function looksLikeTap(output: string): boolean {
  return TAP_VERSION.test(output) || (TAP_PLAN.test(output) && TAP_TEST_POINT.test(output));
}

/** The XML document inside the output: from its declaration or first suite element to the last closing one. */
export function junitRegion(output: string): string | null {
  const start = JUNIT_START.exec(output);
  if (!start) return null;
  const declaration = output.lastIndexOf('<?xml', start.index);
  const from = declaration >= 0 ? declaration : start.index;
  const rest = output.slice(from);
  const closings = [...rest.matchAll(new RegExp(JUNIT_END.source, 'g'))];
  const last = closings.at(-1);
  if (last === undefined) return null;
  return rest.slice(0, last.index + last[0].length);
}
