/**
 * What baton's checks found wrong with an attempt. The runner feeds `summary` and `detail`
 * back to the agent word for word, fingerprints them to notice a run going in circles, and
 * stores them as evidence.
 */
export type CheckKind = 'command' | 'verify' | 'required_file' | 'forbidden_pattern' | 'scope' | 'report' | 'agent' | 'merge' | 'review';

export interface CheckFailure {
  /**
   * Stable across attempts, so the same failure twice is recognised: `command:test`,
   * `verify:1`, `file:src/auth.ts`, `pattern:no-focused-tests`, `scope:outside`, `scope:protected`,
   * `scope:test-deleted`, `scope:check-edited`, `report:invalid`, `agent:hung`.
   */
  checkId: string;
  kind: CheckKind;
  /** One line a person and the agent can act on. */
  summary: string;
  /** The exact evidence (the failing tests, the output around errors, the offending lines), possibly empty. */
  detail: string;
  /**
   * What identifies this failure for fingerprints, when the check knows better than its text
   * (the failing tests with their values); absent: the summary and detail are signed.
   */
  signature?: string;
}

/** Where a command check's output is kept in an attempt's evidence: `checks/test.log`, `checks/verify-1.log`. */
export function checkLogName(checkId: string): string {
  return `checks/${checkId.replace(/^command:/, '').replace(/^verify:/, 'verify-')}.log`;
}

/** One check as it ran, passed or not; the evidence keeps every one. */
export interface CheckOutcome {
  checkId: string;
  kind: CheckKind;
  passed: boolean;
  summary: string;
  detail: string;
  signature?: string;
  durationMs: number;
}

/** The failures among a set of check outcomes. */
export function failuresOf(outcomes: readonly CheckOutcome[]): CheckFailure[] {
  return outcomes
    .filter((outcome) => !outcome.passed)
    .map(({ checkId, kind, summary, detail, signature }) => ({ checkId, kind, summary, detail, ...(signature === undefined ? {} : { signature }) }));
}
