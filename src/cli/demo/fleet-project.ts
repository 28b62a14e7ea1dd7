/*
 * The small repository of the demo's fleet part: `textkit`, a library with a real test, and the
 * four tasks the supervisor runs over it. The tasks are chosen so that a newcomer sees each
 * thing the fleet does once: two tasks that declare the same file (one waits for the other),
 * two that both register themselves in index.mjs without declaring it (the merge queue catches
 * the conflict and sends one back), and one that removes an export, which the config's approval
 * policy holds for a person.
 */

/**
 * The agent CLIs' own folders, inside the scratch repository (which git ignores and the demo
 * removes): their HOME (`home/`, none of the user's settings or sessions) and their temporary
 * folder (`tmp/`), so nothing they or `baton run` make lands in the system's temporary folder.
 */
export const AGENT_FOLDER = '.demo-agent';

/** The project's test, as its README says to run it: baton's check, and the demo's last word on the base branch. */
export const TEST_COMMAND = ['node', 'test.mjs'] as const;

const TEXT_MODULE = [
  '/** Shortens `text` to at most `max` characters. */',
  'export function truncate(text, max) {',
  '  return text.slice(0, max);',
  '}',
  '',
  '/** Upper-cases the first letter of every word. */',
  'export function titleCase(text) {',
  '  return text.replace(/\\b\\w/g, (letter) => letter.toUpperCase());',
  '}',
  '',
  '/** Deprecated: nothing uses it any more. */',
  'export function shout(text) {',
  '  return `${text.toUpperCase()}!`;',
  '}',
];

/** Every test/*.test.mjs exports its cases as [name, actual, expected]; this runs them all. */
const TEST_RUNNER = [
  "import { readdirSync } from 'node:fs';",
  '',
  'let total = 0;',
  'let failed = 0;',
  "for (const file of readdirSync('test').filter((name) => name.endsWith('.test.mjs')).sort()) {",
  '  const { cases } = await import(`./test/${file}`);',
  '  for (const [name, actual, expected] of cases) {',
  '    total += 1;',
  '    if (actual === expected) continue;',
  '    failed += 1;',
  '    console.log(`FAIL ${name}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);',
  '  }',
  '}',
  'console.log(`${total - failed} of ${total} cases pass`);',
  'process.exit(failed === 0 ? 0 : 1);',
];

/** The lines of index.mjs before the tasks: one `export *` per module. */
const INDEX_LINES = ['// The library: one line per module.', "export * from './text.mjs';"];

/** index.mjs once both new modules are in: what the task sent back for the conflict must write. */
export const RESOLVED_INDEX = [...INDEX_LINES, "export * from './slug.mjs';", "export * from './count.mjs';"];

/** The base's tests: the two helpers as they are. */
const TEXT_TESTS = testFile("import { titleCase, truncate } from '../index.mjs';", [
  "['truncate keeps a short text', truncate('baton', 10), 'baton'],",
  "['titleCase capitalises every word', titleCase('hello world'), 'Hello World'],",
]);

/** A test file: its import, then its cases, one line each. */
function testFile(importLine: string, cases: readonly string[]): string[] {
  return [importLine, '', 'export const cases = [', ...cases.map((line) => `  ${line}`), '];'];
}

/**
 * baton.config.json: Claude Code unless a label or rule says otherwise, Codex for cleanups, the
 * test as the check, and a person's approval for anything that removes something.
 */
export const PROJECT_CONFIG = {
  agent: { name: 'claude', idleTimeout: '60s' },
  checks: [{ id: 'test', run: TEST_COMMAND.join(' '), timeout: '30s', files: ['test.mjs'] }],
  // Every task may add tests and register its module in index.mjs, besides the files it declares.
  scope: { allow: ['index.mjs', 'test/*.test.mjs'] },
  budgets: { maxAttempts: 2, timeout: '3m' },
  fleet: { agents: [{ label: 'cleanup', agent: 'codex' }] },
  merge: { approval: { resources: ['removes:*'] } },
};

/** Files committed before the tasks are added, path to content. */
export const PROJECT_FILES: Readonly<Record<string, string>> = {
  'README.md': '# textkit\n\nSmall text helpers; `index.mjs` exports them all. `node test.mjs` runs every test in test/.\n',
  '.gitignore': `.baton/\n${AGENT_FOLDER}/\n`,
  'index.mjs': `${INDEX_LINES.join('\n')}\n`,
  'text.mjs': `${TEXT_MODULE.join('\n')}\n`,
  'test.mjs': `${TEST_RUNNER.join('\n')}\n`,
  'test/text.test.mjs': `${TEXT_TESTS.join('\n')}\n`,
  'baton.config.json': `${JSON.stringify(PROJECT_CONFIG, null, 2)}\n`,
};

/** The parts of the story a task plays, by which the demo finds it again. */
export type FleetRole = 'ellipsis' | 'slugify' | 'shout' | 'wordCount';

export interface FleetTask {
  role: FleetRole;
  title: string;
  description: string;
  priority: number;
  labels: string[];
  resources: string[];
  /** What the scripted agent runs in the task's worktree, one shell command. */
  work: string;
}

/** A shell command that writes `lines` to `path` (a quoted here-document: no expansion). */
function writeFile(path: string, lines: readonly string[]): string {
  return `cat > ${path} <<'EOF'\n${lines.join('\n')}\nEOF`;
}

/** The command that writes the resolved index.mjs, markers and all replaced. */
export const RESOLVE_INDEX = writeFile('index.mjs', RESOLVED_INDEX);

/**
 * The tasks in the order they are added. Dispatch goes by priority: the two P1 tasks start, the
 * P2 cleanup declares text.mjs like the ellipsis task and waits, so the P3 task takes the third
 * slot. The cleanup edits text.mjs surgically, so it lands whether or not the ellipsis is in
 * its branch yet.
 */
export const FLEET_TASKS: readonly FleetTask[] = [
  {
    role: 'ellipsis',
    title: 'Make truncate end with an ellipsis',
    description: 'A shortened text should show that it was shortened: end it with "…" and stay within max characters.',
    priority: 1,
    labels: [],
    resources: ['modifies:file:text.mjs'],
    work: [
      writeFile('text.mjs', TEXT_MODULE.map((line) => (line === '  return text.slice(0, max);' ? '  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;' : line))),
      writeFile('test/truncate.test.mjs', testFile("import { truncate } from '../index.mjs';", ["['truncate ends a shortened text with …', truncate('Hello, World', 8), 'Hello, …'],"])),
    ].join('\n'),
  },
  {
    role: 'slugify',
    title: 'Add slugify',
    description: 'Add slug.mjs with slugify(title): lower case, words joined by single dashes, no punctuation; export it from index.mjs.',
    priority: 1,
    labels: [],
    resources: ['adds:file:slug.mjs'],
    work: [
      writeFile('slug.mjs', ['/** Turns a title into a URL slug: lower case, words joined by dashes. */', 'export function slugify(title) {', "  return title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');", '}']),
      writeFile('test/slug.test.mjs', testFile("import { slugify } from '../index.mjs';", ["['slugify joins words with dashes and drops punctuation', slugify('Hello, World!'), 'hello-world'],"])),
      `echo "export * from './slug.mjs';" >> index.mjs`,
    ].join('\n'),
  },
  {
    role: 'shout',
    title: 'Remove the deprecated shout',
    description: 'Nothing uses shout any more: remove it from text.mjs, and add a test that the library no longer exports it.',
    priority: 2,
    labels: ['cleanup'],
    resources: ['modifies:file:text.mjs', 'removes:export:shout'],
    work: [
      // From its comment to the closing brace, then the blank line left at the end.
      "sed -i -e '/^\\/\\*\\* Deprecated/,/^}/d' text.mjs",
      "sed -i -e '${/^$/d}' text.mjs",
      writeFile('test/shout.test.mjs', testFile("import * as textkit from '../index.mjs';", ["['shout is gone from the library', 'shout' in textkit, false],"])),
    ].join('\n'),
  },
  {
    role: 'wordCount',
    title: 'Add wordCount',
    description: 'Add count.mjs with wordCount(text), the number of words separated by white space; export it from index.mjs.',
    priority: 3,
    labels: ['agent:codex'],
    resources: ['adds:file:count.mjs'],
    work: [
      writeFile('count.mjs', ['/** How many words `text` holds, white space separating them. */', 'export function wordCount(text) {', "  return text.trim() === '' ? 0 : text.trim().split(/\\s+/).length;", '}']),
      writeFile('test/count.test.mjs', testFile("import { wordCount } from '../index.mjs';", ["['wordCount counts words between any white space', wordCount('  one two\\tthree '), 3],", "['wordCount of nothing is 0', wordCount(''), 0],"])),
      `echo "export * from './count.mjs';" >> index.mjs`,
    ].join('\n'),
  },
];

/** The `baton add` arguments for a fleet task. */
export function fleetAddArguments(task: FleetTask): string[] {
  const args = ['add', task.title, '--description', task.description, '--priority', String(task.priority)];
  if (task.labels.length > 0) args.push('--label', task.labels.join(','));
  for (const resource of task.resources) args.push('--resource', resource);
  return [...args, '--json'];
}
