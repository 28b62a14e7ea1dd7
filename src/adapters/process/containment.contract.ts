import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodeProcess from 'node:process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containedCommand, type NamespaceContainment } from './containment.js';
import type { ContainmentPolicy } from './containment-plan.js';
import { procProcessTable } from './process-table.js';
import { runGroup, spawnGroup, type CommandLine, type SpawnGroupOptions } from './spawn-group.js';

/*
 * What every containment tool must do, with real namespaces, mounts and processes. Where the
 * tools may differ (how a signal death or a SIGTERM shows), the differences are passed in.
 */

/** How a tool reports what the suite leaves open. */
export interface ContainmentTraits {
  /** A command killed by a signal shows as that signal (else as exit code 128 + N). */
  exactSignals: boolean;
  /** A SIGTERM to the group lets the command finish its own way (else the tool dies and kills it). */
  commandHandlesSigterm: boolean;
  /** The exit code when the command does not exist. */
  notFoundExitCode: number;
}

export const NOBODY = ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', '--'];

/** A shell script that tries each write it is given and prints `ok <path>` or the shell's error. */
export const TRY_WRITES = `for f in "$@"; do if ( : >> "$f" ) 2>/dev/null; then echo "ok $f"; else ( : >> "$f" ) 2>&1 | sed 's/.*: //'; fi; done`;

/**
 * Given a read-only mount point ($0) and files under it, tries to make it writable (remount,
 * unmount to reach what is below) and then writes, once in the command's own namespaces and
 * once in a new user and mount namespace, where the command is root.
 */
const UNDO = `
mount -o remount,bind,rw "$0" 2>/dev/null; umount -l "$0" 2>/dev/null
${TRY_WRITES}
unshare -Urm sh -c 'umount -l "$0" 2>/dev/null || mount -o remount,bind,rw "$0" 2>/dev/null; ${TRY_WRITES.replaceAll("'", "'\\''")}' "$0" "$@" 2>/dev/null || echo 'no user namespace'
`;
/** What UNDO prints when every attempt failed: root without capabilities (bwrap) may not map uid 0 in a new user namespace. */
const UNDONE_NOTHING = [['Read-only file system', 'Read-only file system'], ['Read-only file system', 'no user namespace']];

/** A node script that connects to each Unix socket path it is given and prints `connected` or the error code. */
const CONNECT_EACH = `
const net = require('node:net');
(async () => {
  for (const path of process.argv.slice(1)) {
    await new Promise((done) => {
      const socket = net.connect(path);
      socket.on('connect', () => { console.log('connected'); socket.destroy(); done(); });
      socket.on('error', (error) => { console.log(error.code); done(); });
    });
  }
})();
`;

/** A Unix socket server at `path` that accepts and says nothing. */
function listening(path: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.destroy());
    server.once('error', reject);
    server.listen(path, () => resolve(server));
  });
}

/** Live `sleep <token>` processes (seen from outside every namespace). */
function sleepers(token: string): number[] {
  return readdirSync('/proc').flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'latin1');
      return cmdline === `sleep\0${token}\0` && procProcessTable.isAlive(Number(entry)) ? [Number(entry)] : [];
    } catch {
      return [];
    }
  });
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A `sleep` argument no other process has. */
function uniqueSleep(): string {
  return `1000.${nodeProcess.pid}${Math.floor(Math.random() * 1e6)}`;
}

/** A tree to protect: `main dir` read-only, with writable and read-only paths nested in it, names with spaces, and paths that do not exist. */
function makeTree(base: string): { main: string; work: string; policy: ContainmentPolicy } {
  const main = join(base, 'main dir');
  const work = join(main, '.baton', 'worktrees', 'task x');
  mkdirSync(join(work, 'locked'), { recursive: true });
  mkdirSync(join(main, '.git', 'objects'), { recursive: true });
  writeFileSync(join(main, 'README'), 'main\n');
  writeFileSync(join(main, '.git', 'packed-refs'), '');
  writeFileSync(join(work, 'settings.json'), '{}\n');
  const policy = {
    readOnly: [main, join(work, 'locked'), join(work, 'settings.json'), join(base, 'does not exist')],
    writable: [work, join(main, '.git', 'objects'), join(main, '.git', 'packed-refs'), join(main, 'not there either')],
  };
  return { main, work, policy };
}

/** The suite every tool passes: `containment` is a tool that works on this system. */
export function containmentContract(containment: NamespaceContainment, traits: ContainmentTraits): void {
  let base: string;
  let tree: ReturnType<typeof makeTree>;
  const wrapWith = (policy: ContainmentPolicy) => (command: CommandLine) => containedCommand(command, containment, policy);
  const run = (argv: string[], options: Partial<SpawnGroupOptions> = {}) => runGroup(argv, { cwd: tree.work, wrap: wrapWith(tree.policy), ...options });

  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'baton-containment-'));
    tree = makeTree(base);
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('passes output, stdin and the exit code through unchanged', async () => {
    const exit = await run(['sh', '-c', 'read line; echo "out $line"; echo err >&2; exit 7'], { stdin: { kind: 'text', text: 'hello\n' } });
    expect(exit).toMatchObject({ exitCode: 7, signal: null, stdoutTail: 'out hello\n', stderrTail: 'err\n' });
  });

  it('runs the command as the same user, in a PID namespace of its own with a fresh /proc', async () => {
    const exit = await run(['sh', '-c', 'id -u; echo $$; ls /proc | grep -c "^[0-9]"; cat /proc/1/cmdline | tr "\\0" " "']);
    const [uid, pid, count, init] = exit.stdoutTail.trim().split('\n');
    expect(uid).toBe(String(nodeProcess.geteuid?.()));
    expect(Number(pid)).toBeLessThan(10);
    expect(Number(count)).toBeLessThan(10);
    expect(init).toMatch(/^(baton-init$|\S*bwrap )/);
  });

  it('refuses writes to read-only paths with EROFS and allows them in the writable paths nested inside', async () => {
    const { main, work } = tree;
    const refused = [join(main, 'README'), join(main, 'new file'), join(main, '.git', 'config'), join(work, 'locked', 'f'), join(work, 'settings.json')];
    const allowed = [join(work, 'out.txt'), join(main, '.git', 'objects', 'o'), join(main, '.git', 'packed-refs')];
    const exit = await run(['sh', '-c', TRY_WRITES, 'sh', ...refused, ...allowed]);
    expect(exit.stdoutTail.trim().split('\n')).toEqual([...refused.map(() => 'Read-only file system'), ...allowed.map((path) => `ok ${path}`)]);
    expect(readFileSync(join(work, 'out.txt'), 'utf8')).toBe('');
  });

  it('re-enters the working directory through the mounts, so a relative write is refused too', async () => {
    const exit = await run(['sh', '-c', TRY_WRITES, 'sh', 'relative.txt'], { cwd: tree.main });
    expect(exit.stdoutTail).toBe('Read-only file system\n');
  });

  it('cannot make a read-only path writable again: remount and unmount fail, here and in a new user namespace', async () => {
    const exit = await run(['sh', '-c', UNDO, tree.main, join(tree.main, 'README')]);
    expect(UNDONE_NOTHING).toContainEqual(exit.stdoutTail.trim().split('\n'));
  });

  it('makes a mount inside a read-only directory read-only too', async (context) => {
    if (nodeProcess.geteuid?.() !== 0) context.skip('mounting the inner file system needs root');
    const inner = join(tree.main, 'mounted');
    mkdirSync(inner, { recursive: true });
    // The inner mount exists only in a namespace of the test's own, around the wrapper.
    const withInnerMount = (command: CommandLine) => {
      const contained = containedCommand(command, containment, tree.policy);
      return { ...contained, argv: ['unshare', '--mount', '--propagation', 'private', '--', 'sh', '-c', 'mount -t tmpfs inner "$0" && exec "$@"', inner, ...contained.argv] };
    };
    const exit = await runGroup(['sh', '-c', `stat -f -c %T "$0"; ${TRY_WRITES}`, inner, join(inner, 'f')], { cwd: tree.work, wrap: withInnerMount });
    expect(exit.stdoutTail).toBe('tmpfs\nRead-only file system\n');
  });

  it('hides the sockets it is told to: a folder of them is empty, a socket file answers nothing; unhidden, both answer', async () => {
    const runtime = join(base, 'run-user');
    mkdirSync(runtime);
    const [bus, engine] = [join(runtime, 'bus'), join(base, 'engine.sock')];
    const servers = await Promise.all([bus, engine].map((path) => listening(path)));
    try {
      const connect = [nodeProcess.execPath, '-e', CONNECT_EACH, bus, engine];
      const hidden = await runGroup(connect, { cwd: tree.work, wrap: wrapWith({ ...tree.policy, hidden: [runtime, engine] }) });
      expect(hidden.stdoutTail.trim().split('\n')).toEqual(['ENOENT', 'ECONNREFUSED']);
      const shown = await runGroup(connect, { cwd: tree.work, wrap: wrapWith(tree.policy) });
      expect(shown.stdoutTail.trim().split('\n')).toEqual(['connected', 'connected']);
    } finally {
      for (const server of servers) server.close();
    }
  });

  it('kills what the command left behind in a new session with an empty environment when the command ends', async () => {
    const token = uniqueSleep();
    const running = await spawnGroup(['sh', '-c', 'setsid env -i sh -c "sleep $1 &"; read line', 'sh', token], { cwd: tree.work, wrap: wrapWith(tree.policy), stdin: { kind: 'pipe' } });
    await waitFor('the sleeper to start', () => sleepers(token).length === 1);
    running.stdin?.end('done\n');
    expect(await running.done).toMatchObject({ exitCode: 0 });
    await waitFor('the sleeper to be killed', () => sleepers(token).length === 0, 2_000);
  });

  it('without containment the same sleeper survives (what the test above would catch)', async () => {
    const token = uniqueSleep();
    const exit = await runGroup(['sh', '-c', 'setsid env -i sh -c "sleep $1 >/dev/null 2>&1 &"; sleep 0.2', 'sh', token], { cwd: tree.work });
    expect(exit.exitCode).toBe(0);
    const left = sleepers(token);
    for (const pid of left) nodeProcess.kill(pid, 'SIGKILL');
    expect(left).toHaveLength(1);
  });

  it('kills everything inside when the wrapper itself is SIGKILLed', async () => {
    const [outer, inner] = [uniqueSleep(), uniqueSleep()];
    const running = await spawnGroup(['sh', '-c', 'setsid env -i sh -c "sleep $1 &"; exec sleep "$2"', 'sh', inner, outer], { cwd: tree.work, wrap: wrapWith(tree.policy) });
    await waitFor('both sleepers to start', () => sleepers(inner).length === 1 && sleepers(outer).length === 1);
    nodeProcess.kill(running.pid, 'SIGKILL');
    expect(await running.done).toMatchObject({ signal: 'SIGKILL' });
    await waitFor('every process inside to be killed', () => sleepers(inner).length + sleepers(outer).length === 0, 2_000);
  });

  it('ends everything on a SIGTERM to the group', async () => {
    const token = uniqueSleep();
    const script = 'trap "echo bye; exit 3" TERM; setsid sleep "$1" & echo started; wait';
    const running = await spawnGroup(['sh', '-c', script, 'sh', token], { cwd: tree.work, wrap: wrapWith(tree.policy), killGraceMs: 3_000 });
    await waitFor('the sleeper to start', () => sleepers(token).length === 1);
    running.stop();
    const exit = await running.done;
    await waitFor('the sleeper to be killed', () => sleepers(token).length === 0, 2_000);
    if (traits.commandHandlesSigterm) expect(exit).toMatchObject({ exitCode: 3, stdoutTail: 'started\nbye\n', cancelled: true });
    else expect(exit).toMatchObject({ signal: 'SIGTERM', cancelled: true });
    expect(exit.durationMs).toBeLessThan(2_500);
  });

  it('reaps orphans, so that no dead process lingers as a zombie while the command runs', async () => {
    const exit = await run(['sh', '-c', '(sleep 0.1 &); sleep 0.8; grep -s "^State:" /proc/[0-9]*/status | grep -c zombie']);
    expect(exit.stdoutTail).toBe('0\n');
  });

  it('reports a command killed by a signal', async () => {
    const exit = await run(['sh', '-c', 'kill -USR1 $$']);
    if (traits.exactSignals) expect(exit).toMatchObject({ exitCode: null, signal: 'SIGUSR1' });
    else expect(exit).toMatchObject({ exitCode: 128 + 10, signal: null });
  });

  it('says why a command cannot start', async () => {
    const exit = await run(['no-such-command-here']);
    expect(exit.exitCode).toBe(traits.notFoundExitCode);
    expect(exit.stderrTail).toContain('no-such-command-here');
  });

  describe('as an unprivileged user', () => {
    let shared: string | undefined;
    let nobodyTree: ReturnType<typeof makeTree>;
    let skip: string | null = null;
    const asNobody = (policy: ContainmentPolicy) => (command: CommandLine) => {
      const inner = containedCommand(command, { ...containment, root: false }, policy);
      return { ...inner, argv: [...NOBODY, ...inner.argv] };
    };
    const runAsNobody = (argv: string[]) => runGroup(argv, { cwd: nobodyTree.work, wrap: asNobody(nobodyTree.policy) });

    beforeAll(async () => {
      if (nodeProcess.geteuid?.() !== 0) {
        skip = 'the tests need root to switch to nobody';
        return;
      }
      // The test's own temporary directory may sit below a directory only root can enter.
      shared = mkdtempSync('/tmp/baton-containment-nobody-');
      chmodSync(shared, 0o755);
      nobodyTree = makeTree(shared);
      // Only the mount may stop these writes, not the files' permissions.
      chmodSync(join(nobodyTree.main, 'README'), 0o666);
      for (const path of [nobodyTree.work, join(nobodyTree.work, 'locked'), join(nobodyTree.main, '.git', 'objects'), join(nobodyTree.main, '.git', 'packed-refs')]) chownSync(path, 65534, 65534);
      const exit = await runAsNobody(['true']);
      if (exit.exitCode !== 0) skip = `${containment.tool} cannot contain an unprivileged user here: ${exit.stderrTail.trim()}`;
    });
    afterAll(() => {
      if (shared) rmSync(shared, { recursive: true, force: true });
    });

    it('keeps the user’s own uid (not root), refuses read-only writes and allows the writable ones', async (context) => {
      if (skip) context.skip(skip);
      const { main, work } = nobodyTree;
      const exit = await runAsNobody(['sh', '-c', `id -u; id -g; ${TRY_WRITES}`, 'sh', join(main, 'README'), join(work, 'locked', 'f'), join(work, 'mine.txt')]);
      expect(exit.stdoutTail.trim().split('\n')).toEqual(['65534', '65534', 'Read-only file system', 'Read-only file system', `ok ${join(work, 'mine.txt')}`]);
    });

    it('cannot undo a read-only mount from inside', async (context) => {
      if (skip) context.skip(skip);
      const exit = await runAsNobody(['sh', '-c', UNDO, nobodyTree.main, join(nobodyTree.main, 'README')]);
      expect(exit.stdoutTail).toBe('Read-only file system\nRead-only file system\n');
    });

    it('kills a setsid sleeper when the command ends', async (context) => {
      if (skip) context.skip(skip);
      const token = uniqueSleep();
      const running = await spawnGroup(['sh', '-c', 'setsid env -i sh -c "sleep $1 &"; read line', 'sh', token], { cwd: nobodyTree.work, wrap: asNobody(nobodyTree.policy), stdin: { kind: 'pipe' } });
      await waitFor('the sleeper to start', () => sleepers(token).length === 1);
      running.stdin?.end('done\n');
      expect(await running.done).toMatchObject({ exitCode: 0 });
      await waitFor('the sleeper to be killed', () => sleepers(token).length === 0, 2_000);
    });
  });
}
