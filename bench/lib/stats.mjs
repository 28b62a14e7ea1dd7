// Small statistics and table helpers shared by the bench scripts.

export function median(values) {
  return percentile(values, 50);
}

/** Nearest-rank percentile over a copy of `values`; NaN for an empty list. */
export function percentile(values, p) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export function summarize(values) {
  return {
    n: values.length,
    median: round(median(values)),
    p95: round(percentile(values, 95)),
    min: round(Math.min(...values)),
    max: round(Math.max(...values)),
  };
}

export function round(value, digits = 2) {
  if (!Number.isFinite(value)) return null;
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** A Markdown table; every cell is turned into text, `null`/`undefined` into an en dash. */
export function markdownTable(headers, rows) {
  const text = (cell) => (cell === null || cell === undefined ? '–' : String(cell));
  const lines = [headers, headers.map(() => '---'), ...rows.map((row) => row.map(text))];
  return lines.map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/** "1.23x", or an en dash when either side is missing. */
export function ratioText(ratio) {
  return Number.isFinite(ratio) ? `${ratio.toFixed(2)}x` : '–';
}
