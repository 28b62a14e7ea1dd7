/**
 * Runs a baton command in-process yet synchronously, for the tests' `baton()`: the CLI host
 * (cli-host.ts) runs in a worker thread of the test file, and the test blocks on a shared flag
 * until the worker has run `runCli` and left the result on a message port. A Node start costs
 * a board command ~0.1 s of CPU; the suite runs a few thousand of them, which on a 2-core
 * machine was minutes of its time.
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { inject } from 'vitest';
import type { HostedCommand, HostedResult, NumberedResult } from './cli-host.js';

interface Host {
  worker: Worker;
  done: Int32Array;
  results: MessagePort;
}

let host: Host | undefined;
let sequence = 0;

function startHost(): Host {
  const worker = new Worker(inject('cliHost'));
  // The worker must not keep a test file's process alive once its tests are over.
  worker.unref();
  const done = new Int32Array(new SharedArrayBuffer(4));
  const { port1: results, port2 } = new MessageChannel();
  worker.postMessage({ done, results: port2 }, [port2]);
  return { worker, done, results };
}

/** Runs one command through the hosted CLI; throws when it has not answered within `timeoutMs`. */
export function runInProcess(command: HostedCommand, timeoutMs: number): HostedResult {
  host ??= startHost();
  const { worker, done, results } = host;
  const seq = ++sequence;
  Atomics.store(done, 0, 0);
  worker.postMessage({ ...command, seq });
  if (Atomics.wait(done, 0, 0, timeoutMs) === 'timed-out') {
    host = undefined;
    void worker.terminate();
    throw new Error(`baton ${command.args.join(' ')} did not answer in-process within ${timeoutMs} ms`);
  }
  // The result was posted before the signal, but a message crossing threads can reach this port a
  // moment after the signal does (seen on a loaded machine): looked for again, briefly.
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let tries = 0; tries < 200; tries++) {
    for (let received = receiveMessageOnPort(results); received; received = receiveMessageOnPort(results)) {
      const result = received.message as NumberedResult;
      if (result.seq === seq) return { code: result.code, stdout: result.stdout, stderr: result.stderr };
    }
    Atomics.wait(pause, 0, 0, 10);
  }
  throw new Error(`baton ${command.args.join(' ')}: the in-process CLI signalled a result it did not send`);
}
