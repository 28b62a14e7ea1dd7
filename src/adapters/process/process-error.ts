import { BatonError } from '../../core/errors.js';

/** What a finished command left behind, as an error needs it. */
export interface ProcessFailure {
  command: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: 'wall' | 'idle' | null;
  cancelled: boolean;
  stdoutTail: string;
  stderrTail: string;
}

const MESSAGE_TAIL_LINES = 5;

/** A command that could not start, failed, timed out or was cancelled; carries its output tails. */
export class ProcessError extends BatonError {
  readonly command: string;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: 'wall' | 'idle' | null;
  readonly stdoutTail: string;
  readonly stderrTail: string;

  constructor(failure: ProcessFailure, how = describeFailure(failure)) {
    const tail = lastLines(failure.stderrTail || failure.stdoutTail);
    super('FAILED', `\`${failure.command}\` ${how}${tail ? `:\n${tail}` : ''}`, {
      command: failure.command,
      exitCode: failure.exitCode,
      signal: failure.signal,
      timedOut: failure.timedOut,
      stdout: failure.stdoutTail,
      stderr: failure.stderrTail,
    });
    this.name = 'ProcessError';
    this.command = failure.command;
    this.exitCode = failure.exitCode;
    this.signal = failure.signal;
    this.timedOut = failure.timedOut;
    this.stdoutTail = failure.stdoutTail;
    this.stderrTail = failure.stderrTail;
  }
}

function describeFailure(failure: ProcessFailure): string {
  if (failure.timedOut === 'wall') return 'timed out and was killed';
  if (failure.timedOut === 'idle') return 'printed nothing for too long and was killed';
  if (failure.cancelled) return 'was cancelled';
  if (failure.signal) return `was killed by ${failure.signal}`;
  return `exited with ${failure.exitCode}`;
}

function lastLines(text: string): string {
  return text.trimEnd().split('\n').slice(-MESSAGE_TAIL_LINES).join('\n');
}
