/**
 * A lane: one process that runs baton commands one after another, as one agent calling baton
 * again and again, without a Node start per command (the CLI host, cli-host.ts, reading JSON
 * lines). Many lanes at once are many processes racing on one board file, which is what the
 * storms test; paying ~0.1 s of CPU to start each of their hundreds of commands only made them
 * slow.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { inject } from 'vitest';
import { childEnv, type BatonResult, type RunOptions } from './baton.js';
import type { HostedResult } from './cli-host.js';

export class CliLane {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: ((result: HostedResult) => void)[] = [];
  private stderr = '';
  private readonly exited: Promise<void>;

  constructor() {
    this.child = spawn(process.execPath, [inject('cliHost')], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    createInterface({ input: this.child.stdout }).on('line', (line) => this.waiting.shift()?.(JSON.parse(line) as HostedResult));
    this.exited = new Promise((resolve) =>
      this.child.on('close', (code) => {
        // A lane that died answers whatever still waits, so no test hangs on it.
        for (const answer of this.waiting.splice(0)) answer({ code: -1, stdout: '', stderr: `the lane exited (${code}): ${this.stderr}` });
        resolve();
      }),
    );
  }

  /** Runs one command in this lane, after the ones sent before it. */
  run(args: readonly string[], options: RunOptions): Promise<BatonResult> {
    const env = Object.fromEntries(Object.entries(childEnv(options.env)).filter((entry): entry is [string, string] => entry[1] !== undefined));
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.child.stdin.write(`${JSON.stringify({ args, cwd: options.cwd, env })}\n`);
    });
  }

  async close(): Promise<void> {
    this.child.stdin.end();
    await this.exited;
  }
}
