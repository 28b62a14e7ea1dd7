import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BatonError } from '../../core/errors.js';
import { defaultProjectConfig, type ProjectConfig } from '../../core/run/project-config.js';
import { loadProjectConfig, projectConfigFromFile } from './load-project-config.js';

const FILE = '/repo/baton.config.json';

/** The thrown CONFIG_INVALID error; fails the test when the text is accepted. */
function rejection(text: string): BatonError & { details: { file: string; errors: { path: string; message: string; line?: number; column?: number }[] } } {
  try {
    projectConfigFromFile(text, FILE);
  } catch (error) {
    expect(error).toBeInstanceOf(BatonError);
    expect((error as BatonError).code).toBe('CONFIG_INVALID');
    return error as never;
  }
  throw new Error(`accepted: ${text}`);
}

/** `path: message` for each error, as the message lists them. */
function errorLines(config: unknown): string[] {
  return rejection(JSON.stringify(config)).details.errors.map((error) => `${error.path}: ${error.message}`);
}

describe('loadProjectConfig', () => {
  const dirs: string[] = [];
  const repo = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-config-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('gives every default when the repository has no config file', () => {
    expect(loadProjectConfig(repo())).toEqual(defaultProjectConfig());
  });

  it('reads baton.config.json at the repository root and records it as the source', () => {
    const root = repo();
    writeFileSync(join(root, 'baton.config.json'), '{ "budgets": { "maxAttempts": 7 } }\n');
    const config = loadProjectConfig(root);
    expect(config.source).toBe(join(root, 'baton.config.json'));
    expect(config.budgets.maxAttempts).toBe(7);
  });

  it('names the file when it cannot be read', () => {
    const root = repo();
    mkdirSync(join(root, 'baton.config.json'));
    expect(() => loadProjectConfig(root)).toThrow(/cannot read .*baton\.config\.json: .*EISDIR/);
  });

  it('reports an invalid file through the loader too', () => {
    const root = repo();
    writeFileSync(join(root, 'baton.config.json'), '{ "budgets": { "maxAttempts": 0 } }');
    expect(() => loadProjectConfig(root)).toThrow(`${join(root, 'baton.config.json')} has 1 error:\n  budgets.maxAttempts: must be a whole number from 1 to 100 (got 0)`);
  });
});

describe('projectConfigFromFile', () => {
  it('maps a full file to the exact config, durations in milliseconds', () => {
    const text = JSON.stringify({
      $schema: './node_modules/baton-agents/schema/baton.config.schema.json',
      agent: { name: 'codex', model: 'gpt-5', idleTimeout: '90s', args: ['--search'] },
      setup: 'npm ci',
      checks: [
        { id: 'test', run: 'npm test', timeout: '2h', files: ['vitest.config.ts'], report: { format: 'junit', path: 'reports/junit.xml' } },
        { id: 'lint', run: 'npm run lint' },
      ],
      scope: { allow: ['docs/**'], protect: ['package-lock.json'], testFiles: ['**/*.test.ts'], editableTests: ['test/helpers/**'] },
      requiredFiles: ['CHANGELOG.md'],
      forbiddenPatterns: [
        { id: 'no-focused-tests', pattern: '\\b(it|describe)\\.only\\(', paths: ['**/*.test.ts'], message: 'remove .only' },
        { id: 'no-debugger', pattern: '\\bdebugger\\b' },
      ],
      budgets: { maxAttempts: 5, timeout: '45m', maxTokens: 2_000_000, maxUsd: 2.5, stalledAfter: 3, maxDivergences: 1, maxRateLimitRetries: 0, rateLimitWait: '500ms' },
      requireReport: true,
      worktreeRoot: '/tmp/worktrees',
      baseBranch: 'main',
      baseline: { preexisting: 'block' },
      evidence: { maxStreamMB: 16 },
      merge: { strategy: 'rebase', retries: 1, batch: 4, approval: { paths: ['migrations/**'], resources: ['removes:*'], kinds: ['feature'], labels: ['needs-review'] } },
      fleet: { maxPerAgent: { claude: 2 }, dailyTokens: 1_000_000, dailyUsd: 20, agents: [{ kind: 'bug', agent: 'codex' }, { label: 'ui', agent: 'claude' }] },
    });
    const expected: ProjectConfig = {
      source: FILE,
      agent: { name: 'codex', model: 'gpt-5', idleTimeoutMs: 90_000, extraArgs: ['--search'] },
      setup: 'npm ci',
      checks: [
        { id: 'test', run: 'npm test', timeoutMs: 7_200_000, files: ['vitest.config.ts'], report: { format: 'junit', path: 'reports/junit.xml' } },
        { id: 'lint', run: 'npm run lint', timeoutMs: 600_000, files: [], report: null },
      ],
      scope: { allow: ['docs/**'], protect: ['package-lock.json'], testFiles: ['**/*.test.ts'], editableTests: ['test/helpers/**'] },
      requiredFiles: ['CHANGELOG.md'],
      forbiddenPatterns: [
        { id: 'no-focused-tests', pattern: '\\b(it|describe)\\.only\\(', paths: ['**/*.test.ts'], message: 'remove .only' },
        { id: 'no-debugger', pattern: '\\bdebugger\\b', paths: [], message: 'lines matching /\\bdebugger\\b/ are not allowed' },
      ],
      budgets: { maxAttempts: 5, timeoutMs: 2_700_000, maxTokens: 2_000_000, maxUsd: 2.5, stalledAfter: 3, maxDivergences: 1, maxRateLimitRetries: 0, rateLimitWaitMs: 500 },
      requireReport: true,
      worktreeRoot: '/tmp/worktrees',
      baseBranch: 'main',
      baseline: { preexisting: 'block' },
      evidenceStreamLimitBytes: 16 * 1024 * 1024,
      merge: { strategy: 'rebase', retries: 1, batch: 4, approval: { paths: ['migrations/**'], resources: ['removes:*'], kinds: ['feature'], labels: ['needs-review'] } },
      fleet: { maxPerAgent: { claude: 2 }, dailyTokens: 1_000_000, dailyUsd: 20, agents: [{ kind: 'bug', label: null, agent: 'codex' }, { kind: null, label: 'ui', agent: 'claude' }] },
    };
    expect(projectConfigFromFile(text, FILE)).toEqual(expected);
  });

  it('fills every default for {} and for empty sections, and takes $schema', () => {
    const defaults = { ...defaultProjectConfig(), source: FILE };
    expect(projectConfigFromFile('{}', FILE)).toEqual(defaults);
    expect(projectConfigFromFile('{ "$schema": "x.json", "agent": {}, "scope": {}, "budgets": {}, "merge": { "approval": {} }, "fleet": {} }', FILE)).toEqual(defaults);
  });

  it('keeps an explicit null as "none" and fills only what is absent', () => {
    const config = projectConfigFromFile('{ "agent": { "model": null }, "setup": null, "baseBranch": null, "budgets": { "maxTokens": null, "maxUsd": null, "maxAttempts": 1 } }', FILE);
    expect([config.agent.model, config.setup, config.baseBranch, config.budgets.maxTokens, config.budgets.maxUsd]).toEqual([null, null, null, null, null]);
    expect(config.budgets).toEqual({ ...defaultProjectConfig().budgets, maxAttempts: 1 });
  });

  it('accepts every agent name form', () => {
    for (const name of ['claude', 'codex', 'acp:gemini --experimental-acp', 'cmd:./agent.sh --fast']) {
      expect(projectConfigFromFile(JSON.stringify({ agent: { name } }), FILE).agent.name).toBe(name);
    }
    for (const name of ['gpt', 'Claude', 'acp:', 'cmd: ./agent.sh', '']) {
      expect(errorLines({ agent: { name } })).toEqual([`agent.name: must be claude, codex, acp:<command> or cmd:<command> (got ${JSON.stringify(name)})`]);
    }
  });

  it('reads durations with the grammar of parseDurationMs', () => {
    const idle = (idleTimeout: string): number => projectConfigFromFile(JSON.stringify({ agent: { idleTimeout } }), FILE).agent.idleTimeoutMs;
    expect(['90s', '30m', '2h', '1d', '500ms', '45', '1.5h', ' 10M ', '365d'].map(idle)).toEqual([90_000, 1_800_000, 7_200_000, 86_400_000, 500, 45_000, 5_400_000, 600_000, 31_536_000_000]);
    for (const bad of ['0s', '366d', '10 m', '1w', '-5m', 'm', '', '1e3s']) {
      expect(errorLines({ agent: { idleTimeout: bad } })).toEqual([`agent.idleTimeout: must be a duration such as 90s, 30m, 2h or 1d (above 0, at most 365d) (got ${JSON.stringify(bad)})`]);
    }
    expect(errorLines({ budgets: { timeout: 600 } })).toEqual(['budgets.timeout: must be a duration such as 90s, 30m, 2h or 1d (above 0, at most 365d) (got 600)']);
  });

  it('lists every error in one message, each with its path, and ends with what to do', () => {
    const error = rejection(
      JSON.stringify({
        agent: { name: 'gpt' },
        checks: [{ id: 'test', run: 'npm test' }, { id: 'lint' }, { id: 'bad id', run: 'x', timeout: '5 minutes' }],
        scope: { allow: ['docs/**', ''] },
        budgets: { maxAttempts: 0, maxTokens: 1.5, maxUsd: -1, stalledAfter: 1, maxRateLimitRetries: -1 },
        requireReport: 'yes',
        baseBranch: '-main',
      }),
    );
    expect(error.message).toBe(
      [
        `${FILE} has 12 errors:`,
        '  agent.name: must be claude, codex, acp:<command> or cmd:<command> (got "gpt")',
        '  checks[1].run: required',
        '  checks[2].id: must be an id of letters, digits, ".", "_" or "-", starting with a letter or digit (got "bad id")',
        '  checks[2].timeout: must be a duration such as 90s, 30m, 2h or 1d (above 0, at most 365d) (got "5 minutes")',
        '  scope.allow[1]: must be a non-empty glob such as "docs/**" (got "")',
        '  budgets.maxAttempts: must be a whole number from 1 to 100 (got 0)',
        '  budgets.maxTokens: must be a whole number of at least 1, or null for no cap (got 1.5)',
        '  budgets.maxUsd: must be a number of dollars above 0, or null for no cap (got -1)',
        '  budgets.stalledAfter: must be a whole number from 2 to 100 (got 1)',
        '  budgets.maxRateLimitRetries: must be a whole number from 0 to 100 (got -1)',
        '  requireReport: must be true or false (got "yes")',
        '  baseBranch: must be a branch name such as "main" (no spaces, not starting with "-") (got "-main")',
        "Fix them and run again; every field is described in baton's JSON Schema (`baton schema --print`).",
      ].join('\n'),
    );
    expect(error.details.file).toBe(FILE);
    expect(error.details.errors[1]).toEqual({ path: 'checks[1].run', message: 'required' });
  });

  it('names unknown keys at any depth, with the closest known key or the list of known ones', () => {
    expect(
      errorLines({ budget: {}, agent: { extraArgs: [] }, scope: { alow: [] }, budgets: { maxAttempt: 2, timeoutMs: 1000 }, checks: [{ id: 'a', run: 'b', cmd: 'c' }], zzz: 1 }),
    ).toEqual([
      'agent.extraArgs: unknown key; did you mean "args"?',
      'checks[0].cmd: unknown key; known keys here: id, run, timeout, report, files',
      'scope.alow: unknown key; did you mean "allow"?',
      'budgets.maxAttempt: unknown key; did you mean "maxAttempts"?',
      'budgets.timeoutMs: unknown key; did you mean "timeout"?',
      'budget: unknown key; did you mean "budgets"?',
      'zzz: unknown key; known keys here: $schema, agent, setup, checks, scope, requiredFiles, forbiddenPatterns, budgets, requireReport, worktreeRoot, baseline, evidence, baseBranch, merge, fleet',
    ]);
  });

  it('rejects duplicate ids among checks and among forbidden patterns, alongside other errors', () => {
    expect(
      errorLines({
        checks: [{ id: 'test', run: 'a' }, { id: 'lint', run: 'b' }, { id: 'test' }],
        forbiddenPatterns: [{ id: 'p', pattern: 'x' }, { id: 'p', pattern: 'y' }],
      }),
    ).toEqual(['checks[2].run: required', 'checks[2].id: duplicate id "test"; checks[0] has it already', 'forbiddenPatterns[1].id: duplicate id "p"; forbiddenPatterns[0] has it already']);
  });

  it('rejects a forbidden pattern that does not compile, quoting the engine', () => {
    expect(errorLines({ forbiddenPatterns: [{ id: 'a', pattern: '(unclosed' }, { id: 'b', pattern: '' }] })).toEqual([
      'forbiddenPatterns[0].pattern: is not a valid regular expression: /(unclosed/: Unterminated group',
      'forbiddenPatterns[1].pattern: must be a regular expression (got "")',
    ]);
  });

  it('takes only plain paths as required files', () => {
    expect(errorLines({ requiredFiles: ['CHANGELOG.md', 'docs/*.md', ''] })).toEqual([
      'requiredFiles[1]: must be a file path such as "CHANGELOG.md", not a glob (got "docs/*.md")',
      'requiredFiles[2]: must be a file path such as "CHANGELOG.md", not a glob (got "")',
    ]);
  });

  it('says what each field must be when given the wrong type, never zod\'s generic wording', () => {
    const wrong = { nested: 'x', leaf: { x: 1 } };
    const fields: Record<string, unknown> = {
      agent: wrong.nested, setup: 3, checks: wrong.nested, scope: [], requiredFiles: 'CHANGELOG.md', forbiddenPatterns: {},
      budgets: 3, requireReport: 1, worktreeRoot: false, baseBranch: 7, $schema: 1,
    };
    const sections: Record<string, Record<string, unknown>> = {
      agent: { name: 1, model: 1, idleTimeout: {}, args: [1] },
      budgets: { maxAttempts: '3', timeout: null, maxTokens: '1', maxUsd: '1', stalledAfter: true, maxDivergences: [], maxRateLimitRetries: {}, rateLimitWait: 1 },
      scope: { allow: 'docs/**', protect: [1], testFiles: null },
    };
    const lines = [...errorLines(fields), ...Object.entries(sections).flatMap(([key, value]) => errorLines({ [key]: value })), ...errorLines({ checks: [wrong.leaf, 'x'] })];
    expect(lines.length).toBeGreaterThanOrEqual(Object.keys(fields).length + 15);
    for (const line of lines) expect(line).toMatch(/^[^:]+: (must|required|unknown key)/);
    expect(lines.join('\n')).not.toMatch(/Invalid|expected/);
  });

  it('requires the file to hold a JSON object', () => {
    expect(errorLines([])).toEqual(['(top level): must be a JSON object such as { "checks": [{ "id": "test", "run": "npm test" }] } (got [])']);
  });

  it('reports a JSON syntax error with its line and column', () => {
    const error = rejection('{\n  "budgets": {\n    "maxAttempts": 3,\n  }\n}\n');
    expect(error.message).toBe(`${FILE} is not valid JSON (line 3, column 21): trailing comma before '}'\nFix the syntax and run again.`);
    expect(error.details.errors).toEqual([{ path: '', message: "trailing comma before '}'", line: 3, column: 21 }]);
  });

  it('reads a file that starts with a byte order mark', () => {
    expect(projectConfigFromFile('\uFEFF{ "requireReport": true }', FILE).requireReport).toBe(true);
  });
});

describe('check reports and the baseline', () => {
  it('refuses a report format it does not know and a report path outside the repository, naming each', () => {
    const text = JSON.stringify({
      checks: [
        { id: 'a', run: 'npm test', report: { format: 'xml' } },
        { id: 'b', run: 'npm test', report: { format: 'junit', path: '../out.xml' } },
      ],
      baseline: { preexisting: 'sometimes' },
    });
    let message = '';
    try {
      projectConfigFromFile(text, FILE);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('checks[0].report.format: must be "junit", "tap", "libtest" or "none"');
    expect(message).toContain('checks[1].report.path: must be a path inside the repository');
    expect(message).toContain('baseline.preexisting: must be "allow" or "block"');
  });
});
