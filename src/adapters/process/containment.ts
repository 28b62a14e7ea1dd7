import { accessSync, constants, mkdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodeProcess from 'node:process';
import { childProcess } from './child-process.js';
import { bwrapContainedCommand } from './containment-bwrap.js';
import { perlContainedCommand, perlSyscallNumbers } from './containment-perl.js';
import { layeredHome, planMounts, type ContainmentPolicy, type HomeLayer } from './containment-plan.js';
import type { CommandLine, Environment } from './spawn-group.js';

export type { ContainmentPolicy } from './containment-plan.js';

/*
 * Containment runs a command so that it cannot write outside the paths it is given and
 * nothing it starts outlives it: a PID namespace (when its first process ends, the kernel
 * kills everything left inside, whatever session, group or environment it moved to), a fresh
 * /proc (no way to the outside through /proc/<pid>/root), and a mount namespace where the
 * policy's paths are read-only bind mounts. The command keeps its uid, its environment, its
 * stdio, its exit code and the signal that killed it.
 */

/** The programs that can set containment up, in the order `detectContainment` tries them. */
export const CONTAINMENT_TOOLS = ['perl', 'bwrap'] as const;
export type ContainmentTool = (typeof CONTAINMENT_TOOLS)[number];

/** Containment this system can do, or why it cannot. */
export type Containment = NamespaceContainment | { kind: 'none'; reason: string };

export interface NamespaceContainment {
  kind: 'namespaces';
  tool: ContainmentTool;
  /** The tool's executable. */
  path: string;
  /** Whether contained commands run as root: uid 0, whose capabilities perl confines to a user namespace and bwrap drops. */
  root: boolean;
  /** Whether HOME can be layered (perl, where the kernel allows an overlay): otherwise it stays read-only. */
  layersHome: boolean;
}

/** The exit code of a wrapper that could not set containment up; its stderr says why. */
export const CONTAINMENT_SETUP_EXIT_CODE = 125;

const TOOL_LOCATIONS: Readonly<Record<ContainmentTool, readonly string[]>> = {
  perl: ['/usr/bin/perl', '/bin/perl', '/usr/local/bin/perl'],
  bwrap: ['/usr/bin/bwrap', '/usr/local/bin/bwrap', '/bin/bwrap'],
};
const PROBE_TIMEOUT_MS = 10_000;

/**
 * `BATON_CONTAINMENT=off` turns containment off: for a system where namespaces get in the way
 * of the project's own tools, and for tests of what baton does without them (writes outside
 * the worktree are then detected after each attempt instead of refused).
 */
export const CONTAINMENT_VARIABLE = 'BATON_CONTAINMENT';

let detected: Promise<Containment> | undefined;

/**
 * What containment this system allows: the first tool whose trial run works, or `none` with
 * every tool's reason (or because `env` turns it off). Tried once per process (a trial costs
 * what one contained command costs), then remembered.
 */
export function detectContainment(env: Environment = nodeProcess.env): Promise<Containment> {
  if (env[CONTAINMENT_VARIABLE] === 'off') return Promise.resolve({ kind: 'none', reason: `turned off by ${CONTAINMENT_VARIABLE}=off` });
  detected ??= detect();
  return detected;
}

async function detect(): Promise<Containment> {
  const reasons: string[] = [];
  for (const tool of CONTAINMENT_TOOLS) {
    const found = await probeContainment(tool);
    if (found.kind === 'namespaces') return found;
    reasons.push(`${tool}: ${found.reason}`);
  }
  const reason = reasons.join('; ');
  return { kind: 'none', reason: `no containment: ${reason}${namespaceHint(reason)}` };
}

/** Whether `tool` can contain commands here, found by containing one (`/bin/sh -c :` with a read-only bind). */
export async function probeContainment(tool: ContainmentTool): Promise<Containment> {
  if (nodeProcess.platform !== 'linux') return { kind: 'none', reason: `needs Linux namespaces; this is ${nodeProcess.platform}` };
  if (tool === 'perl' && perlSyscallNumbers(nodeProcess.arch) === null) return { kind: 'none', reason: `does not know the system call numbers of ${nodeProcess.arch}` };
  const path = TOOL_LOCATIONS[tool].find(isExecutable);
  if (!path) return { kind: 'none', reason: `not installed (looked for ${TOOL_LOCATIONS[tool].join(', ')})` };
  const plain: NamespaceContainment = { kind: 'namespaces', tool, path, root: nodeProcess.geteuid?.() === 0, layersHome: false };
  const policy = { readOnly: ['/'], writable: [tmpdir(), '/proc'] };
  const homeLayer = probeLayer();
  if (tool === 'perl' && homeLayer !== null) {
    const layered = { ...plain, layersHome: true };
    if ((await run(containedCommand({ argv: ['/bin/sh', '-c', ':'] }, layered, { ...policy, homeLayer }))).code === 0) return layered;
  }
  const result = await run(containedCommand({ argv: ['/bin/sh', '-c', ':'] }, plain, policy));
  if (result.code === 0) return plain;
  const said = result.stderr.trim().split('\n').slice(-2).join(' / ');
  return { kind: 'none', reason: `its trial run failed (${result.code === null ? 'killed, or it did not end' : `exit ${result.code}`})${said ? `: ${said}` : ''}` };
}

/**
 * `command` (an argv and environment, as `spawnGroup`'s `wrap` receives it) rewritten to run
 * contained by `containment` under `policy`. Policy paths are resolved to what they point to;
 * those that do not exist are left out (a read-only parent covers what is created later).
 * The working directory is the one the wrapper is started in.
 */
export function containedCommand(command: CommandLine, containment: NamespaceContainment, policy: ContainmentPolicy): CommandLine {
  const steps = planMounts({ readOnly: existing(policy.readOnly), writable: existing(policy.writable), pinned: existing(policy.pinned ?? []) });
  if (containment.tool === 'bwrap') return bwrapContainedCommand(containment.path, steps, command, containment.root, existing(policy.hidden ?? []).map((path) => ({ path, folder: isFolder(path) })));
  const numbers = perlSyscallNumbers(nodeProcess.arch);
  if (numbers === null) throw new Error(`containment with perl does not know the system call numbers of ${nodeProcess.arch}`);
  const layer = containment.layersHome ? (policy.homeLayer ?? null) : null;
  const layered = layer ? { ...command, env: { ...(command.env ?? nodeProcess.env), HOME: layeredHome(layer) } } : command;
  return perlContainedCommand(containment.path, numbers, steps, layered, nodeProcess.env, layer, policy.privateTmp ?? null, existing(policy.hidden ?? []));
}

/**
 * The folder a HOME layer is mounted on (inside each namespace only; outside it stays empty):
 * one per user below the system's temporary folder, made on first use. Null without a home.
 */
export function homeLayerMountPoint(): string | null {
  const dir = join(tmpdir(), `baton-home-layer-${nodeProcess.geteuid?.() ?? 'user'}`);
  try {
    mkdirSync(dir, { mode: 0o700, recursive: true });
    return realpathSync.native(dir);
  } catch {
    return null;
  }
}

/** A layer over this process's HOME for the probe, or null when there is no home to layer. */
function probeLayer(): HomeLayer | null {
  const home = existing([nodeProcess.env.HOME ?? ''].filter(Boolean))[0];
  const mountPoint = homeLayerMountPoint();
  return home && mountPoint ? { home, mountPoint, writeThrough: [] } : null;
}

function existing(paths: readonly string[]): string[] {
  return paths.flatMap((path) => {
    try {
      return [realpathSync.native(path)];
    } catch {
      return [];
    }
  });
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Why namespaces may be unavailable, when the system says so. */
function namespaceHint(reason: string): string {
  const read = (file: string) => {
    try {
      return readFileSync(file, 'utf8').trim();
    } catch {
      return null;
    }
  };
  if (read('/proc/sys/user/max_user_namespaces') === '0') return ' (user namespaces are disabled: /proc/sys/user/max_user_namespaces is 0)';
  if (read('/proc/sys/kernel/unprivileged_userns_clone') === '0') return ' (unprivileged user namespaces are disabled: kernel.unprivileged_userns_clone is 0)';
  if (read('/proc/sys/kernel/apparmor_restrict_unprivileged_userns') === '1') {
    return ' (AppArmor restricts unprivileged user namespaces: kernel.apparmor_restrict_unprivileged_userns is 1; bubblewrap, which has a profile allowing them, would work)';
  }
  if (reason.includes('Operation not permitted')) return ' (inside a container, its seccomp profile or missing capabilities may forbid new namespaces)';
  return '';
}

function run(command: CommandLine): Promise<{ code: number | null; stderr: string }> {
  const [file, ...args] = command.argv;
  return new Promise((resolve) => {
    const child = childProcess().execFile(
      file as string,
      args,
      { cwd: '/', ...(command.env ? { env: command.env } : {}), timeout: PROBE_TIMEOUT_MS, encoding: 'utf8' },
      (error, _stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stderr: error && typeof error.code !== 'number' && !stderr ? error.message : stderr });
      },
    );
    child.stdin?.end();
  });
}
