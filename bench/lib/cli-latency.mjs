// (a) Wall time of single CLI commands on a seeded board, against `node -e 0` in the same run.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyBoard } from './baton-board.mjs';
import { median, round, summarize } from './stats.mjs';
import { timeCommand, tail } from './run-command.mjs';
import { boardDeps, REPO_ROOT } from './store-api.mjs';
import { freeOpenTasks, showTarget } from './workload.mjs';

/** The installed entry point, as package.json names it (what `npx baton-agents` would run). */
export const BATON_BIN = join(REPO_ROOT, JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).bin.baton);
export const CLI_TARGET_RATIO = 1.3;
const AGENT = 'bench-agent';

/** A git repository whose default board (`.git/baton/baton.db`) is a fresh copy of `template`. */
export function makeBoardRepo(dir, template) {
  mkdirSync(dir, { recursive: true });
  const init = spawnSync('git', ['init', '-q', dir], { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`git init ${dir}: ${init.stderr}`);
  const db = join(dir, '.git', 'baton', 'baton.db');
  copyBoard(template, db);
  return db;
}

export function cliEnv(agent = AGENT) {
  const env = { ...process.env, NO_COLOR: '1', BATON_AGENT: agent };
  delete env.BATON_DB;
  delete env.NODE_OPTIONS;
  return env;
}

/** The measured commands. `prepare` runs once on the command's own board copy, before timing. */
function scenarios(plan, runs) {
  const free = freeOpenTasks(plan);
  const toComplete = free.slice(0, runs);
  let added = 0;
  let completed = 0;
  return [
    { name: 'ready --json --limit 20', args: () => ['ready', '--json', '--limit', '20'] },
    { name: 'list --json --status open --limit 50', args: () => ['list', '--json', '--status', 'open', '--limit', '50'] },
    { name: 'show ID', args: () => ['show', String(showTarget(plan))] },
    { name: 'add', args: () => ['add', `Bench added task ${++added}`, '-d', 'added by the latency bench', '-p', '2'] },
    { name: 'claim --next', args: () => ['claim', '--next'] },
    {
      name: 'complete ID',
      // Completing the tasks this agent holds, as an agent finishing its work would.
      prepare: async (api, db) => {
        const store = api.SqliteBoardStore.open(db);
        try {
          const options = { ttlMs: api.DEFAULT_LEASE_TTL_MS, worktree: null, branch: null };
          for (const id of toComplete) await api.claimTask(boardDeps(store, AGENT), id, options);
        } finally {
          await store.close();
        }
      },
      args: () => ['complete', String(toComplete[completed++ % toComplete.length]), '-m', 'done by the bench'],
    },
    { name: '--version (no board opened)', args: () => ['--version'], info: true },
  ];
}

/**
 * Runs every command `runs` times (after `warmup` discarded rounds). Each round runs, for each
 * command in a rotating order, `node -e 0` and then the command, so load from other processes
 * on the machine lands on the baseline and the commands alike.
 */
export async function measureCliLatency({ api, template, plan, workDir, runs, warmup = 2 }) {
  const env = cliEnv();
  const list = scenarios(plan, runs + warmup);
  for (const [index, scenario] of list.entries()) {
    scenario.cwd = join(workDir, `cli-${index}`);
    scenario.db = makeBoardRepo(scenario.cwd, template);
    await scenario.prepare?.(api, scenario.db);
    scenario.samples = [];
    scenario.baselines = [];
    scenario.failure = null;
  }
  const baseline = [];
  for (let round = 0; round < warmup + runs; round++) {
    for (let k = 0; k < list.length; k++) {
      const scenario = list[(round + k) % list.length];
      if (scenario.failure) continue;
      const base = timeCommand(process.execPath, ['-e', '0'], { cwd: scenario.cwd, env });
      const run = timeCommand(process.execPath, [BATON_BIN, ...scenario.args()], { cwd: scenario.cwd, env });
      if (run.code !== 0) {
        scenario.failure = `exit ${run.code}: ${tail(run.stdout + run.stderr, 300)}`;
        continue;
      }
      if (round < warmup) continue;
      baseline.push(base.ms);
      scenario.baselines.push(base.ms);
      scenario.samples.push(run.ms);
    }
  }
  const baselineMedian = median(baseline);
  return {
    baseline: { command: 'node -e 0', ...summarize(baseline) },
    commands: list.map((scenario) => {
      const pairRatios = scenario.samples.map((ms, i) => ms / scenario.baselines[i]);
      const ratio = median(scenario.samples) / baselineMedian;
      return {
        command: `baton ${scenario.name}`,
        ...(scenario.failure && { failure: scenario.failure }),
        ...summarize(scenario.samples),
        ratioToNode: round(ratio, 3),
        pairedRatioMedian: round(median(pairRatios), 3),
        target: scenario.info ? null : CLI_TARGET_RATIO,
        pass: scenario.info ? null : !scenario.failure && ratio <= CLI_TARGET_RATIO,
      };
    }),
  };
}
