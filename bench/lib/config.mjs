// Knobs for the bench scripts, read from the environment so CI or a curious reader can shrink
// or stretch a run without editing code.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function intFromEnv(name, fallback) {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got '${text}'`);
  return value;
}

export function listFromEnv(name, fallback) {
  const text = process.env[name];
  return text ? text.split(',').map((item) => item.trim()).filter(Boolean) : fallback;
}

/** A scratch folder for boards and repositories, removed at exit unless BENCH_KEEP=1. */
export function scratchDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (process.env.BENCH_KEEP !== '1') process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
