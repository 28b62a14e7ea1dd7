import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDurationMs } from '../../core/duration.js';
import { BatonError } from '../../core/errors.js';
import { CONFIG_FILE_NAME, DEFAULT_CHECK_TIMEOUT_MS, defaultProjectConfig, type Budgets, type ProjectConfig } from '../../core/run/project-config.js';
import { configFieldErrors, type ConfigFieldError } from './config-errors.js';
import { findJsonSyntaxError } from './json-syntax-error.js';
import { projectConfigFileSchema, type ProjectConfigFile } from './project-config-schema.js';

/**
 * Reads `<repoRoot>/baton.config.json`; a repository without one gets every default.
 * Throws BatonError CONFIG_INVALID naming every problem in the file.
 */
export function loadProjectConfig(repoRoot: string): ProjectConfig {
  const file = join(repoRoot, CONFIG_FILE_NAME);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return defaultProjectConfig();
    const reason = (error as Error).message;
    throw new BatonError('CONFIG_INVALID', `cannot read ${file}: ${reason}\nMake it a readable file, or remove it to use every default.`, {
      file,
      errors: [{ path: '', message: reason }],
    });
  }
  return projectConfigFromFile(text, file);
}

/** Parses and validates the text of a config file; `file` names it in errors and in `source`. */
export function projectConfigFromFile(text: string, file: string): ProjectConfig {
  const parsed = projectConfigFileSchema.safeParse(parseJson(text.replace(/^\uFEFF/, ''), file), { reportInput: true });
  if (!parsed.success) {
    const errors = configFieldErrors(parsed.error.issues, projectConfigFileSchema);
    const lines = errors.map((error) => `  ${error.path}: ${error.message}`);
    const count = errors.length === 1 ? '1 error' : `${errors.length} errors`;
    throw new BatonError(
      'CONFIG_INVALID',
      `${file} has ${count}:\n${lines.join('\n')}\nFix ${errors.length === 1 ? 'it' : 'them'} and run again; every field is described in baton's JSON Schema (\`baton schema --print\`).`,
      { file, errors },
    );
  }
  return toProjectConfig(parsed.data, file);
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const located = findJsonSyntaxError(text);
    const where = located ? `line ${located.line}, column ${located.column}` : 'somewhere';
    const reason = located?.reason ?? (error as Error).message;
    const fieldError: ConfigFieldError & { line?: number; column?: number } = { path: '', message: reason, ...(located ? { line: located.line, column: located.column } : {}) };
    throw new BatonError('CONFIG_INVALID', `${file} is not valid JSON (${where}): ${reason}\nFix the syntax and run again.`, { file, errors: [fieldError] });
  }
}

/** The file's fields in core's shape: defaults filled in, durations in milliseconds. */
function toProjectConfig(file: ProjectConfigFile, source: string): ProjectConfig {
  const defaults = defaultProjectConfig();
  const { agent = {}, scope = {} } = file;
  return {
    source,
    agent: {
      name: agent.name ?? defaults.agent.name,
      model: orDefault(agent.model, defaults.agent.model),
      idleTimeoutMs: toMs(agent.idleTimeout, defaults.agent.idleTimeoutMs),
      extraArgs: [...(agent.args ?? defaults.agent.extraArgs)],
    },
    setup: orDefault(file.setup, defaults.setup),
    checks: (file.checks ?? []).map((check) => ({
      id: check.id,
      run: check.run,
      timeoutMs: toMs(check.timeout, DEFAULT_CHECK_TIMEOUT_MS),
      files: [...(check.files ?? [])],
      report: check.report === undefined ? null : { format: check.report.format, path: check.report.path ?? null },
    })),
    scope: {
      allow: [...(scope.allow ?? defaults.scope.allow)],
      protect: [...(scope.protect ?? defaults.scope.protect)],
      testFiles: [...(scope.testFiles ?? defaults.scope.testFiles)],
      editableTests: [...(scope.editableTests ?? defaults.scope.editableTests)],
    },
    requiredFiles: [...(file.requiredFiles ?? defaults.requiredFiles)],
    forbiddenPatterns: (file.forbiddenPatterns ?? []).map((rule) => ({
      id: rule.id,
      pattern: rule.pattern,
      paths: [...(rule.paths ?? [])],
      message: rule.message ?? `lines matching /${rule.pattern}/ are not allowed`,
    })),
    budgets: toBudgets(file.budgets ?? {}, defaults.budgets),
    requireReport: file.requireReport ?? defaults.requireReport,
    worktreeRoot: file.worktreeRoot ?? defaults.worktreeRoot,
    baseBranch: orDefault(file.baseBranch, defaults.baseBranch),
    baseline: { preexisting: file.baseline?.preexisting ?? defaults.baseline.preexisting },
    evidenceStreamLimitBytes: file.evidence?.maxStreamMB === undefined ? defaults.evidenceStreamLimitBytes : file.evidence.maxStreamMB * 1024 * 1024,
    merge: {
      strategy: file.merge?.strategy ?? defaults.merge.strategy,
      retries: file.merge?.retries ?? defaults.merge.retries,
      batch: file.merge?.batch ?? defaults.merge.batch,
      approval: {
        paths: [...(file.merge?.approval?.paths ?? [])],
        resources: [...(file.merge?.approval?.resources ?? [])],
        kinds: [...(file.merge?.approval?.kinds ?? [])],
        labels: [...(file.merge?.approval?.labels ?? [])],
      },
    },
    fleet: {
      maxPerAgent: { ...(file.fleet?.maxPerAgent ?? {}) },
      dailyTokens: file.fleet?.dailyTokens ?? null,
      dailyUsd: file.fleet?.dailyUsd ?? null,
      agents: (file.fleet?.agents ?? []).map((rule) => ({ kind: rule.kind ?? null, label: rule.label ?? null, agent: rule.agent })),
    },
  };
}

function toBudgets(budgets: NonNullable<ProjectConfigFile['budgets']>, defaults: Budgets): Budgets {
  return {
    maxAttempts: budgets.maxAttempts ?? defaults.maxAttempts,
    timeoutMs: toMs(budgets.timeout, defaults.timeoutMs),
    maxTokens: orDefault(budgets.maxTokens, defaults.maxTokens),
    maxUsd: orDefault(budgets.maxUsd, defaults.maxUsd),
    stalledAfter: budgets.stalledAfter ?? defaults.stalledAfter,
    maxDivergences: budgets.maxDivergences ?? defaults.maxDivergences,
    maxRateLimitRetries: budgets.maxRateLimitRetries ?? defaults.maxRateLimitRetries,
    rateLimitWaitMs: toMs(budgets.rateLimitWait, defaults.rateLimitWaitMs),
  };
}

/** The schema has checked the grammar, so this parses. */
function toMs(value: string | undefined, fallbackMs: number): number {
  return value === undefined ? fallbackMs : parseDurationMs(value, 'duration');
}

/** Absent takes the default; an explicit null stays null ("no cap", "none"). */
function orDefault<T>(value: T | undefined, fallback: T): T {
  return value === undefined ? fallback : value;
}
