import { spawn } from 'node:child_process';
import { batonRunner, onLines, stopChild, type BatonBinary } from './child.js';

/*
 * The fleet part while it runs: the supervisor (`baton run --ready`) as a child, its output
 * streamed line by line, and the demo's person, who approves the task the approval policy holds
 * once the supervisor has said it waits for one and has ended. Sooner, `baton approve` would
 * land the queue beside the supervisor's own landings: a task it then sent back after the
 * supervisor had ended would be left for nobody to run again.
 */

/** Who approves: the name the board records for the person's decision. */
export const PERSON = 'person';
export const APPROVAL_MESSAGE = 'shout had no callers left; removing it is fine';

/** Generous: the whole fleet takes well under a minute here; this only stops one that hangs. */
const FLEET_TIMEOUT_MS = 240_000;
const INTERRUPT_AFTER_MS = 200;
const HELD_FOR_APPROVAL = /^supervisor: #(\d+) waits_for_approval: /;

export interface StreamedLine {
  /** Milliseconds since the supervisor started. */
  atMs: number;
  text: string;
}

export interface SupervisorRun {
  exitCode: number;
  startedMs: number;
  lines: StreamedLine[];
}

export interface SupervisorOptions {
  binary: BatonBinary;
  repo: string;
  args: readonly string[];
  supervisorEnv: NodeJS.ProcessEnv;
  personEnv: NodeJS.ProcessEnv;
  /** The task the person approves once the supervisor has said it waits for approval. */
  approvalTaskId: number;
  /** Shows a line of progress; `shown` is what a line becomes on screen (paths of the scratch repository hidden). */
  progress: (line: string) => void;
  shown: (line: string) => string;
  signal: AbortSignal;
}

/** Runs the supervisor to its end, then the person approves if asked to; resolves once both are done. */
export async function superviseWithPerson(options: SupervisorOptions): Promise<SupervisorRun> {
  const startedMs = Date.now();
  const child = spawn(options.binary.node, [options.binary.script, ...options.args], { cwd: options.repo, env: options.supervisorEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: StreamedLine[] = [];
  let asked = false;
  const show = (line: string): void => {
    lines.push({ atMs: Date.now() - startedMs, text: line });
    options.progress(`  | ${options.shown(line)}`);
    const held = HELD_FOR_APPROVAL.exec(line);
    if (asked || held === null || Number(held[1]) !== options.approvalTaskId) return;
    asked = true;
    options.progress(`#${options.approvalTaskId} waits for ${PERSON}, who looks at it once the supervisor has ended`);
  };
  onLines(child.stdout, show);
  onLines(child.stderr, show);
  // The supervisor's first SIGTERM stops its dispatching; the second (stopChild's) interrupts its
  // runs, whose agents stop and whose tasks go back; it is killed if it still has not ended.
  const stop = (): void => {
    child.kill('SIGTERM');
    setTimeout(() => void stopChild(child), INTERRUPT_AFTER_MS);
  };
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
    if (asked && !options.signal.aborted) await approveAsPerson(options);
    return { exitCode, startedMs, lines };
  } finally {
    clearTimeout(timer);
    options.signal.removeEventListener('abort', stop);
  }
}

/** The person reads what waits for them and approves it; `baton approve` queues the task and lands the queue. */
async function approveAsPerson(options: SupervisorOptions): Promise<void> {
  const person = batonRunner(options.binary, options.repo, options.personEnv);
  const id = String(options.approvalTaskId);
  const review = await person(['review']);
  options.progress(`${PERSON}$ baton review`);
  for (const line of review.stdout.trimEnd().split('\n')) options.progress(`  ${PERSON}| ${options.shown(line)}`);
  options.progress(`${PERSON}$ baton approve ${id} -m "${APPROVAL_MESSAGE}"`);
  const approve = await person(['approve', id, '-m', APPROVAL_MESSAGE]);
  for (const line of `${approve.stdout}${approve.stderr}`.trimEnd().split('\n')) options.progress(`  ${PERSON}| ${options.shown(line)}`);
}
