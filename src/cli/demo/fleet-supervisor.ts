import { spawn } from 'node:child_process';
import { batonRunner, onLines, stopChild, type BatonBinary, type ChildResult } from './child.js';

/*
 * The fleet part while it runs: the supervisor (`baton run --ready`) as a child, its output
 * streamed line by line, and the demo's person, who approves the task the approval policy holds
 * as soon as the supervisor says it waits for one.
 */

/** Who approves: the name the board records for the person's decision. */
export const PERSON = 'person';
export const APPROVAL_MESSAGE = 'shout had no callers left; removing it is fine';

/** Generous: the whole fleet takes well under a minute here; this only stops one that hangs. */
const FLEET_TIMEOUT_MS = 240_000;
const HELD_FOR_APPROVAL = /^supervisor: #(\d+) waits_for_approval: /;

export interface StreamedLine {
  /** Milliseconds since the supervisor started. */
  atMs: number;
  text: string;
}

/** What the person did: `baton review` as they read it, then `baton approve`. */
export interface PersonApproval {
  taskId: number;
  review: string;
  approve: ChildResult;
}

export interface SupervisorRun {
  exitCode: number;
  startedMs: number;
  lines: StreamedLine[];
  approval: PersonApproval | null;
}

export interface SupervisorOptions {
  binary: BatonBinary;
  repo: string;
  args: readonly string[];
  supervisorEnv: NodeJS.ProcessEnv;
  personEnv: NodeJS.ProcessEnv;
  /** The task the person approves once the supervisor says it waits for approval. */
  approvalTaskId: number;
  /**
   * Whether the person approves as soon as asked, or only once the supervisor has ended:
   * uncontained, the landing that follows would move the base under a running attempt, which
   * would take that for its own doing.
   */
  approveAtOnce: boolean;
  /** Shows a line of progress; `shown` is what a line becomes on screen (paths of the scratch repository hidden). */
  progress: (line: string) => void;
  shown: (line: string) => string;
  signal: AbortSignal;
}

/** Runs the supervisor to its end, the person approving on cue; resolves once both are done. */
export async function superviseWithPerson(options: SupervisorOptions): Promise<SupervisorRun> {
  const startedMs = Date.now();
  const child = spawn(options.binary.node, [options.binary.script, ...options.args], { cwd: options.repo, env: options.supervisorEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: StreamedLine[] = [];
  let approval: Promise<PersonApproval> | null = null;
  let asked = false;
  const show = (line: string): void => {
    lines.push({ atMs: Date.now() - startedMs, text: line });
    options.progress(`  | ${options.shown(line)}`);
    const held = HELD_FOR_APPROVAL.exec(line);
    if (asked || held === null || Number(held[1]) !== options.approvalTaskId) return;
    asked = true;
    if (options.approveAtOnce) approval = approveAsPerson(options);
    else options.progress(`${PERSON} will approve #${options.approvalTaskId} once the supervisor has ended: uncontained, its landing would move the base under a running attempt`);
  };
  onLines(child.stdout, show);
  onLines(child.stderr, show);
  // SIGTERM makes the supervisor stop dispatching; it stops its runs' agents and puts their tasks back.
  const stop = (): void => void stopChild(child);
  const timer = setTimeout(() => {
    options.progress(`the supervisor is still going after ${FLEET_TIMEOUT_MS / 1000}s; stopping it`);
    stop();
  }, FLEET_TIMEOUT_MS);
  options.signal.addEventListener('abort', stop, { once: true });
  try {
    const exitCode = await new Promise<number>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => resolve(code ?? -1));
    });
    if (asked && approval === null) approval = approveAsPerson(options);
    return { exitCode, startedMs, lines, approval: approval === null ? null : await approval };
  } finally {
    clearTimeout(timer);
    options.signal.removeEventListener('abort', stop);
  }
}

/**
 * The person reads what waits for them and approves it. `baton approve` queues the task and
 * lands the queue itself, unless the supervisor is landing it just then (which lands it too).
 */
async function approveAsPerson(options: SupervisorOptions): Promise<PersonApproval> {
  const person = batonRunner(options.binary, options.repo, options.personEnv);
  const id = String(options.approvalTaskId);
  const review = await person(['review']);
  options.progress(`${PERSON}$ baton review`);
  for (const line of review.stdout.trimEnd().split('\n')) options.progress(`  ${PERSON}| ${options.shown(line)}`);
  options.progress(`${PERSON}$ baton approve ${id} -m "${APPROVAL_MESSAGE}"`);
  const approve = await person(['approve', id, '-m', APPROVAL_MESSAGE]);
  for (const line of `${approve.stdout}${approve.stderr}`.trimEnd().split('\n')) options.progress(`  ${PERSON}| ${options.shown(line)}`);
  return { taskId: options.approvalTaskId, review: review.stdout.trimEnd(), approve };
}
