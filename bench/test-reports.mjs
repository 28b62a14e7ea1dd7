// Reading test reports, in-process: a generated JUnit XML report of 5,000 test cases (2% failing,
// with vitest-shaped failure bodies, nested in suites per file), node's TAP and cargo test's text
// (libtest) for the same tests. Target: readJunitReport at most 100 ms (median). Also measured,
// for information: readTapReport, readLibtestReport, the feedback and the report signature over
// the JUnit report.
// Prints a Markdown table and writes bench/results/test-reports.json. Run with
// `node bench/test-reports.mjs`. Knobs: BENCH_TESTS, BENCH_RUNS, BENCH_FAIL_EVERY.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { intFromEnv } from './lib/config.mjs';
import { machineInfo, sourceInfo } from './lib/machine.mjs';
import { markdownTable, summarize } from './lib/stats.mjs';
import { bundlePath, bundleSource, REPO_ROOT } from './lib/bundle-source.mjs';

const config = {
  tests: intFromEnv('BENCH_TESTS', 5_000),
  runs: intFromEnv('BENCH_RUNS', 30),
  failEvery: intFromEnv('BENCH_FAIL_EVERY', 50),
  testsPerFile: 50,
  warmups: 3,
  targetMs: 100,
};
const log = (message) => process.stderr.write(`[bench] ${message}\n`);

const ENTRY = `
export { readJunitReport } from './src/adapters/test-reports/junit-report.ts';
export { readTapReport } from './src/adapters/test-reports/tap-report.ts';
export { readLibtestReport } from './src/adapters/test-reports/libtest-report.ts';
export { structuredFeedback } from './src/core/run/failure-feedback.ts';
export { reportSignature } from './src/core/run/fingerprint.ts';
`;

/** Bundles the readers for this process; their parser libraries stay in node_modules, as the CommonJS ones do not bundle into an ES module. */
async function loadReaders() {
  const outfile = bundlePath(`test-reports-${process.pid}`);
  await bundleSource(ENTRY, outfile, { external: ['better-sqlite3', 'tap-parser', 'fast-xml-parser'] });
  try {
    return await import(pathToFileURL(outfile).href);
  } finally {
    rmSync(outfile, { force: true });
  }
}

const ROOT = '/tmp/bench-project';

function planTests() {
  return Array.from({ length: config.tests }, (_, index) => {
    const file = `test/area${Math.floor(index / config.testsPerFile)}/feature.test.ts`;
    const suite = `feature ${Math.floor(index / 10) % 5}`;
    return { index, file, suite, name: `case ${index} handles input ${index % 97}`, failed: index % config.failEvery === 7 };
  });
}

const escapeXml = (text) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function junitXml(tests) {
  const files = new Map();
  for (const test of tests) files.set(test.file, [...(files.get(test.file) ?? []), test]);
  const failures = tests.filter((test) => test.failed).length;
  const lines = ['<?xml version="1.0" encoding="UTF-8" ?>', `<testsuites name="vitest tests" tests="${tests.length}" failures="${failures}" errors="0" time="12.5">`];
  for (const [file, cases] of files) {
    lines.push(`    <testsuite name="${file}" timestamp="2026-12-06T00:00:00.000Z" hostname="bench" tests="${cases.length}" failures="${cases.filter((test) => test.failed).length}" errors="0" skipped="0" time="0.4">`);
    for (const test of cases) {
      const name = escapeXml(`${test.suite} > ${test.name}`);
      if (!test.failed) {
        lines.push(`        <testcase classname="${file}" name="${name}" time="0.0012">`, '        </testcase>');
        continue;
      }
      const message = `expected ${test.index + 190} to be ${test.index} // Object.is equality`;
      lines.push(
        `        <testcase classname="${file}" name="${name}" time="0.0141">`,
        `            <failure message="${message}" type="AssertionError">`,
        escapeXml(`AssertionError: ${message}\n\n- Expected\n+ Received\n\n- ${test.index}\n+ ${test.index + 190}\n\n ❯ ${file}:${12 + (test.index % 40)}:25\n    at ${ROOT}/node_modules/@vitest/runner/dist/index.js:146:14`),
        '            </failure>',
        '        </testcase>',
      );
    }
    lines.push('    </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}

function tapText(tests) {
  const lines = ['TAP version 13'];
  tests.forEach((test, position) => {
    const id = position + 1;
    lines.push(`# Subtest: ${test.name}`);
    if (!test.failed) {
      lines.push(`ok ${id} - ${test.name}`, '  ---', '  duration_ms: 0.21', '  ...');
      return;
    }
    lines.push(
      `not ok ${id} - ${test.name}`,
      '  ---',
      '  duration_ms: 2.9',
      `  location: '${ROOT}/${test.file}:7:5'`,
      "  failureType: 'testCodeFailure'",
      '  error: |-',
      '    Expected values to be strictly equal:',
      '    ',
      `    ${test.index + 190} !== ${test.index}`,
      '    ',
      "  code: 'ERR_ASSERTION'",
      `  expected: ${test.index}`,
      `  actual: ${test.index + 190}`,
      '  stack: |-',
      `    TestContext.<anonymous> (file://${ROOT}/${test.file}:8:14)`,
      '    Test.runInAsyncScope (node:async_hooks:206:9)',
      '  ...',
    );
  });
  lines.push(`1..${tests.length}`, `# tests ${tests.length}`, `# pass ${tests.filter((test) => !test.failed).length}`, `# fail ${tests.filter((test) => test.failed).length}`);
  return `${lines.join('\n')}\n`;
}

/** cargo test's output: one test binary per file (cargo's `Running` line first), failures' blocks after each binary's tests. */
function libtestText(tests) {
  const files = new Map();
  for (const test of tests) files.set(test.file, [...(files.get(test.file) ?? []), test]);
  const lines = [];
  for (const [file, cases] of files) {
    const rustName = (test) => `feature_${test.suite.split(' ')[1]}::case_${test.index}_handles_input_${test.index % 97}`;
    const failed = cases.filter((test) => test.failed);
    lines.push(`     Running ${file.replace(/\.test\.ts$/, '.rs')} (target/debug/deps/feature-0123456789abcdef)`, '', `running ${cases.length} tests`);
    for (const test of cases) lines.push(`test ${rustName(test)} ... ${test.failed ? 'FAILED' : 'ok'}`);
    if (failed.length > 0) {
      lines.push('', 'failures:', '');
      for (const test of failed) {
        lines.push(
          `---- ${rustName(test)} stdout ----`,
          '',
          `thread '${rustName(test)}' (${4000 + test.index}) panicked at ${file.replace(/\.test\.ts$/, '.rs')}:${12 + (test.index % 40)}:9:`,
          'assertion `left == right` failed',
          `  left: ${test.index + 190}`,
          ` right: ${test.index}`,
          'note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace',
          '',
        );
      }
      lines.push('', 'failures:', ...failed.map((test) => `    ${rustName(test)}`));
    }
    lines.push('', `test result: ${failed.length > 0 ? 'FAILED' : 'ok'}. ${cases.length - failed.length} passed; ${failed.length} failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.40s`, '');
  }
  return `${lines.join('\n')}\n`;
}

function measure(run) {
  for (let index = 0; index < config.warmups; index++) run();
  const samples = [];
  let last;
  for (let index = 0; index < config.runs; index++) {
    const started = performance.now();
    last = run();
    samples.push(performance.now() - started);
  }
  return { stats: summarize(samples), last };
}

const readers = await loadReaders();
const tests = planTests();
const xml = junitXml(tests);
const tap = tapText(tests);
const libtest = libtestText(tests);
const expectedFailures = tests.filter((test) => test.failed).length;
log(`${tests.length} tests (${expectedFailures} failing); JUnit ${(xml.length / 1024).toFixed(0)} KiB, TAP ${(tap.length / 1024).toFixed(0)} KiB; ${config.runs} runs after ${config.warmups} warm-ups`);

const junit = measure(() => readers.readJunitReport(xml, { root: ROOT }));
const tapRead = measure(() => readers.readTapReport(tap, { root: ROOT }));
const libtestRead = measure(() => readers.readLibtestReport(libtest, { root: ROOT }));
const feedback = measure(() => readers.structuredFeedback(junit.last, { budgetChars: 4_000 }));
const signature = measure(() => readers.reportSignature(junit.last));

const countFailed = (report) => report.tests.filter((test) => test.status === 'failed').length;
const junitCorrect = junit.last.tests.length === tests.length && countFailed(junit.last) === expectedFailures;
const tapCorrect = tapRead.last.tests.length === tests.length && countFailed(tapRead.last) === expectedFailures;
const libtestCorrect = libtestRead.last.tests.length === tests.length && countFailed(libtestRead.last) === expectedFailures;
const pass = junit.stats.median <= config.targetMs && junitCorrect;
const ms = (value) => `${value.toFixed(2)} ms`;
const row = (label, measured, target, result) => [label, `${ms(measured.stats.median)} (p95 ${ms(measured.stats.p95)})`, target, result];
console.log(
  markdownTable(
    ['reading test reports', 'median', 'target', 'result'],
    [
      row(`readJunitReport (${tests.length} cases, ${(xml.length / 1024).toFixed(0)} KiB)`, junit, `≤ ${config.targetMs} ms`, pass ? 'pass' : '**FAIL**'),
      row(`readTapReport (${tests.length} test points, ${(tap.length / 1024).toFixed(0)} KiB)`, tapRead, '–', tapCorrect ? 'info' : '**WRONG COUNT**'),
      row(`readLibtestReport (${tests.length} tests, ${(libtest.length / 1024).toFixed(0)} KiB)`, libtestRead, '–', libtestCorrect ? 'info' : '**WRONG COUNT**'),
      row('structuredFeedback (4,000 characters)', feedback, '–', 'info'),
      row('reportSignature', signature, '–', 'info'),
    ],
  ),
);
console.log(`\n${expectedFailures} failing tests; JUnit read ${junit.last.tests.length} cases (${countFailed(junit.last)} failed), TAP read ${tapRead.last.tests.length} (${countFailed(tapRead.last)} failed), libtest read ${libtestRead.last.tests.length} (${countFailed(libtestRead.last)} failed).`);

const results = {
  machine: machineInfo(),
  source: sourceInfo(REPO_ROOT),
  config,
  input: { tests: tests.length, failing: expectedFailures, junitBytes: xml.length, tapBytes: tap.length, libtestBytes: libtest.length },
  readJunitReportMs: junit.stats,
  readTapReportMs: tapRead.stats,
  readLibtestReportMs: libtestRead.stats,
  structuredFeedbackMs: feedback.stats,
  reportSignatureMs: signature.stats,
  counts: {
    junit: { tests: junit.last.tests.length, failed: countFailed(junit.last) },
    tap: { tests: tapRead.last.tests.length, failed: countFailed(tapRead.last) },
    libtest: { tests: libtestRead.last.tests.length, failed: countFailed(libtestRead.last) },
  },
  pass,
};
mkdirSync(new URL('results/', import.meta.url), { recursive: true });
writeFileSync(new URL('results/test-reports.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
log('wrote bench/results/test-reports.json');
if (!pass) process.exitCode = 1;
