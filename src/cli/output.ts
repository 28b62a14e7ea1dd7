import { BatonError } from '../core/errors.js';

/** Bumped when a JSON document's shape changes in a way that can break a consumer. */
export const SCHEMA_VERSION = 1;

/**
 * What a command hands back: one JSON document and its plain-text rendering. The text may be
 * a function, made only when it is printed: a command run with --json never pays for it.
 */
export interface CommandOutput {
  json: Record<string, unknown>;
  text: string | (() => string);
  /** Non-zero for outcomes that are answers, not errors (none yet; kept for `doctor`). */
  exitCode?: number;
  /** The command already wrote its output (`export` to stdout): only the exit code is left. */
  streamed?: boolean;
}

export function jsonDocument(body: Record<string, unknown>): string {
  return JSON.stringify({ schemaVersion: SCHEMA_VERSION, ...body });
}

export function errorDocument(error: BatonError): string {
  const details = error.details ? { details: error.details } : {};
  return JSON.stringify({ schemaVersion: SCHEMA_VERSION, error: { code: error.code, message: error.message, ...details } });
}

export interface Paint {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

const wrap = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;
const plain = (text: string): string => text;

/** ANSI colours only for a terminal; plain text for pipes, agents, CI and NO_COLOR. */
export function paint(enabled: boolean): Paint {
  if (!enabled) return { bold: plain, dim: plain, red: plain, green: plain, yellow: plain, cyan: plain };
  return { bold: wrap(1, 22), dim: wrap(2, 22), red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39), cyan: wrap(36, 39) };
}
