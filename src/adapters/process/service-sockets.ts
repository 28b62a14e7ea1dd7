import type { Environment } from './spawn-group.js';

/*
 * A contained command cannot write outside its worktree, but a service listening on a Unix
 * socket can do it on the command's behalf: `systemd-run --user` through the session bus,
 * `tmux send-keys` to a server the person started, `docker run -v /:/host` through the engine's
 * socket. What such a service starts is not in the attempt's namespaces: it outlives the
 * attempt and writes where it likes. So their sockets are hidden from every contained command.
 * Databases and other services a project's tests talk to are not on this list: they run no
 * command they are asked to (and their TCP ports stay reachable anyway).
 */

/**
 * Where services that run commands on request listen: every user's runtime folder (the session
 * bus, `systemd --user`, gpg and ssh agents, rootless container engines), the system bus,
 * systemd's own socket, container engines, screen's and tmux's sockets. /tmp is not listed:
 * every contained command has a /tmp of its own.
 */
export function serviceSocketPaths(env: Environment, uid: number | null): string[] {
  return [
    '/run/user',
    env.XDG_RUNTIME_DIR ?? '',
    '/run/dbus',
    '/var/run/dbus',
    '/run/systemd/private',
    '/run/docker.sock',
    '/var/run/docker.sock',
    '/run/containerd',
    '/run/podman',
    '/run/screen',
    '/var/run/screen',
    env.TMUX_TMPDIR && uid !== null ? `${env.TMUX_TMPDIR}/tmux-${uid}` : '',
  ].filter((path) => path !== '');
}
