/**
 * A writer for the crash test: adds tasks with dependencies, parents and notes in an endless
 * loop until it is killed. Usage: `node storm-writer.mjs <repo dir> <agent> inprocess` or
 * `node storm-writer.mjs <repo dir> <agent> spawn <path of bin/baton.cjs>`. The crash test
 * bundles this file with esbuild first (Node 20 cannot run TypeScript).
 *
 * `inprocess` runs the CLI's own entry (`runCli`) over and over in this one process, without
 * start-up costs in between, so a SIGKILL often lands in the middle of a transaction.
 * `spawn` starts the built binary for every command, as agents do; the test kills its whole
 * process group so the CLI child dies with it.
 *
 * Every line on stdout reports a write that returned success: `task <id>`, `note <id>`,
 * `depend <id> <on>`, or `failed <exit code> <output>` for a command that should not fail.
 */
import { spawnSync } from 'node:child_process';
import { runCli } from '../../src/cli/main.js';

const [cwd, agent, mode, bin] = process.argv.slice(2);
if (cwd === undefined || agent === undefined || !(mode === 'inprocess' || (mode === 'spawn' && bin !== undefined))) {
  process.stderr.write('usage: storm-writer <repo dir> <agent> inprocess | spawn <bin>\n');
  process.exit(2);
}
const env = { ...process.env, BATON_AGENT: agent, NO_COLOR: '1' };

interface Outcome {
  code: number;
  stdout: string;
}

async function run(args: string[]): Promise<Outcome> {
  if (mode === 'spawn') {
    const result = spawnSync(process.execPath, [bin as string, ...args, '--json'], { cwd, env, encoding: 'utf8' });
    return { code: result.status ?? -1, stdout: result.stdout };
  }
  let stdout = '';
  const code = await runCli([...args, '--json'], {
    cwd: cwd as string,
    env,
    stdout: (text) => (stdout += text),
    stderr: () => undefined,
    stdoutIsTty: false,
  });
  return { code, stdout };
}

function pick(ids: readonly number[]): number {
  return ids[Math.floor(Math.random() * ids.length)] as number;
}

/** Many dependencies make each add a long transaction, so kills land inside it more often. */
function pickMany(ids: readonly number[], count: number): number[] {
  return [...new Set(Array.from({ length: count }, () => pick(ids)))];
}

/** Runs one command; returns its JSON document, or null after reporting the failure. */
async function write(args: string[]): Promise<Record<string, Record<string, unknown>> | null> {
  const outcome = await run(args);
  if (outcome.code !== 0) {
    process.stdout.write(`failed ${outcome.code} ${args[0] ?? ''} ${outcome.stdout.trim()}\n`);
    return null;
  }
  return JSON.parse(outcome.stdout) as Record<string, Record<string, unknown>>;
}

async function main(): Promise<void> {
  const listed = await write(['list', '--all']);
  const known = ((listed?.tasks ?? []) as unknown as { id: number }[]).map((task) => task.id);
  for (let step = 0; ; step++) {
    const args = ['add', `${agent} task ${step}`, '-d', `written by ${agent} in a storm`, '-r', `modifies:file:src/${agent}/${step}.ts`];
    if (known.length > 0) args.push('--depends-on', pickMany(known, 25).join(','));
    if (known.length > 0 && step % 3 === 0) args.push('--parent', String(pick(known)));
    const added = await write(args);
    if (!added) continue;
    const id = added.task?.id as number;
    process.stdout.write(`task ${id}\n`);
    const noted = await write(['note', String(id), `note ${step} from ${agent}`]);
    if (noted) process.stdout.write(`note ${noted.note?.id as number}\n`);
    if (known.length > 0 && step % 2 === 0) {
      // Edges always point from a newer task to an older one, so they can never form a cycle.
      const on = pick(known);
      if (await write(['depend', String(id), '--on', String(on)])) process.stdout.write(`depend ${id} ${on}\n`);
    }
    known.push(id);
  }
}

await main();
