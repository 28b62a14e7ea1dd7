import type { CommandLine } from './spawn-group.js';
import type { MountStep } from './containment-plan.js';

/** A service socket to hide: a folder gets an empty tmpfs, a socket file /dev/null. */
export interface HiddenPath {
  path: string;
  folder: boolean;
}

/**
 * `command` run under bubblewrap at `bwrapPath`: the whole file system as it is, `steps`
 * bound over it in order (bwrap mounts each from the original tree, so a writable child of a
 * read-only parent stays writable), a PID namespace with bwrap's own PID 1, a fresh /proc, and
 * death with bwrap; `hidden` sockets covered. Where unprivileged user namespaces are restricted (Ubuntu 24.04's AppArmor
 * policy), bwrap is usually the one program allowed to create them.
 *
 * Unlike the perl script, bwrap reports a command killed by signal N as exit code 128 + N,
 * and dies of a SIGTERM at once, taking the command with it by SIGKILL. As root, bwrap would
 * leave the command every capability (it could remount the read-only paths): `--cap-drop ALL`
 * keeps uid 0 but drops them, so root cannot write files it does not own either.
 */
export function bwrapContainedCommand(bwrapPath: string, steps: readonly MountStep[], command: CommandLine, root: boolean, hidden: readonly HiddenPath[] = []): CommandLine {
  return {
    argv: [
      bwrapPath,
      '--dev-bind',
      '/',
      '/',
      // bwrap binds without device access: a read-only `/` needs /dev bound again, devices and all.
      ...steps.flatMap((step) => [step.mode === 'ro' ? '--ro-bind' : '--bind', step.path, step.path, ...(step.path === '/' ? ['--dev-bind', '/dev', '/dev'] : [])]),
      ...hidden.flatMap((item) => (item.folder ? ['--tmpfs', item.path] : ['--ro-bind', '/dev/null', item.path])),
      '--proc',
      '/proc',
      '--unshare-pid',
      '--unshare-ipc',
      '--unshare-uts',
      '--die-with-parent',
      ...(root ? ['--cap-drop', 'ALL'] : []),
      '--',
      ...command.argv,
    ],
    ...(command.env ? { env: command.env } : {}),
  };
}
