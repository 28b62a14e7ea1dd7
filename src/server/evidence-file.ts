import { realpathSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { BatonError, InvalidInputError } from '../core/errors.js';

/** The largest evidence file served whole; bigger ones are for `baton run-log` or the file itself. */
export const MAX_EVIDENCE_BYTES = 8 * 1024 * 1024;

/**
 * The segments of an evidence path as the URL gives them, each decoded on its own, so an
 * encoded `..` or `/` (`%2e%2e`, `%2f`) is seen for what it is and refused, as is any `.`/`..`,
 * empty segment, backslash or NUL: the path names a file inside the run's folder, nothing else.
 */
export function evidenceSegments(rawPath: string): string[] {
  const segments = rawPath.split('/').map((segment) => {
    try {
      return decodeURIComponent(segment);
    } catch {
      throw new InvalidInputError('path', `${JSON.stringify(segment)} is not a valid URL segment`);
    }
  });
  if (segments.length === 0 || segments.some((segment) => segment === '' || segment === '.' || segment === '..' || /[/\\\0]/.test(segment))) {
    throw new InvalidInputError('path', 'names a file inside the run\'s evidence, like attempt-1/prompt.md; no "..", "." or empty segments');
  }
  return segments;
}

/**
 * The real path of an evidence file of run `run` of task `task`, under `evidenceRoot`. The run's
 * folder is taken as it is named under the real evidence root, not as any symlink leads: a
 * symlink anywhere on the way (the task's folder, the run's, or a file) that leads out of it is
 * refused as if the file were not there, so nothing outside the run's evidence is ever served.
 */
export function evidenceFile(evidenceRoot: string, task: number, run: number, segments: readonly string[]): { path: string; size: number } {
  const missing = new BatonError('NOT_FOUND', `no evidence file ${segments.join('/')} in this run; \`baton run-log ID --attempt N\` lists what an attempt kept`);
  let root: string;
  let path: string;
  try {
    root = join(realpathSync(evidenceRoot), String(task), String(run));
    path = realpathSync(join(root, ...segments));
  } catch {
    throw missing;
  }
  if (!path.startsWith(root + sep)) throw missing;
  const stat = statSync(path);
  if (!stat.isFile()) throw missing;
  if (stat.size > MAX_EVIDENCE_BYTES) throw new BatonError('CONFLICT', `${segments.join('/')} is ${stat.size} bytes, over the ${MAX_EVIDENCE_BYTES} bytes served; read it from the run's folder`);
  return { path, size: stat.size };
}
