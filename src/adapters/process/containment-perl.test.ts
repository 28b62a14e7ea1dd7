import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodeProcess from 'node:process';
import { describe, expect, it } from 'vitest';
import { containedCommand, probeContainment, type NamespaceContainment } from './containment.js';
import { NOBODY, TRY_WRITES } from './containment.contract.js';
import { perlContainedCommand, perlSyscallNumbers } from './containment-perl.js';
import { planMounts } from './containment-plan.js';
import { runGroup, type CommandLine } from './spawn-group.js';

/* What only the perl script does; the behaviour every tool shares is in containment.contract.ts. */

const probe = await probeContainment('perl');
const title = probe.kind === 'none' ? `perl containment (skipped: ${probe.reason})` : 'perl containment';

describe.skipIf(probe.kind === 'none')(title, () => {
  const perl = probe as NamespaceContainment;

  it('remounts on a kernel without mount_setattr, keeping the flags a user namespace locks (nosuid, nodev, noexec, noatime)', async (context) => {
    if (nodeProcess.geteuid?.() !== 0) context.skip('mounting a file system with those flags needs root');
    const numbers = (perlSyscallNumbers(nodeProcess.arch) as string).split(',');
    // An unknown system call number fails with ENOSYS, as mount_setattr does before Linux 5.12.
    numbers[2] = '9999';
    const base = mkdtempSync('/tmp/baton-containment-flags-');
    chmodSync(base, 0o755);
    try {
      const steps = planMounts({ readOnly: [join(base, 'ro')], writable: [join(base, 'ro', 'rw')] });
      // The file system exists only in a mount namespace of the test's own, around the wrapper, which runs as nobody.
      const wrap = (command: CommandLine) => {
        const contained = perlContainedCommand(perl.path, numbers.join(','), steps, command, nodeProcess.env);
        const setup = 'mount -t tmpfs -o nosuid,nodev,noexec,noatime,mode=0755 flags "$0" && mkdir -p "$0/ro/rw" && chown nobody "$0/ro/rw" && exec "$@"';
        return { ...contained, argv: ['unshare', '--mount', '--propagation', 'private', '--', 'sh', '-c', setup, base, ...NOBODY, ...contained.argv] };
      };
      const exit = await runGroup(['sh', '-c', TRY_WRITES, 'sh', join(base, 'ro', 'f'), join(base, 'ro', 'rw', 'f')], { cwd: '/', wrap });
      expect(exit.stderrTail).toBe('');
      expect(exit.stdoutTail).toBe(`Read-only file system\nok ${join(base, 'ro', 'rw', 'f')}\n`);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  it('does not run the command at all when it cannot contain it: exits 125 and says why', async () => {
    const base = mkdtempSync(join(tmpdir(), 'baton-containment-refused-'));
    try {
      // A user namespace whose limit on nested user namespaces is 0: the command's own cannot be made.
      const wrap = (command: CommandLine) => {
        const contained = containedCommand(command, perl, { readOnly: [], writable: [] });
        return { ...contained, argv: ['unshare', '-Ur', '--', 'sh', '-c', 'echo 0 > /proc/sys/user/max_user_namespaces && exec "$@"', 'sh', ...contained.argv] };
      };
      const exit = await runGroup(['sh', '-c', 'echo ran > "$0"/marker', base], { cwd: base, wrap });
      expect(exit.exitCode).toBe(125);
      expect(exit.stderrTail).toMatch(/^baton containment: cannot create a user namespace: /);
      expect(readdirSync(base)).toEqual([]);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  it('hands the command its environment as given, and perl says nothing of a locale that is not installed', async () => {
    const wrap = (command: CommandLine) => containedCommand(command, perl, { readOnly: [], writable: [] });
    const script = 'echo "${FOO-unset} ${PERL_BADLANG-unset} ${LC_ALL-unset}"';
    const broken = { PATH: nodeProcess.env.PATH, FOO: 'a b', LC_ALL: 'xx_YY.UTF-8' };
    const plain = await runGroup(['sh', '-c', script], { cwd: '/', env: broken, wrap });
    expect(plain).toMatchObject({ exitCode: 0, stdoutTail: 'a b unset xx_YY.UTF-8\n', stderrTail: '' });
    const withBadlang = await runGroup(['sh', '-c', script], { cwd: '/', env: { ...broken, PERL_BADLANG: '7' }, wrap });
    expect(withBadlang).toMatchObject({ exitCode: 0, stdoutTail: 'a b 7 xx_YY.UTF-8\n', stderrTail: '' });
  });
});
