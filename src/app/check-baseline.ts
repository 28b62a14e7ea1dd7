import type { CheckBaseline } from '../core/run/check-verdict.js';
import { errorSignature, fnv1a64 } from '../core/run/fingerprint.js';
import { runChecks, type CheckRunDeps, type CheckSpec } from './run-checks.js';
import type { BaselineStore, CommandWrap } from './run-ports.js';

export interface BaselineRequest {
  /** The task's worktree, which must be at `baseCommit` with nothing changed when `atBase`. */
  worktree: string;
  baseCommit: string;
  /** Whether the worktree is the untouched base right now (so missing baselines can be taken). */
  atBase: boolean;
  scratchDir: string;
  timeLeftMs: number;
  /** How checks are started (the sandbox). */
  wrap: CommandWrap | null;
  /**
   * Whether the cache can be trusted: not when no sandbox kept earlier agents out of it (any of
   * them could have written a baseline that excuses its failures), so each run takes its own.
   */
  useCache: boolean;
  recordedAt: string;
  signal?: AbortSignal;
}

/** The baselines of a run's checks, and how they were come by (for the person watching). */
export interface Baselines {
  byCheck: Map<string, CheckBaseline>;
  /** Checks run now on the base, and checks whose baseline came from the cache. */
  ran: string[];
  cached: string[];
  /** Checks without a baseline: the worktree was no longer at the base and none was cached. */
  missing: string[];
}

/** What identifies a baseline: the base commit, the command, and how its tests are read. */
export function baselineKey(baseCommit: string, spec: CheckSpec): string {
  return `${baseCommit}-${fnv1a64(JSON.stringify([spec.run, spec.report]))}`;
}

/**
 * Each check as it ran on the task's untouched base: from the cache when a run on the same base
 * took it already, else run now — once per base commit and command, not once per task. Only
 * then can a failure that was there before the task be told from one the task caused, and a
 * test that disappeared be noticed at all.
 */
export async function checkBaselines(deps: CheckRunDeps & { baselines: BaselineStore }, specs: readonly CheckSpec[], request: BaselineRequest): Promise<Baselines> {
  const result: Baselines = { byCheck: new Map(), ran: [], cached: [], missing: [] };
  const toRun: CheckSpec[] = [];
  for (const spec of specs) {
    const cached = request.useCache ? await deps.baselines.readBaseline(baselineKey(request.baseCommit, spec)) : null;
    if (cached !== null) {
      result.byCheck.set(spec.checkId, cached);
      result.cached.push(spec.checkId);
    } else if (request.atBase) {
      toRun.push(spec);
    } else {
      result.missing.push(spec.checkId);
    }
  }
  if (toRun.length === 0) return result;
  const runs = await runChecks(deps, toRun, { worktree: request.worktree, scratchDir: request.scratchDir, timeLeftMs: request.timeLeftMs, evidence: null, wrap: request.wrap, ...(request.signal ? { signal: request.signal } : {}) });
  for (const [index, run] of runs.entries()) {
    const spec = toRun[index] as CheckSpec;
    const baseline: CheckBaseline = {
      checkId: run.checkId,
      run: run.run,
      baseCommit: request.baseCommit,
      exitedOk: run.exitedOk,
      how: run.how,
      signature: errorSignature(run.output),
      report: run.report,
      recordedAt: request.recordedAt,
    };
    // A check stopped by Ctrl-C says nothing about the base: not kept.
    if (request.signal?.aborted) continue;
    if (request.useCache) await deps.baselines.saveBaseline(baselineKey(request.baseCommit, spec), baseline);
    result.byCheck.set(spec.checkId, baseline);
    result.ran.push(spec.checkId);
  }
  return result;
}
