import { spawnSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';

/** What the numbers were measured on; benchmarks are meaningless without it. */
export function machineInfo() {
  const cores = cpus();
  return {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpuCount: cores.length,
    cpuModel: cores[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    loadAverageAtStart: loadavg().map((value) => Math.round(value * 100) / 100),
    date: new Date().toISOString(),
  };
}

/** Which code was measured: the commit, and how many files under src/ differ from it. */
export function sourceInfo(repoRoot) {
  const git = (args) => spawnSync('git', args, { cwd: repoRoot, encoding: 'utf8' });
  const head = git(['rev-parse', '--short', 'HEAD']);
  const status = git(['status', '--porcelain', '--', 'src']);
  return {
    commit: head.status === 0 ? head.stdout.trim() : null,
    uncommittedSrcFiles: status.status === 0 ? status.stdout.split('\n').filter(Boolean).length : null,
  };
}
