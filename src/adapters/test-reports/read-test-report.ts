import type { TestReport, TestReportFormat } from '../../core/run/test-results.js';
import { detectReportFormat } from './detect-format.js';
import { readJunitReport } from './junit-report.js';
import { readLibtestReport } from './libtest-report.js';
import type { ReaderOptions } from './source-location.js';
import { readTapReport } from './tap-report.js';

export type { ReaderOptions } from './source-location.js';
export { detectReportFormat } from './detect-format.js';
export { readJunitReport } from './junit-report.js';
export { readTapReport } from './tap-report.js';
export { readLibtestReport } from './libtest-report.js';

/** The report in a command's output or a report file, whichever format it is in; null when no reader understands it. */
export function readTestReport(text: string, options: ReaderOptions = {}): TestReport | null {
  const format = detectReportFormat(text);
  return format === null ? null : readReportAs(format, text, options);
}

/** The report in `text` read as `format`; null when it is not a report in that format. */
export function readReportAs(format: TestReportFormat, text: string, options: ReaderOptions = {}): TestReport | null {
  if (format === 'tap') return readTapReport(text, options);
  if (format === 'libtest') return readLibtestReport(text, options);
  return readJunitReport(text, options);
}
