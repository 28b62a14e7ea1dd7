import { spawn, type ChildProcess } from 'node:child_process';
import type { AgentMessage } from './agent-loop.js';
import { childEnv, exited, onLines, sleep, stopChild, tail, type BatonBinary } from './child.js';
import type { AgentOutcome } from './report.js';

/** Where the demo's child processes run and how they report progress. */
export interface Stage {
  binary: BatonBinary;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  progress: (line: string) => void;
}

export interface RunningAgent {
  outcome: Promise<AgentOutcome>;
  /** Stops the agent and whatever command it is running. */
  stop(): Promise<void>;
}

/**
 * Starts one agent: a separate `baton demo` process in the agent role, acting as `name`.
 * Its stdout is one JSON message per line; they become progress lines and its final record.
 */
export function startAgent(stage: Stage, name: string): RunningAgent {
  const child = spawn(stage.binary.node, [stage.binary.script, 'demo'], {
    cwd: stage.cwd,
    env: childEnv(stage.env, name, 'agent'),
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so stopping it also stops the baton command it is running.
    detached: true,
  });
  const outcome: AgentOutcome = { name, exitCode: -1, claimed: null, completed: null, error: null, collisions: [] };
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  onLines(child.stdout, (line) => {
    const message = parseMessage(line);
    if (!message) return stage.progress(`${name}: ${line}`);
    if (message.kind === 'claimed') {
      stage.progress(`${name} claimed #${message.id} ${message.title}`);
      for (const reason of message.collisions) stage.progress(`  baton warned ${name} of a collision: ${reason}`);
      outcome.collisions.push(...message.collisions.map((reason) => ({ agent: name, taskId: message.id, reason })));
      for (const notice of message.notices) stage.progress(`  ${name}'s inbox: ${notice}`);
    }
    if (message.kind === 'completed') stage.progress(`${name} completed #${message.id}${unblockedText(message.unblocked)}`);
    if (message.kind === 'finished') {
      outcome.claimed = message.claimed;
      outcome.completed = message.completed;
      stage.progress(`${name} finished after ${message.completed.length} task${message.completed.length === 1 ? '' : 's'}`);
    }
  });
  const ended = new Promise<AgentOutcome>((resolve) => {
    child.on('error', (error) => {
      outcome.error = error.message;
      resolve(outcome);
    });
    child.on('close', (code, signal) => {
      outcome.exitCode = code ?? -1;
      if (code !== 0) outcome.error ??= tail(stderr) || `killed by ${signal ?? 'a signal'}`;
      resolve(outcome);
    });
  });
  return { outcome: ended, stop: () => stopChild(child, true) };
}

function parseMessage(line: string): AgentMessage | undefined {
  try {
    const message = JSON.parse(line) as AgentMessage;
    return typeof message === 'object' && message !== null && 'kind' in message ? message : undefined;
  } catch {
    return undefined;
  }
}

function unblockedText(ids: readonly number[]): string {
  return ids.length === 0 ? '' : `, which unblocked ${ids.map((id) => `#${id}`).join(' ')}`;
}

export interface Follower {
  /** Every line the follower printed: one `{"event": ...}` document each. */
  lines: string[];
  /** Waits until the follower has printed event `lastId` (or `timeoutMs` passed), then stops it. */
  stopAfter(lastId: number, timeoutMs: number): Promise<void>;
  child: ChildProcess;
}

/** Starts `baton watch --follow --json`, the way a dashboard or a watching agent would. */
export function startFollower(stage: Stage): Follower {
  const child = spawn(stage.binary.node, [stage.binary.script, 'watch', '--follow', '--json'], {
    cwd: stage.cwd,
    env: childEnv(stage.env, 'observer'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let lastSeen = 0;
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  onLines(child.stdout, (line) => {
    lines.push(line);
    lastSeen = Math.max(lastSeen, eventIdOf(line));
  });
  child.on('exit', (code) => {
    if (code !== 0 && code !== null) stage.progress(`follower exited with ${code}: ${tail(stderr)}`);
  });
  return {
    lines,
    child,
    async stopAfter(lastId, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (lastSeen < lastId && Date.now() < deadline && child.exitCode === null) await sleep(25);
      await stopChild(child);
      await exited(child);
    },
  };
}

function eventIdOf(line: string): number {
  try {
    const id = (JSON.parse(line) as { event?: { id?: unknown } }).event?.id;
    return typeof id === 'number' ? id : 0;
  } catch {
    return 0;
  }
}
