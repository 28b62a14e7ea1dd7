// (a) CPU and wall time of single CLI commands on a seeded board, against `node -e 0` in the same rounds.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyBoard } from './baton-board.mjs';
import { median, round, summarize } from './stats.mjs';
import { tail, timeCommandCpu } from './run-command.mjs';
import { boardDeps, REPO_ROOT } from './store-api.mjs';
import { freeOpenTasks, showTarget } from './workload.mjs';

/** The installed entry point, as package.json names it (what `npx baton-agents` would run). */
export const BATON_BIN = join(REPO_ROOT, JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).bin.baton);
/** Each board command, in CPU and in median wall time, against `node -e 0` (issue 13). */
export const CLI_TARGET_RATIO = 1.1;
const AGENT = 'bench-agent';
/** The git user the commands act as when BATON_AGENT is not set (the repository's user.name). */
export const GIT_USER = 'Bench User';

/** A git repository whose default board (`.git/baton/baton.db`) is a fresh copy of `template`. */
export function makeBoardRepo(dir, template) {
  mkdirSync(dir, { recursive: true });
  const init = spawnSync('git', ['init', '-q', dir], { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`git init ${dir}: ${init.stderr}`);
  spawnSync('git', ['config', 'user.name', GIT_USER], { cwd: dir });
  const db = join(dir, '.git', 'baton', 'baton.db');
  copyBoard(template, db);
  return db;
}

/** The commands' environment: as an agent (BATON_AGENT), or as the git user when `agent` is null. */
export function cliEnv(agent = AGENT) {
  const env = { ...process.env, NO_COLOR: '1', BATON_AGENT: agent };
  if (agent === null) delete env.BATON_AGENT;
  delete env.BATON_DB;
  delete env.NODE_OPTIONS;
  return env;
}

/** The measured commands, acting as `actor`. `prepare` runs once on the command's own board copy, before timing. */
function scenarios(plan, rounds, actor) {
  const free = freeOpenTasks(plan);
  const toComplete = free.slice(0, rounds);
  const held = free.slice(rounds, rounds + 3);
  const noted = showTarget(plan);
  let added = 0;
  let completed = 0;
  const claimAll = (ids) => async (api, db) => {
    const store = api.SqliteBoardStore.open(db);
    try {
      const options = { ttlMs: api.DEFAULT_LEASE_TTL_MS, worktree: null, branch: null };
      for (const id of ids) await api.claimTask(boardDeps(store, actor), id, options);
    } finally {
      await store.close();
    }
  };
  return [
    { name: 'ready --json --limit 20', args: () => ['ready', '--json', '--limit', '20'] },
    { name: 'list --json --status open --limit 50', args: () => ['list', '--json', '--status', 'open', '--limit', '50'] },
    { name: 'show ID', args: () => ['show', String(noted)] },
    { name: 'add', args: () => ['add', `Bench added task ${++added}`, '-d', 'added by the latency bench', '-p', '2'] },
    { name: 'claim --next', args: () => ['claim', '--next'] },
    // Completing the tasks this actor holds, as an agent finishing its work would.
    { name: 'complete ID', prepare: claimAll(toComplete), args: () => ['complete', String(toComplete[completed++ % toComplete.length]), '-m', 'done by the bench'] },
    { name: 'heartbeat', prepare: claimAll(held), args: () => ['heartbeat'] },
    { name: 'note ID', args: () => ['note', String(noted), 'a note from the bench'] },
    { name: '--version (no board opened)', args: () => ['--version'], info: true },
  ];
}

/** The two ways an agent's command names its actor: BATON_AGENT, or the git user (read from git's config). */
export const ACTOR_MODES = [
  { mode: 'BATON_AGENT', actor: AGENT, agent: AGENT },
  { mode: 'git user', actor: GIT_USER, agent: null },
];

/**
 * Runs every command `runs` times (after `warmup` discarded rounds), for each actor mode. Each
 * round runs, for each command in a rotating order, `node -e 0` and then the command, so load
 * from other processes on the machine lands on the baseline and the commands alike. Ratios are
 * of medians: the command's median over the median of the baselines of its own mode.
 */
export async function measureCliLatency({ api, template, plan, workDir, runs, warmup = 2, log = () => {} }) {
  const modes = [];
  for (const { mode, actor, agent } of ACTOR_MODES) {
    log(`  as ${mode}`);
    const env = cliEnv(agent);
    const list = scenarios(plan, runs + warmup, actor);
    for (const [index, scenario] of list.entries()) {
      scenario.cwd = join(workDir, `cli-${mode.replace(/\W+/g, '-')}-${index}`);
      scenario.db = makeBoardRepo(scenario.cwd, template);
      await scenario.prepare?.(api, scenario.db);
      Object.assign(scenario, { wall: [], cpu: [], failure: null });
    }
    const baseline = { wall: [], cpu: [] };
    for (let round = 0; round < warmup + runs; round++) {
      for (let k = 0; k < list.length; k++) {
        const scenario = list[(round + k) % list.length];
        if (scenario.failure) continue;
        const base = timeCommandCpu(process.execPath, ['-e', '0'], { cwd: scenario.cwd, env });
        const run = timeCommandCpu(process.execPath, [BATON_BIN, ...scenario.args()], { cwd: scenario.cwd, env });
        if (run.code !== 0) {
          scenario.failure = `exit ${run.code}: ${tail(run.stdout + run.stderr, 300)}`;
          continue;
        }
        if (round < warmup) continue;
        baseline.wall.push(base.ms);
        baseline.cpu.push(base.cpuMs);
        scenario.wall.push(run.ms);
        scenario.cpu.push(run.cpuMs);
      }
    }
    const baseWall = median(baseline.wall);
    const baseCpu = median(baseline.cpu);
    modes.push({
      mode,
      baseline: { command: 'node -e 0', wallMs: summarize(baseline.wall), cpuMs: summarize(baseline.cpu) },
      commands: list.map((scenario) => {
        const wallRatio = median(scenario.wall) / baseWall;
        const cpuRatio = median(scenario.cpu) / baseCpu;
        return {
          command: `baton ${scenario.name}`,
          ...(scenario.failure && { failure: scenario.failure }),
          wallMs: summarize(scenario.wall),
          cpuMs: summarize(scenario.cpu),
          wallRatio: round(wallRatio, 3),
          cpuRatio: round(cpuRatio, 3),
          target: scenario.info ? null : CLI_TARGET_RATIO,
          pass: scenario.info ? null : !scenario.failure && wallRatio <= CLI_TARGET_RATIO && cpuRatio <= CLI_TARGET_RATIO,
        };
      }),
    });
  }
  return { tasks: plan.length, runs, modes };
}
