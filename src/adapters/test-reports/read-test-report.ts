import type { TestReport } from '../../core/run/test-results.js';
import { detectReportFormat } from './detect-format.js';
import { readJunitReport } from './junit-report.js';
import type { ReaderOptions } from './source-location.js';
import { readTapReport } from './tap-report.js';

export type { ReaderOptions } from './source-location.js';
export { detectReportFormat } from './detect-format.js';
export { readJunitReport } from './junit-report.js';
export { readTapReport } from './tap-report.js';

/** The report in a command's output or a report file, whichever format it is in; null when no reader understands it. */
export function readTestReport(text: string, options: ReaderOptions = {}): TestReport | null {
  const format = detectReportFormat(text);
  if (format === 'tap') return readTapReport(text, options);
  if (format === 'junit') return readJunitReport(text, options);
  return null;
}
