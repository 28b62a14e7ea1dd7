import { BatonError } from '../errors.js';
import type { AddedLine } from './changed-file.js';
import type { CheckFailure } from './check-failure.js';
import { globMatcher } from './path-glob.js';
import type { ForbiddenPattern } from './project-config.js';

/** Hits listed in a failure's detail; the rest are counted. */
const MAX_HITS_SHOWN = 20;
/** Characters of an offending line shown; a minified file can have very long ones. */
const MAX_LINE_CHARS = 200;

/**
 * One failure per pattern that some added line matches (kind `forbidden_pattern`, checkId
 * `pattern:<id>`), its detail listing `path:line: text` for the first 20 hits and how many
 * more there are. A pattern applies to the added lines of files matching its `paths` (all
 * files when empty). Patterns are compiled as the config loader checked them: no flags.
 */
export function forbiddenPatternFailures(lines: readonly AddedLine[], patterns: readonly ForbiddenPattern[]): CheckFailure[] {
  const failures: CheckFailure[] = [];
  for (const pattern of patterns) {
    const regex = compile(pattern);
    const applies = pattern.paths.length === 0 ? () => true : globMatcher(pattern.paths);
    const hits = lines.filter((line) => applies(line.path) && regex.test(line.text));
    if (hits.length > 0) failures.push(failureOf(pattern, hits));
  }
  return failures;
}

function failureOf(pattern: ForbiddenPattern, hits: readonly AddedLine[]): CheckFailure {
  const files = new Set(hits.map((hit) => hit.path)).size;
  const count = hits.length === 1 ? 'an added line matches' : `${hits.length} added lines match`;
  const where = files === 1 ? (hits[0] as AddedLine).path : `${files} files`;
  const shown = hits.slice(0, MAX_HITS_SHOWN).map((hit) => `${hit.path}:${hit.line}: ${clip(hit.text.trim())}`);
  const more = hits.length > MAX_HITS_SHOWN ? [`... and ${hits.length - MAX_HITS_SHOWN} more`] : [];
  return {
    checkId: `pattern:${pattern.id}`,
    kind: 'forbidden_pattern',
    summary: `${pattern.message.trim() || `forbidden pattern ${pattern.id}`}: ${count} /${pattern.pattern}/ in ${where}`,
    detail: [...shown, ...more].join('\n'),
  };
}

function compile(pattern: ForbiddenPattern): RegExp {
  try {
    return new RegExp(pattern.pattern);
  } catch (error) {
    // The config loader refuses such a pattern; one reaching here is a bug upstream, not the agent's fault.
    throw new BatonError('CONFIG_INVALID', `forbidden pattern '${pattern.id}' is not a valid regular expression (${(error as Error).message}); fix it in baton.config.json`, {
      id: pattern.id,
    });
  }
}

function clip(text: string): string {
  return text.length > MAX_LINE_CHARS ? `${text.slice(0, MAX_LINE_CHARS)}...` : text;
}

/**
 * Git's conflict markers in the files a merge left conflicted: a run that starts from such a
 * merge passes only once every marker is gone from them. And in every other file, the marker
 * lines that merge itself wrote (ours is `HEAD`, theirs the base's commit id, as baton merges
 * it): markers copied or moved out of the conflicted files are not resolved either. Only those
 * exact lines, so a file of the task's that shows markers of its own (a merge tool's tests) is not caught.
 */
export function conflictMarkerPatterns(paths: readonly string[]): ForbiddenPattern[] {
  const message = 'an unresolved merge conflict marker: keep what both sides meant, and remove the marker lines';
  return [
    {
      id: 'conflict-markers',
      pattern: '^(<{7}|>{7})( |$)|^={7}$',
      // As globs: a rare `*` or `?` in a file's name widens the net a little, never narrows it.
      paths: [...paths],
      message,
    },
    { id: 'conflict-markers-moved', pattern: '^(<{7} HEAD|>{7} [0-9a-f]{40}([0-9a-f]{24})?)(:.*)?$', paths: [], message },
  ];
}
