/**
 * The CLI's own entry (`runCli`) hosted for tests, without a Node start per command. The test
 * run's global setup bundles this file with esbuild (Node 20 cannot run TypeScript), and it is
 * started two ways:
 *
 * - as a worker thread of a test file (`in-process-cli.ts`): the test's synchronous `baton()`
 *   posts a command, blocks on a shared flag, and reads the result back off a message port;
 * - as a process of its own (`cli-lane.ts`): commands arrive as JSON lines on stdin and each
 *   result leaves as a JSON line on stdout, so storms of many processes race on one board
 *   without paying a Node start per write.
 *
 * Either way a command gets what bin.ts gives it: its own cwd and environment, its output line
 * by line, no terminal.
 */
import { createInterface } from 'node:readline';
import { isMainThread, parentPort, type MessagePort } from 'node:worker_threads';
import { runCli } from '../../src/cli/main.js';

export interface HostedCommand {
  args: string[];
  cwd: string;
  env: Record<string, string>;
}

export interface HostedResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function execute(command: HostedCommand): Promise<HostedResult> {
  let stdout = '';
  let stderr = '';
  try {
    const code = await runCli(command.args, {
      cwd: command.cwd,
      env: command.env,
      stdout: (text) => (stdout += `${text}\n`),
      stderr: (text) => (stderr += `${text}\n`),
      stdoutIsTty: false,
    });
    return { code, stdout, stderr };
  } catch (error) {
    // What an uncaught error does to the real binary: a stack on stderr and exit 1.
    return { code: 1, stdout, stderr: `${stderr}${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n` };
  }
}

interface WorkerSetup {
  /** Set to 1 (and notified) when a result is on `results`. */
  done: Int32Array;
  results: MessagePort;
}

/** A command as the test thread sends it: numbered, so a result always finds its command. */
export interface NumberedCommand extends HostedCommand {
  seq: number;
}

export interface NumberedResult extends HostedResult {
  seq: number;
}

function serveThread(port: MessagePort): void {
  let setup: WorkerSetup | undefined;
  let inFlight: number | null = null;
  const finish = (seq: number, result: HostedResult): void => {
    if (!setup || inFlight !== seq) return;
    inFlight = null;
    setup.results.postMessage({ ...result, seq } satisfies NumberedResult);
    Atomics.store(setup.done, 0, 1);
    Atomics.notify(setup.done, 0);
  };
  // An error nobody catches ends the real binary with its stack and exit 1: the command in
  // flight ends so here too. One after a command answered is reported where a person sees it.
  process.on('uncaughtException', (error) => {
    const stack = `${error.stack ?? error.message}\n`;
    if (inFlight === null) process.stderr.write(`the in-process CLI hit an error after its command had answered:\n${stack}`);
    else finish(inFlight, { code: 1, stdout: '', stderr: stack });
  });
  port.on('message', (message: WorkerSetup | NumberedCommand) => {
    if ('done' in message) {
      setup = message;
      return;
    }
    inFlight = message.seq;
    void execute(message).then((result) => finish(message.seq, result));
  });
}

function serveLines(): void {
  // One command at a time, in order: a lane is one agent calling baton again and again.
  let queue = Promise.resolve();
  createInterface({ input: process.stdin }).on('line', (line) => {
    queue = queue.then(async () => {
      const result = await execute(JSON.parse(line) as HostedCommand);
      process.stdout.write(`${JSON.stringify(result)}\n`);
    });
  });
}

if (!isMainThread && parentPort) serveThread(parentPort);
else serveLines();
