// Impact awareness, git side: refresh the footprints of 20 in-flight branches and predict every
// merge (each branch against the base, and every pair: 20 + 190) in a repository of 5,000
// files, each branch in its own worktree. Target: at most 2 s for all of it.
// Prints a Markdown table and writes bench/results/footprints.json. Run: node bench/footprints.mjs
// Knobs: BENCH_FILES, BENCH_BRANCHES, BENCH_CHANGED (files per branch), BENCH_RUNS,
// BENCH_PARALLELISM (git processes at once), BENCH_KEEP=1 (keep the scratch repository).
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { intFromEnv, scratchDir } from './lib/config.mjs';
import { machineInfo, sourceInfo } from './lib/machine.mjs';
import { markdownTable, summarize } from './lib/stats.mjs';
import { loadSource, REPO_ROOT } from './lib/bundle-source.mjs';

const config = {
  files: intFromEnv('BENCH_FILES', 5_000),
  branches: intFromEnv('BENCH_BRANCHES', 20),
  changedPerBranch: intFromEnv('BENCH_CHANGED', 20),
  runs: intFromEnv('BENCH_RUNS', 7),
  parallelism: intFromEnv('BENCH_PARALLELISM', 3),
};
const TARGET_MS = 2_000;
const log = (message) => process.stderr.write(`[bench] ${message}\n`);
const ms = (value) => (value === null || value === undefined ? '–' : `${value.toFixed(1)} ms`);

/** The git adapter as the CLI bundles it: built from src/ into node_modules/.cache. */
function loadGitApi() {
  const entry = `export { GitCli } from './src/adapters/git/git-cli.ts';\nexport { mapLimited } from './src/adapters/git/map-limited.ts';\n`;
  return loadSource(entry, 'git-api');
}

function git(cwd, args) {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed in ${cwd}: ${result.stderr}`);
  return result.stdout;
}

const filePath = (index) => `src/module-${String(Math.floor(index / 100)).padStart(2, '0')}/file-${String(index % 100).padStart(2, '0')}.ts`;
const fileText = (index, lines = {}) =>
  Array.from({ length: 12 }, (_, line) => lines[line] ?? `export const value${index}_${line} = ${index * 100 + line};`).join('\n') + '\n';

function writeFile(dir, index, lines) {
  const path = join(dir, filePath(index));
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, fileText(index, lines));
}

/**
 * Which files each branch changes, and how. Every branch has its own block of files; pairs
 * (0,1), (2,3), (4,5) also edit the same line of a shared file (conflicts); 6..9 edit different
 * lines of one shared file (overlap, clean merge); the base later edits a line branch 10 edits.
 */
function planBranches() {
  const hot = config.files - 10;
  return Array.from({ length: config.branches }, (_, branch) => {
    const own = Array.from({ length: config.changedPerBranch - 1 }, (_, i) => ({ index: (branch * 97 + i * 13) % (config.files - 20), lines: { 3: `// branch ${branch} was here` } }));
    // Adjacent lines would conflict too (git needs an unchanged line between two edits).
    let shared = { index: (branch * 97 + 300) % (config.files - 20), lines: { 3: `// branch ${branch} was here` } };
    if (branch < 6) shared = { index: hot + Math.floor(branch / 2), lines: { 5: `// branch ${branch} disagrees` } };
    else if (branch < 10) shared = { index: hot + 3, lines: { [(branch - 6) * 3]: `// branch ${branch} agrees` } };
    else if (branch === 10) shared = { index: hot + 4, lines: { 1: '// branch 10 edits what the base edits later' } };
    return [shared, ...own]; // the shared edit first, so it is committed: merge-tree sees only commits
  });
}

function buildRepository(work) {
  const repo = join(work, 'repo');
  mkdirSync(repo);
  git(repo, ['init', '-q', '-b', 'main']);
  git(repo, ['config', 'user.name', 'Bench']);
  git(repo, ['config', 'user.email', 'bench@example.com']);
  for (let index = 0; index < config.files; index++) writeFile(repo, index);
  git(repo, ['add', '-A']);
  git(repo, ['commit', '-q', '-m', 'base']);

  const plan = planBranches();
  const worktrees = plan.map((changes, branch) => {
    const name = `task-${String(branch).padStart(2, '0')}`;
    const dir = join(work, name);
    git(repo, ['worktree', 'add', '-q', '-b', name, dir, 'main']);
    // Most changes committed, a few staged, a few left in the working tree, one new file untracked.
    changes.forEach(({ index, lines }) => writeFile(dir, index, lines));
    const paths = changes.map(({ index }) => filePath(index));
    git(dir, ['add', '--', ...paths.slice(0, -4)]);
    git(dir, ['commit', '-q', '-m', `work on ${name}`]);
    git(dir, ['add', '--', ...paths.slice(-4, -2)]);
    writeFileSync(join(dir, `notes-${name}.md`), 'scratch\n');
    return { name, dir, expected: new Set([...paths, `notes-${name}.md`]) };
  });

  // The base moves on after the branches left it, as it does while agents work.
  const hot = config.files - 10;
  writeFile(repo, hot + 4, { 1: '// the base edits this line too' });
  for (let i = 0; i < 9; i++) writeFile(repo, 4000 + i, { 0: '// base change' });
  git(repo, ['add', '-A']);
  git(repo, ['commit', '-q', '-m', 'base moves on']);
  return { repo, worktrees };
}

/** What an agent's own git commands leave behind: an index whose stat data matches the files. */
async function refreshIndexes(dirs) {
  await sleep(1_100); // past the racy-git window of the last writes
  for (const dir of dirs) git(dir, ['update-index', '-q', '--refresh']);
}

async function measure(gitCli, repo, worktrees) {
  const started = performance.now();
  const footprints = await gitCli.footprints(worktrees.map((w) => w.dir), 'main');
  const afterFootprints = performance.now();
  const predictions = await gitCli.predictMany(repo, 'main', worktrees.map((w) => w.name));
  const finished = performance.now();
  return {
    footprintMs: afterFootprints - started,
    predictionMs: finished - afterFootprints,
    totalMs: finished - started,
    footprints,
    predictions,
  };
}

/** For comparison: the same predictions with one `git merge-tree` process per merge. */
async function measurePerPair(gitCli, mapLimited, repo, names) {
  const pairs = names.map((name) => ['main', name]);
  names.forEach((ours, i) => names.slice(i + 1).forEach((theirs) => pairs.push([ours, theirs])));
  const started = performance.now();
  await mapLimited(pairs, config.parallelism, ([ours, theirs]) => gitCli.predictMerge(repo, ours, theirs));
  return performance.now() - started;
}

function check(result, worktrees) {
  const problems = [];
  result.footprints.forEach((entry, i) => {
    const want = worktrees[i].expected;
    if (entry.kind !== 'footprint') return problems.push(`${worktrees[i].name}: ${entry.message}`);
    const got = entry.footprint.paths;
    if (got.length !== want.size || got.some((path) => !want.has(path))) problems.push(`${worktrees[i].name}: footprint ${got.length} paths, expected ${want.size}`);
  });
  const conflicts = result.predictions.filter((p) => p.kind === 'predicted' && p.conflicted).map((p) => `${p.ours}+${p.theirs}`);
  const failed = result.predictions.filter((p) => p.kind === 'failed');
  if (failed.length > 0) problems.push(`${failed.length} predictions failed: ${failed[0].message}`);
  return { problems, conflicts };
}

const machine = machineInfo();
const source = sourceInfo(REPO_ROOT);
const work = scratchDir('baton-bench-footprints-');
const { GitCli, mapLimited } = await loadGitApi();
const gitCli = new GitCli({ env: process.env, parallelism: config.parallelism });

log(`building a ${config.files}-file repository with ${config.branches} branches in worktrees (${work})`);
const setupStarted = performance.now();
const { repo, worktrees } = buildRepository(work);
await refreshIndexes([repo, ...worktrees.map((w) => w.dir)]);
const setupSeconds = (performance.now() - setupStarted) / 1000;
log(`built in ${setupSeconds.toFixed(1)} s`);

const runs = [];
for (let run = 0; run < config.runs; run++) runs.push(await measure(gitCli, repo, worktrees));
const { problems, conflicts } = check(runs[runs.length - 1], worktrees);
const perPairMs = [];
for (let run = 0; run < Math.min(3, config.runs); run++) perPairMs.push(await measurePerPair(gitCli, mapLimited, repo, worktrees.map((w) => w.name)));

const pairCount = runs[0].predictions.length;
const total = summarize(runs.map((r) => r.totalMs));
const results = {
  machine,
  source,
  config,
  setupSeconds,
  targetMs: TARGET_MS,
  footprintMs: summarize(runs.map((r) => r.footprintMs)),
  predictionMs: summarize(runs.map((r) => r.predictionMs)),
  totalMs: total,
  firstRunTotalMs: runs[0].totalMs,
  perPairPredictionMs: summarize(perPairMs),
  predictions: pairCount,
  predictedConflicts: conflicts,
  problems,
  pass: total.median <= TARGET_MS && problems.length === 0,
};

const spread = (s) => `${ms(s.median)} (min ${ms(s.min)}, max ${ms(s.max)})`;
const rows = [
  [`refresh ${config.branches} footprints`, spread(results.footprintMs), '–', 'info'],
  [`${pairCount} merge predictions (${config.branches} vs base + ${pairCount - config.branches} pairs), batched`, spread(results.predictionMs), '–', 'info'],
  ['**footprints + predictions**', spread(total), `≤ ${TARGET_MS} ms`, results.pass ? 'pass' : '**FAIL**'],
  [`same predictions, one merge-tree process each (comparison)`, spread(results.perPairPredictionMs), '–', 'info'],
];
console.log(`\n${config.files} files, ${config.branches} worktrees, ${config.runs} runs, ${config.parallelism} git processes at once; ${machine.cpuCount} CPUs, node ${machine.node}\n`);
console.log(markdownTable(['measure', 'median (min, max)', 'target', 'result'], rows));
console.log(`\npredicted conflicts: ${conflicts.join(', ') || 'none'}`);
if (problems.length > 0) console.log(`\nproblems:\n- ${problems.join('\n- ')}`);

mkdirSync(join(REPO_ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(join(REPO_ROOT, 'bench', 'results', 'footprints.json'), `${JSON.stringify(results, null, 2)}\n`);
log('wrote bench/results/footprints.json');
process.exitCode = results.pass ? 0 : 1;
