/**
 * Every failure baton reports carries a stable `code`; the CLI maps codes to exit codes
 * (see cli/exit-codes.ts). Messages say what went wrong and what to do next.
 */
export type ErrorCode =
  | 'USAGE'
  | 'INVALID_INPUT'
  | 'TASK_NOT_FOUND'
  | 'NOT_FOUND'
  | 'ILLEGAL_TRANSITION'
  | 'ALREADY_CLAIMED'
  | 'DEPENDENCIES_UNMET'
  | 'DEPENDENCY_CYCLE'
  | 'CONFLICT'
  | 'APPROVAL_REQUIRED'
  | 'NOTHING_READY'
  | 'NOT_IN_REPOSITORY'
  | 'BOARD_UNREADABLE'
  | 'BOARD_TOO_NEW'
  | 'BOARD_OUTDATED'
  | 'BOARD_REPLACED'
  | 'BOARD_READ_ONLY'
  | 'BOARD_NOT_EMPTY'
  | 'CONFIG_INVALID'
  | 'AGENT_NOT_INSTALLED'
  | 'UNKNOWN_AGENT'
  | 'FAILED';

export class BatonError extends Error {
  readonly code: ErrorCode;
  /** Machine-readable detail for `--json` consumers (blockers, cycle, legal transitions...). */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'BatonError';
    this.code = code;
    this.details = details;
  }
}

/** Bad value for a named field; `field` is the flag or argument the user typed. */
export class InvalidInputError extends BatonError {
  readonly field: string;
  constructor(field: string, message: string) {
    super('INVALID_INPUT', `${field}: ${message}`, { field });
    this.field = field;
  }
}

export class TaskNotFoundError extends BatonError {
  constructor(id: number) {
    super('TASK_NOT_FOUND', `task #${id} does not exist; run \`baton list\` to see task ids`, { id });
  }
}
