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

function serveThread(port: MessagePort): void {
  let setup: WorkerSetup | undefined;
  const finish = (result: HostedResult): void => {
    if (!setup) return;
    setup.results.postMessage(result);
    Atomics.store(setup.done, 0, 1);
    Atomics.notify(setup.done, 0);
  };
  // A failure outside any command (a timer a command left behind) must not leave the test waiting.
  process.on('uncaughtException', (error) => finish({ code: 1, stdout: '', stderr: `uncaught in the CLI host: ${error.stack ?? error.message}\n` }));
  port.on('message', (message: WorkerSetup | HostedCommand) => {
    if ('done' in message) {
      setup = message;
      return;
    }
    void execute(message).then(finish);
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
