import type { ErrorCode } from '../core/errors.js';

/** The documented exit codes: 0 ok, 1 failed, 2 usage, 3 not found, 4 conflict. */
export const EXIT = { ok: 0, failed: 1, usage: 2, notFound: 3, conflict: 4 } as const;

const BY_CODE: Record<ErrorCode, number> = {
  USAGE: EXIT.usage,
  INVALID_INPUT: EXIT.usage,
  TASK_NOT_FOUND: EXIT.notFound,
  NOT_FOUND: EXIT.notFound,
  NOTHING_READY: EXIT.notFound,
  ILLEGAL_TRANSITION: EXIT.conflict,
  ALREADY_CLAIMED: EXIT.conflict,
  DEPENDENCIES_UNMET: EXIT.conflict,
  DEPENDENCY_CYCLE: EXIT.conflict,
  CONFLICT: EXIT.conflict,
  APPROVAL_REQUIRED: EXIT.conflict,
  BOARD_NOT_EMPTY: EXIT.conflict,
  NOT_IN_REPOSITORY: EXIT.failed,
  BOARD_UNREADABLE: EXIT.failed,
  BOARD_TOO_NEW: EXIT.failed,
  BOARD_OUTDATED: EXIT.failed,
  BOARD_REPLACED: EXIT.failed,
  BOARD_READ_ONLY: EXIT.failed,
  CONFIG_INVALID: EXIT.usage,
  UNKNOWN_AGENT: EXIT.usage,
  AGENT_NOT_INSTALLED: EXIT.failed,
  FAILED: EXIT.failed,
};

export function exitCodeFor(code: ErrorCode): number {
  return BY_CODE[code];
}
