import { runShell, say, type ConversationView, type Script, type Turn } from '../../adapters/scripted-model/script.js';
import { FEEDBACK_HEADING } from '../../core/run/prompt.js';

/*
 * The story of the demo's `baton run`: a tiny library whose `slugify` is still a stub, a test
 * that baton runs as its check, and a scripted model whose first attempt is subtly wrong
 * (punctuation survives) and whose second, prompted with the check's own words, gets it right.
 */

/** The file the task changes; its resource names it, so it is the one path in scope. */
export const PROJECT_FILE = 'slug.mjs';
/**
 * The agent CLI's own folders, inside the scratch repository (which git ignores and the demo
 * removes): its HOME (`home/`, none of the user's settings or sessions) and its temporary
 * folder (`tmp/`), so nothing it or `baton run` makes lands in the system's temporary folder.
 */
export const AGENT_FOLDER = '.demo-agent';

/** Files committed before the task is added, path to content. */
export const PROJECT_FILES: Readonly<Record<string, string>> = {
  'README.md': '# slug\n\nA tiny library: `slugify(title)` turns a title into a URL slug. `node test.mjs` tests it.\n',
  '.gitignore': `.baton/\n${AGENT_FOLDER}/\n`,
  [PROJECT_FILE]: ['/** Turns a title into a URL slug: lower case, words joined by dashes. */', 'export function slugify(title) {', "  throw new Error('not implemented yet');", '}', ''].join('\n'),
  'test.mjs': [
    "import { slugify } from './slug.mjs';",
    '',
    'const cases = [',
    "  ['Hello World', 'hello-world'],",
    "  ['  Baton   runs  ', 'baton-runs'],",
    "  ['Hello, World!', 'hello-world'],",
    '];',
    'let failed = 0;',
    'for (const [title, expected] of cases) {',
    '  const got = slugify(title);',
    '  if (got === expected) continue;',
    '  failed += 1;',
    '  console.log(`FAIL slugify(${JSON.stringify(title)}): expected ${JSON.stringify(expected)}, got ${JSON.stringify(got)}`);',
    '}',
    'console.log(`${cases.length - failed} of ${cases.length} cases pass`);',
    'process.exit(failed === 0 ? 0 : 1);',
    '',
  ].join('\n'),
  'baton.config.json': `${JSON.stringify(
    {
      checks: [{ id: 'test', run: 'node test.mjs', timeout: '30s', files: ['test.mjs'] }],
      agent: { idleTimeout: '60s' },
      budgets: { maxAttempts: 3, timeout: '3m' },
    },
    null,
    2,
  )}\n`,
};

/** The task as `baton add` takes it. */
export const RUN_TASK = {
  title: 'Implement slugify',
  description: `Replace the stub in ${PROJECT_FILE} with a real slugify.`,
  resource: `modifies:file:${PROJECT_FILE}`,
  acceptance: ['slugify lower-cases a title and joins its words with single dashes', 'punctuation and surrounding spaces never reach the slug'],
};

/** The check's line for the first attempt's mistake: what the demo expects the agent to be shown. */
export const FIRST_FAILURE = 'FAIL slugify("Hello, World!"): expected "hello-world", got "hello,-world!"';

const WRONG = ['/** Turns a title into a URL slug: lower case, words joined by dashes. */', 'export function slugify(title) {', "  return title.trim().toLowerCase().split(/\\s+/).join('-');", '}'];
const RIGHT = [
  '/** Turns a title into a URL slug: lower case, words joined by dashes. */',
  'export function slugify(title) {',
  "  return title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');",
  '}',
];

/** A shell command that writes `lines` to the project file (a quoted here-document: no expansion). */
function writeFile(lines: readonly string[]): string {
  return `cat > ${PROJECT_FILE} <<'EOF'\n${lines.join('\n')}\nEOF`;
}

const retry = (view: ConversationView): boolean => view.prompt.includes(FEEDBACK_HEADING);
/** A fresh prompt, no tool output yet: the opening request of an attempt. */
const opening = (view: ConversationView): boolean => view.toolResults.length === 0;

/**
 * Attempt 1 writes a slugify that keeps punctuation and stops; attempt 2, whose prompt leads
 * with the check's failure, rewrites it, runs the test itself, and stops. Each attempt is one
 * shell call and a closing message once the tool output is back.
 */
export function slugScript(): Script {
  const turns: Turn[] = [
    { ...runShell(writeFile(WRONG)), when: (view) => opening(view) && !retry(view) },
    { ...say('Implemented slugify: lower-case, words joined by dashes.'), when: (view) => !opening(view) && !retry(view) },
    { ...runShell(`${writeFile(RIGHT)}\nnode test.mjs`), when: (view) => opening(view) && retry(view) },
    { ...say('Fixed: every run of non-alphanumerics becomes one dash, and dashes at the ends are trimmed. node test.mjs passes.'), when: (view) => !opening(view) && retry(view) },
  ];
  return turns;
}
