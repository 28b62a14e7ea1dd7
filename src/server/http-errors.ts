import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { BatonError, type ErrorCode } from '../core/errors.js';
import { SCHEMA_VERSION } from '../cli/output.js';

/**
 * The HTTP status of every BatonError code, in one table: a new code fails the typecheck here
 * until it has one. 400 bad input, 404 no such thing, 409 a conflict with the board's state.
 */
const STATUS_BY_CODE: Record<ErrorCode, ContentfulStatusCode> = {
  USAGE: 400,
  INVALID_INPUT: 400,
  CONFIG_INVALID: 400,
  UNKNOWN_AGENT: 400,
  TASK_NOT_FOUND: 404,
  NOT_FOUND: 404,
  NOTHING_READY: 404,
  ILLEGAL_TRANSITION: 409,
  ALREADY_CLAIMED: 409,
  DEPENDENCIES_UNMET: 409,
  DEPENDENCY_CYCLE: 409,
  CONFLICT: 409,
  APPROVAL_REQUIRED: 409,
  BOARD_NOT_EMPTY: 409,
  NOT_IN_REPOSITORY: 500,
  BOARD_UNREADABLE: 500,
  BOARD_TOO_NEW: 500,
  BOARD_OUTDATED: 500,
  BOARD_REPLACED: 500,
  BOARD_READ_ONLY: 500,
  AGENT_NOT_INSTALLED: 500,
  FAILED: 500,
};

/** Refusals only HTTP has: no or bad token (401), a foreign Host or Origin (403), a body too large (413), too many streams (503). */
export type HttpRefusalCode = 'UNAUTHORIZED' | 'FORBIDDEN' | 'TOO_LARGE' | 'BUSY';

const STATUS_BY_REFUSAL: Record<HttpRefusalCode, ContentfulStatusCode> = { UNAUTHORIZED: 401, FORBIDDEN: 403, TOO_LARGE: 413, BUSY: 503 };

export class HttpRefusal extends Error {
  constructor(
    readonly code: HttpRefusalCode,
    message: string,
  ) {
    super(message);
    this.name = 'HttpRefusal';
  }
}

export function statusFor(code: ErrorCode): ContentfulStatusCode {
  return STATUS_BY_CODE[code];
}

/** The CLI's `--json` error document, with the status its code maps to. */
export function errorResponse(c: Context, error: unknown): Response {
  if (error instanceof HttpRefusal) {
    const headers: Record<string, string> = error.code === 'UNAUTHORIZED' ? { 'WWW-Authenticate': 'Bearer realm="baton"' } : {};
    return c.json({ schemaVersion: SCHEMA_VERSION, error: { code: error.code, message: error.message } }, STATUS_BY_REFUSAL[error.code], headers);
  }
  const known = error instanceof BatonError ? error : new BatonError('FAILED', `unexpected failure: ${error instanceof Error ? error.message : String(error)}`);
  const details = known.details ? { details: known.details } : {};
  return c.json({ schemaVersion: SCHEMA_VERSION, error: { code: known.code, message: known.message, ...details } }, statusFor(known.code));
}
