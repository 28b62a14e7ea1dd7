import { terminalSafe } from '../../core/terminal-text.js';

/** One running task as the live view shows it. */
export interface LiveRow {
  taskId: number;
  agent: string;
  attempt: string;
  startedMs: number;
  /** The last thing that happened in the run, in a few words. */
  last: string;
  tokens: number;
  costUsd: number;
}

/** Moves the cursor up a line and clears it: how the view takes its lines back before redrawing. */
const UP_AND_CLEAR = '\u001b[1A\u001b[2K';

/**
 * The supervisor on a terminal: log lines scroll as usual, and below them one line per running
 * task (task, agent, attempt k/n, elapsed, last event, tokens, cost) is redrawn in place. Only
 * the view's own cursor sequences are written raw; every text in a line passes `terminalSafe`.
 */
export class LiveView {
  private readonly rows = new Map<number, LiveRow>();
  private drawn = 0;

  constructor(
    private readonly write: (raw: string) => void,
    private readonly nowMs: () => number,
    private readonly columns: number,
  ) {}

  /** A line that stays: printed above the live rows. */
  log(line: string): void {
    this.redraw([line]);
  }

  update(taskId: number, patch: Partial<LiveRow>): void {
    const row = this.rows.get(taskId) ?? { taskId, agent: '', attempt: '', startedMs: this.nowMs(), last: 'starting', tokens: 0, costUsd: 0 };
    this.rows.set(taskId, { ...row, ...patch });
    this.redraw([]);
  }

  row(taskId: number): LiveRow | undefined {
    return this.rows.get(taskId);
  }

  remove(taskId: number): void {
    this.rows.delete(taskId);
    this.redraw([]);
  }

  /** Redraws the rows (their elapsed times move on). */
  tick(): void {
    this.redraw([]);
  }

  /** Leaves the last log lines and no rows behind. */
  close(): void {
    this.rows.clear();
    this.redraw([]);
  }

  private redraw(logLines: readonly string[]): void {
    const rows = [...this.rows.values()].sort((left, right) => left.taskId - right.taskId).map((row) => this.fit(this.rowText(row)));
    const text = UP_AND_CLEAR.repeat(this.drawn) + [...logLines.map((line) => `${terminalSafe(line)}\n`), ...rows.map((row) => `${row}\n`)].join('');
    this.drawn = rows.length;
    if (text !== '') this.write(text);
  }

  private rowText(row: LiveRow): string {
    const elapsed = Math.max(0, Math.round((this.nowMs() - row.startedMs) / 1000));
    const time = elapsed >= 60 ? `${Math.floor(elapsed / 60)}m${String(elapsed % 60).padStart(2, '0')}s` : `${elapsed}s`;
    return terminalSafe(`#${row.taskId}  ${row.agent}  ${row.attempt}  ${time}  ${row.last}  ${row.tokens} tok  $${row.costUsd.toFixed(2)}`);
  }

  /** One screen line: a row that wrapped would leave a line the next redraw does not take back. */
  private fit(text: string): string {
    return text.length <= this.columns - 1 ? text : `${text.slice(0, Math.max(1, this.columns - 2))}…`;
  }
}
