// Installs the peer tools from npm into a scratch folder (reused between runs) and reports
// what could not be installed instead of failing.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { timeCommand, tail } from '../run-command.mjs';

export const PEER_PACKAGES = ['backlog.md', '@os-eco/seeds-cli', 'task-master-ai', 'bun'];

export function peersDir() {
  return process.env.BENCH_PEERS_DIR || join(tmpdir(), 'baton-bench-peers');
}

export function packageVersion(dir, name) {
  const file = join(dir, 'node_modules', name, 'package.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).version : null;
}

/** Installs whatever is missing; returns { dir, versions, failure } (failure: npm's output tail). */
export function installPeers(log) {
  const dir = peersDir();
  mkdirSync(dir, { recursive: true });
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) writeFileSync(manifest, `${JSON.stringify({ name: 'baton-bench-peers', private: true }, null, 2)}\n`);
  const missing = PEER_PACKAGES.filter((name) => packageVersion(dir, name) === null);
  let failure = null;
  if (missing.length > 0) {
    log(`installing ${missing.join(', ')} from npm into ${dir} (about a minute)`);
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const result = timeCommand(npm, ['install', '--no-audit', '--no-fund', '--loglevel=error', ...missing], { cwd: dir, env: process.env, timeoutMs: 15 * 60_000 });
    if (result.code !== 0) failure = `npm install exited ${result.code}: ${tail(result.stderr || result.stdout, 400)}`;
  }
  const versions = Object.fromEntries(PEER_PACKAGES.map((name) => [name, packageVersion(dir, name)]));
  return { dir, versions, failure };
}
