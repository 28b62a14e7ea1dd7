// (b) baton against peer task boards installed from npm, on the same seeded workload:
// backlog.md, @os-eco/seeds-cli (run with Bun) and task-master-ai. Each tool's board is seeded
// as fast as its storage allows (files written directly; see each adapter in lib/peers/), then
// every operation is timed as a whole CLI invocation, tools interleaved round by round.
// Prints a Markdown table and writes bench/results/peers.json. Run with `npm run bench:peers`.
// Knobs: BENCH_PEER_SIZES (1000,10000), BENCH_PEER_RUNS (10), BENCH_SLOW_PEER_RUNS (5, for a
// tool whose warm-up commands take over 2 s), BENCH_PEERS (names), BENCH_PEERS_DIR, BENCH_KEEP=1.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { intFromEnv, listFromEnv, scratchDir } from './lib/config.mjs';
import { machineInfo, sourceInfo } from './lib/machine.mjs';
import { backlogPeer } from './lib/peers/backlog.mjs';
import { batonPeer } from './lib/peers/baton.mjs';
import { installPeers } from './lib/peers/install.mjs';
import { seedsPeer } from './lib/peers/seeds.mjs';
import { taskMasterPeer } from './lib/peers/taskmaster.mjs';
import { runChecked, timeCommand, tail } from './lib/run-command.mjs';
import { markdownTable, ratioText, round, summarize } from './lib/stats.mjs';
import { loadStoreApi, REPO_ROOT } from './lib/store-api.mjs';
import { freeOpenTasks, planBoard, showTarget } from './lib/workload.mjs';

const OPERATIONS = ['create', 'list', 'show', 'ready', 'claim', 'claimNext', 'complete'];
const SLOW_WARMUP_MS = 2000;
const config = {
  sizes: listFromEnv('BENCH_PEER_SIZES', ['1000', '10000']).map(Number),
  runs: intFromEnv('BENCH_PEER_RUNS', 10),
  slowRuns: intFromEnv('BENCH_SLOW_PEER_RUNS', 5),
  peers: listFromEnv('BENCH_PEERS', [backlogPeer.name, seedsPeer.name, taskMasterPeer.name]),
};
const log = (message) => process.stderr.write(`[bench:peers] ${message}\n`);
const env = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', BATON_AGENT: 'bench-agent', CI: '1' };
delete env.BATON_DB;
delete env.NODE_OPTIONS;

const machine = machineInfo();
const source = sourceInfo(REPO_ROOT);
const work = scratchDir('baton-bench-peers-');
const api = await loadStoreApi();
const install = installPeers(log);
const peers = { baton: { package: batonPeer.package, storage: batonPeer.storage, seeding: batonPeer.seeding, claimNext: batonPeer.claimNext, available: true } };
const tools = [batonPeer, backlogPeer, seedsPeer, taskMasterPeer].filter((tool) => tool === batonPeer || config.peers.includes(tool.name));

function invoke(tool, args, cwd, timeoutMs) {
  const { file, prefix } = tool.command(install.dir);
  return timeCommand(file, [...prefix, ...args], { cwd, env, timeoutMs });
}

// Can each peer run here at all?
for (const tool of tools.slice(1)) {
  const entry = { package: tool.package, version: install.versions[tool.package], storage: tool.storage, seeding: tool.seeding, claimNext: tool.claimNext };
  peers[tool.name] = entry;
  if (entry.version === null) {
    entry.available = false;
    entry.reason = `not installed: ${install.failure ?? 'npm did not install it'}`;
    continue;
  }
  try {
    const probe = invoke(tool, tool.versionArgs, work, 120_000);
    entry.available = probe.code === 0;
    if (!entry.available) entry.reason = `\`${tool.versionArgs.join(' ')}\` exited ${probe.code}: ${tail(probe.stderr || probe.stdout, 300)}`;
  } catch (error) {
    entry.available = false;
    entry.reason = error.message;
  }
  if (!entry.available) log(`${tool.name} cannot run here: ${entry.reason}`);
}

/** Seeds every available tool at `size` and returns the per-tool state for timing. */
async function prepare(size) {
  const plan = planBoard(size);
  const free = freeOpenTasks(plan);
  const target = showTarget(plan);
  const states = [];
  for (const tool of tools) {
    const status = peers[tool.name];
    if (!status.available) continue;
    // Every board lives in its own git repository, where agents would use it.
    const dir = join(work, `${tool.name.replace(/[^a-z0-9]+/gi, '-')}-${size}`);
    mkdirSync(dir, { recursive: true });
    runChecked('git', ['init', '-q', dir], { cwd: work, env });
    const state = { tool, dir, seedSeconds: null, failure: null, samples: {}, failures: {}, quota: config.runs, claimed: 0, completed: 0, created: 0 };
    states.push(state);
    try {
      const started = performance.now();
      const run = (args) => {
        const result = invoke(tool, args, dir, 600_000);
        if (result.code !== 0) throw new Error(`${args.join(' ')} exited ${result.code}: ${tail(result.stderr || result.stdout, 300)}`);
        return result;
      };
      await tool.seed(dir, plan, run, api);
      state.seedSeconds = round((performance.now() - started) / 1000, 1);
      // The seeded board must read back: `show` of a seeded task prints its title.
      const check = invoke(tool, tool.args.show(tool.id(target)), dir, 600_000);
      const title = plan[target - 1].title;
      if (check.code !== 0 || !check.stdout.includes(title)) throw new Error(`seeded board does not read back: show exited ${check.code}: ${tail(check.stdout + check.stderr, 300)}`);
      log(`${tool.name}: seeded ${size} tasks in ${state.seedSeconds} s`);
    } catch (error) {
      state.failure = `seeding failed: ${error.message}`;
      log(`${tool.name}: ${state.failure}`);
    }
  }
  // Claim the newest free tasks and complete the ones just older, so no two runs touch one task.
  const argsFor = (state, operation) => {
    const { tool } = state;
    switch (operation) {
      case 'create': return tool.args.create(`Bench created task ${++state.created}`, 'created by the peer bench');
      case 'show': return tool.args.show(tool.id(target));
      case 'claim': return tool.args.claim(tool.id(free[state.claimed++]));
      case 'complete': return tool.args.complete(tool.id(free[config.runs + 1 + state.completed++]));
      default: return tool.args[operation]();
    }
  };
  return { states, argsFor };
}

async function measure(size) {
  const { states, argsFor } = await prepare(size);
  const baseline = [];
  const live = states.filter((state) => !state.failure);
  for (let round = 0; round <= config.runs; round++) {
    const warmup = round === 0;
    baseline.push(timeCommand(process.execPath, ['-e', '0'], { cwd: work, env }).ms);
    for (const operation of OPERATIONS) {
      for (let k = 0; k < live.length; k++) {
        const state = live[(round + k) % live.length];
        const build = state.tool.args[operation];
        if (!build || state.failures[operation] || round > state.quota) continue;
        const run = invoke(state.tool, argsFor(state, operation), state.dir, 600_000);
        if (run.code !== 0) {
          state.failures[operation] = `exit ${run.code}: ${tail(run.stderr || run.stdout, 300)}`;
          continue;
        }
        if (warmup) state.warmupMaxMs = Math.max(state.warmupMaxMs ?? 0, run.ms);
        else (state.samples[operation] ??= []).push(run.ms);
      }
    }
    if (warmup) {
      baseline.length = 0;
      for (const state of live) if (state.warmupMaxMs > SLOW_WARMUP_MS) state.quota = Math.min(config.runs, config.slowRuns);
    }
    log(`size ${size}: round ${round}/${config.runs} done`);
  }
  return summarizeSize(size, states, baseline);
}

function summarizeSize(size, states, baseline) {
  const operations = {};
  for (const operation of OPERATIONS) {
    const byTool = {};
    for (const state of states) {
      const name = state.tool.name;
      if (state.failure) byTool[name] = { failure: state.failure, seeding: true };
      else if (!state.tool.args[operation]) byTool[name] = { unsupported: true };
      else if (state.failures[operation]) byTool[name] = { failure: state.failures[operation] };
      else byTool[name] = summarize(state.samples[operation] ?? []);
    }
    const peerMedians = Object.entries(byTool).filter(([name, r]) => name !== 'baton' && Number.isFinite(r.median)).map(([, r]) => r.median);
    const fastestPeer = peerMedians.length > 0 ? Math.min(...peerMedians) : null;
    const baton = byTool.baton?.median;
    const ratio = fastestPeer !== null && Number.isFinite(baton) ? baton / fastestPeer : null;
    operations[operation] = {
      tools: byTool,
      batonToFastestPeer: round(ratio, 3),
      batonFastest: ratio === null ? null : ratio < 1,
    };
  }
  return {
    size,
    baseline: { command: 'node -e 0', ...summarize(baseline) },
    seedSeconds: Object.fromEntries(states.map((state) => [state.tool.name, state.seedSeconds])),
    seedFailures: Object.fromEntries(states.filter((state) => state.failure).map((state) => [state.tool.name, state.failure.split('\n')[0]])),
    operations,
  };
}

const results = { machine, source, config, peersDir: install.dir, versions: install.versions, peers, sizes: [] };
for (const size of config.sizes) {
  log(`size ${size}: seeding`);
  results.sizes.push(await measure(size));
}

// One table: a row per size and operation, a column per tool.
const names = tools.map((tool) => tool.name);
const cell = (r) => {
  if (!r) return 'not run';
  if (r.unsupported) return 'n/a';
  if (r.failure) return 'failed';
  return Number.isFinite(r.median) ? `${r.median.toFixed(0)} ms` : '–';
};
const largest = Math.max(...config.sizes);
const rows = [];
for (const size of results.sizes) {
  rows.push([`${size.size}`, '`node -e 0` (reference)', `${size.baseline.median?.toFixed(0)} ms`, ...names.slice(1).map(() => ''), '', '']);
  for (const [operation, r] of Object.entries(size.operations)) {
    const verdict = r.batonFastest === null ? 'n/a' : size.size === largest ? (r.batonFastest ? 'pass' : '**FAIL**') : 'info';
    rows.push([`${size.size}`, operation, ...names.map((name) => cell(r.tools[name])), ratioText(r.batonToFastestPeer), verdict]);
  }
}
const table = markdownTable(['Tasks', 'Operation', ...names, 'baton / fastest peer', `Target (at ${largest}): baton fastest`], rows);
const notes = Object.entries(peers)
  .filter(([, p]) => !p.available)
  .map(([name, p]) => `- ${name}: not measured — ${p.reason}`);
for (const size of results.sizes) {
  for (const [operation, r] of Object.entries(size.operations)) {
    for (const [name, t] of Object.entries(r.tools)) if (t.failure && !t.seeding) notes.push(`- ${name} at ${size.size}, ${operation}: ${t.failure.split('\n')[0]}`);
  }
  for (const [name, state] of Object.entries(size.seedFailures)) notes.push(`- ${name} at ${size.size}: ${state}`);
}
const versions = tools.slice(1).map((tool) => `${tool.package} ${install.versions[tool.package] ?? '(not installed)'}`).join(', ');
const header = `baton vs peers — median wall time per CLI call; node ${machine.node}, ${machine.cpuCount} CPUs, load ${machine.loadAverageAtStart.join('/')}, ${machine.date}, commit ${source.commit}${source.uncommittedSrcFiles ? ` + ${source.uncommittedSrcFiles} uncommitted src files` : ''}`;
process.stdout.write(`\n### ${header}\n\n${versions}, bun ${install.versions.bun ?? '(not installed)'}\n\n${table}\n${notes.length ? `\n${notes.join('\n')}\n` : ''}`);
results.table = table;
results.notes = notes;
const out = join(REPO_ROOT, 'bench', 'results');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'peers.json'), `${JSON.stringify(results, null, 2)}\n`);
log('wrote bench/results/peers.json');
