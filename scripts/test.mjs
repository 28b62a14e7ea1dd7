// `npm test`: builds, then typechecks, lints and runs the suite side by side, and says how long
// it all took. The tests run the built CLI, so the build comes first; the typechecker and the
// linter only read the sources, so they need not hold the tests up. Arguments go to vitest.
import { spawn, spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';

const started = performance.now();
const bin = (name) => new URL(`../node_modules/.bin/${name}`, import.meta.url).pathname;

const build = spawnSync(process.execPath, [new URL('./build.mjs', import.meta.url).pathname], { stdio: 'inherit' });
if (build.status !== 0) finish([{ name: 'build', code: build.status ?? 1, output: '' }]);

/** Runs a command with its output kept until the end, so it does not interleave with the tests'. */
function quietly(name, command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => resolve({ name, code: 1, output: String(error) }));
    child.on('close', (code) => resolve({ name, code: code ?? 1, output }));
  });
}

function loudly(name, command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit' });
    child.on('error', () => resolve({ name, code: 1, output: '' }));
    child.on('close', (code) => resolve({ name, code: code ?? 1, output: '' }));
  });
}

const results = await Promise.all([
  quietly('typecheck', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']),
  quietly('lint', bin('eslint'), ['.']),
  loudly('tests', bin('vitest'), ['run', ...process.argv.slice(2)]),
]);
finish(results);

function finish(steps) {
  for (const step of steps) {
    if (step.output.trim() !== '') process.stdout.write(`\n== ${step.name}\n${step.output}`);
  }
  const seconds = Math.round((performance.now() - started) / 1000);
  const verdict = steps.map((step) => `${step.name} ${step.code === 0 ? 'ok' : `failed (exit ${step.code})`}`).join(', ');
  process.stdout.write(`\nnpm test: ${verdict}; took ${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s\n`);
  process.exit(steps.every((step) => step.code === 0) ? 0 : 1);
}
