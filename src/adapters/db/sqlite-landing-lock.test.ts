/**
 * The merge queue's lock, with real files and real processes: one holder at a time, a live
 * holder named, and a holder killed with -9 leaving nothing that keeps the next one out.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import nodeProcess from 'node:process';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteLandingLock } from './sqlite-landing-lock.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function lockPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'baton-landing-lock-'));
  dirs.push(dir);
  return join(dir, 'lock.db');
}

/** A Node process holding the lock until it is killed; resolves once it holds it. */
async function holderProcess(path: string): Promise<{ pid: number; kill: () => Promise<void> }> {
  const module = resolve(import.meta.dirname, '../../../node_modules/better-sqlite3');
  const script = `const D = require(${JSON.stringify(module)}); const db = new D(${JSON.stringify(path)}, { timeout: 0 }); db.exec('BEGIN EXCLUSIVE'); require('fs').writeFileSync(${JSON.stringify(`${path}.holder`)}, JSON.stringify({ pid: process.pid, host: require('os').hostname(), at: 'now' })); console.log('held'); setInterval(() => {}, 1000);`;
  const child = spawn(nodeProcess.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolveHeld, reject) => {
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('held') && resolveHeld());
    child.once('exit', (code) => reject(new Error(`the holder exited with ${code}`)));
  });
  return {
    pid: child.pid as number,
    kill: () =>
      new Promise((resolveKilled) => {
        child.removeAllListeners('exit');
        child.once('exit', () => resolveKilled());
        child.kill('SIGKILL');
      }),
  };
}

describe('SqliteLandingLock', () => {
  it('of several batons asking at once after its holder was killed with -9, exactly one holds it', async () => {
    const path = lockPath();
    for (let round = 0; round < 10; round++) {
      await (await holderProcess(path)).kill();
      const held = await Promise.all([1, 2, 3].map(() => new SqliteLandingLock(path, { pid: nodeProcess.pid }).acquire()));
      const holders = held.filter((outcome) => 'release' in outcome);
      expect([round, holders.length]).toEqual([round, 1]);
      for (const outcome of holders) await outcome.release();
    }
  });

  it('a live holder in another process is named; killed with -9, it keeps nobody out', async () => {
    const path = lockPath();
    const holder = await holderProcess(path);
    expect(await new SqliteLandingLock(path, { pid: nodeProcess.pid }).acquire()).toEqual({ holder: expect.stringContaining(`pid ${holder.pid}`) });
    await holder.kill();
    const taken = await new SqliteLandingLock(path, { pid: nodeProcess.pid }).acquire();
    expect('release' in taken).toBe(true);
    if ('release' in taken) await taken.release();
  });
});
