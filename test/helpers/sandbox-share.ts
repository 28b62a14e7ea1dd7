import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/*
 * Every command a run contains gets temporary folders of its own, so the folders a test makes
 * in /tmp for its scripted agents (their scripts, what they copy in, what they record) would
 * be hidden from them. Tests make those folders below one root and name it, with this
 * checkout (its node_modules, bin and dist, which the agents and checks run: a CI clone lives
 * below /tmp too), in BATON_SANDBOX_SHARE.
 */

/** The root of the folders contained commands of the tests still see: one per user. */
export const SHARED_TEST_ROOT = join(tmpdir(), `baton-test-shared-${process.geteuid?.() ?? 'user'}`);

/** BATON_SANDBOX_SHARE for the tests' runs. */
export const TEST_SANDBOX_SHARE = [SHARED_TEST_ROOT, resolve(import.meta.dirname, '../..')].join(':');

/** A new folder the tests' contained commands see, like `mkdtempSync(join(tmpdir(), prefix))`. */
export function sharedTempDir(prefix: string): string {
  mkdirSync(SHARED_TEST_ROOT, { recursive: true, mode: 0o700 });
  return mkdtempSync(join(SHARED_TEST_ROOT, prefix));
}
