// A source tree that looks like a real project's: packages of nested folders, every file a few
// KB of distinct TypeScript (distinct, so git stores one blob per file, as it would for real code).
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const AREAS = ['api', 'core', 'db', 'ui', 'util'];
const FILES_PER_FOLDER = 50;

/** The path of file `index`: packages/pkg-NN/src/<area>/<sub>/module-MM.ts, 50 files a folder. */
export function sourceFilePath(index) {
  const folder = Math.floor(index / FILES_PER_FOLDER);
  const pkg = String(Math.floor(folder / 10)).padStart(2, '0');
  const area = AREAS[folder % AREAS.length];
  const sub = `part-${Math.floor((folder % 10) / AREAS.length)}`;
  return `packages/pkg-${pkg}/src/${area}/${sub}/module-${String(index % FILES_PER_FOLDER).padStart(2, '0')}.ts`;
}

/** About 3 KB of TypeScript that differs from every other file's. */
export function sourceFileText(index) {
  const lines = [`// Module ${index}: generated for the runner benchmark.`, `import { helper${index % 97} } from '../shared/helpers.js';`, ''];
  for (let fn = 0; fn < 8; fn++) {
    const name = `compute${index}_${fn}`;
    lines.push(
      `/** Computes value ${fn} of module ${index} from its input and a helper. */`,
      `export function ${name}(input: number, scale = ${(index % 7) + 1}): number {`,
      `  const base = helper${index % 97}(input) * scale + ${index * 31 + fn};`,
      `  if (base > ${1000 + fn * 17}) return base - ${index % 13};`,
      `  return base + ${fn} * ${(index * 7 + fn) % 101};`,
      '}',
      '',
    );
  }
  lines.push(`export const MODULE_${index}_NAME = 'module-${index}';`, '');
  return lines.join('\n');
}

/**
 * A real repository's index is older than its files. One written in the same second as the
 * files holds them as "racily clean", and every git command then reads them all again; so,
 * once that second is over, the index is written anew with their stat data.
 */
function refreshIndexLater(dir) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1_100);
  git(dir, ['update-index', '-q', '--refresh']);
}

function git(cwd, args) {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed in ${cwd}: ${result.stderr}`);
  return result.stdout;
}

/**
 * A git repository at `dir` on branch main with `files` source files and `extra` files
 * ({ path: text }) in one commit. Returns the total size of the source files in bytes.
 */
export function buildSourceRepository(dir, files, extra = {}) {
  mkdirSync(dir, { recursive: true });
  git(dir, ['init', '-q', '-b', 'main']);
  git(dir, ['config', 'user.name', 'Bench']);
  git(dir, ['config', 'user.email', 'bench@example.com']);
  let bytes = 0;
  const write = (path, text) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  for (let index = 0; index < files; index++) {
    const text = sourceFileText(index);
    bytes += Buffer.byteLength(text);
    write(sourceFilePath(index), text);
  }
  for (const [path, text] of Object.entries(extra)) write(path, text);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '-m', 'base']);
  refreshIndexLater(dir);
  return bytes;
}
