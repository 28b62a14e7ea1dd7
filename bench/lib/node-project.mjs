// A small real Node project for the baseline bench: ten modules of plain functions and a
// `node --test` suite of 15 tests per module in five files (150 tests; `npm test` takes 1.8-2.5 s
// on the bench machine at load 3-5, most of it starting npm and the six Node processes). The
// config is the caller's. The tests' expected values come from running the modules once.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const MODULES = 10;
const MODULES_PER_TEST_FILE = 2;
const TESTS_PER_KIND = 5;
export const TESTS = MODULES * TESTS_PER_KIND * 3;

/** The module file a task about module `index` edits. */
export const modulePath = (index) => `src/mod-${index}.js`;

function moduleText(index) {
  return `// Module ${index}: number and text helpers the test suite exercises.

/** The primes below \`limit\`, by the sieve of Eratosthenes. */
export function primesBelow(limit) {
  const composite = new Uint8Array(limit);
  const primes = [];
  for (let n = 2; n < limit; n++) {
    if (composite[n]) continue;
    primes.push(n);
    for (let m = n * n; m < limit; m += n) composite[m] = 1;
  }
  return primes;
}

/** A 32-bit FNV-1a hash of \`text\`, seeded per module. */
export function checksum(text) {
  let hash = (0x811c9dc5 ^ ${index * 7919}) >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** How often each word occurs, most frequent first, ties in alphabetical order. */
export function topWords(text, count) {
  const counts = new Map();
  for (const word of text.toLowerCase().match(/[a-z]+/g) ?? []) counts.set(word, (counts.get(word) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, count);
}
`;
}

const WORDS_PER_TEXT = 1_000;
const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima'];

/** Deterministic text of `words` words for test `seed`. */
function sampleText(seed, words) {
  const out = [];
  let state = seed * 2654435761 >>> 0;
  for (let i = 0; i < words; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    out.push(WORDS[(state >>> 16) % WORDS.length]);
  }
  return out.join(' ');
}

/** The cases of module `index`: small inputs, as each test's own work is not what is measured. */
function cases(index) {
  const list = [];
  for (let k = 0; k < TESTS_PER_KIND; k++) {
    const seed = index * 100 + k;
    list.push({ kind: 'primesBelow', name: `counts the primes below ${5_000 + seed * 10}`, args: [5_000 + seed * 10], project: (value) => value.length });
    list.push({ kind: 'checksum', name: `hashes sample text ${seed}`, args: [sampleText(seed, WORDS_PER_TEXT)], textSeed: seed, words: WORDS_PER_TEXT });
    list.push({ kind: 'topWords', name: `ranks the words of sample text ${seed}`, args: [sampleText(seed + 50, WORDS_PER_TEXT), 3], textSeed: seed + 50, words: WORDS_PER_TEXT });
  }
  return list;
}

/** A test file for `modules` ([{ index, list }]), each module's cases in a suite of its own. */
function testText(modules) {
  const lines = [
    `// Tests of modules ${modules.map(({ index }) => index).join(' and ')}; expected values were computed when the project was made.`,
    "import assert from 'node:assert/strict';",
    "import { describe, test } from 'node:test';",
    ...modules.map(({ index }) => `import * as mod${index} from '../src/mod-${index}.js';`),
    '',
    `const WORDS = ${JSON.stringify(WORDS)};`,
    sampleText.toString(),
    '',
  ];
  for (const { index, list } of modules) {
    lines.push(`describe('mod-${index}', () => {`);
    for (const item of list) {
      const call =
        item.kind === 'primesBelow'
          ? `mod${index}.primesBelow(${item.args[0]}).length`
          : item.kind === 'checksum'
            ? `mod${index}.checksum(sampleText(${item.textSeed}, ${item.words}))`
            : `mod${index}.topWords(sampleText(${item.textSeed}, ${item.words}), 3)`;
      lines.push(`  test(${JSON.stringify(item.name)}, () => {`, `    assert.deepEqual(${call}, ${JSON.stringify(item.expected)});`, '  });');
    }
    lines.push('});', '');
  }
  return lines.join('\n');
}

function git(cwd, args) {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed in ${cwd}: ${result.stderr}`);
  return result.stdout;
}

/**
 * The project as a git repository at `dir` on branch main, one commit, with `config` as its
 * baton.config.json. Returns the number of tests in its suite.
 */
export async function buildNodeProject(dir, config) {
  const write = (path, text) => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  const pkg = { name: 'bench-shelf', version: '1.0.0', private: true, type: 'module', scripts: { test: 'node --test' } };
  write('package.json', `${JSON.stringify(pkg, null, 2)}\n`);
  // What `npm install` writes for a project without dependencies, so that `npm ci` works offline.
  const lock = { name: pkg.name, version: pkg.version, lockfileVersion: 3, requires: true, packages: { '': { name: pkg.name, version: pkg.version } } };
  write('package-lock.json', `${JSON.stringify(lock, null, 2)}\n`);
  write('.gitignore', 'node_modules/\n');
  write('README.md', '# bench-shelf\n\nNumber and text helpers. `npm test` runs the suite.\n');
  write('baton.config.json', `${JSON.stringify(config, null, 2)}\n`);
  const modules = [];
  for (let index = 0; index < MODULES; index++) {
    write(modulePath(index), moduleText(index));
    const module = await import(pathToFileURL(join(dir, modulePath(index))).href);
    const list = cases(index).map((item) => {
      const value = module[item.kind](...item.args);
      return { ...item, expected: item.project ? item.project(value) : value };
    });
    modules.push({ index, list });
  }
  for (let first = 0; first < MODULES; first += MODULES_PER_TEST_FILE) {
    write(`test/shelf-${first / MODULES_PER_TEST_FILE}.test.js`, testText(modules.slice(first, first + MODULES_PER_TEST_FILE)));
  }
  git(dir, ['init', '-q', '-b', 'main']);
  git(dir, ['config', 'user.name', 'Bench']);
  git(dir, ['config', 'user.email', 'bench@example.com']);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '-m', 'bench-shelf']);
  return TESTS;
}
