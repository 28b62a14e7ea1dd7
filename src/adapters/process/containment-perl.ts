import type { CommandLine, Environment } from './spawn-group.js';
import type { HomeLayer, MountStep, PrivateTemporaryFolders } from './containment-plan.js';

/*
 * Containment with nothing but Perl, which every Debian and Ubuntu system has (perl-base is
 * Essential). One `perl` process makes the namespaces and the mounts with system calls, where
 * util-linux needs a chain of `unshare`, `sh` and one `mount` process per path: each process
 * start costs milliseconds, and the chain took 40-100 ms on the two-core machine this was
 * written on, more than the 50 ms an attempt may spend on containment.
 *
 * The processes, for `perl -e SOURCE -- ... -- command`:
 *   wrapper   the perl process baton started. It stays in baton's PID namespace, so that it
 *             can die of the very signal that killed the command (a PID 1 cannot) and baton
 *             sees the command's exit code or signal unchanged.
 *   init      PID 1 of the new PID namespace: reaps orphans (SIGCHLD ignored) and exits when
 *             the wrapper's end of a pipe closes, which happens however the wrapper ends,
 *             SIGKILL included, with no race. When a namespace's PID 1 exits, the kernel kills
 *             every process left in it, whatever session, group or environment they moved to.
 *   command   PID 2: gets a fresh /proc (its kernel settings, /proc/sys and the like, read-only:
 *             root's writes there would reach the host), enters a user namespace of its own,
 *             and runs the command. Its parent is the wrapper, in baton's process group, so a SIGTERM to
 *             the group reaches it directly; the wrapper ignores that SIGTERM and waits for it.
 *
 * Root keeps uid 0, in a user namespace that maps every uid to itself: file access works as
 * before, but its capabilities stop at the namespace, so it can neither remount nor mount a
 * disk. Another user first becomes root of a user namespace of its own (to mount) and then,
 * for the command, its own uid again, without capabilities. Either way the command's mount
 * namespace belongs to a user namespace in which it has no power, so its read-only mounts
 * cannot be made writable or unmounted, not even from a new user namespace.
 *
 * Read-only mounts are recursive (mount_setattr, Linux 5.12) so that a mount inside a
 * read-only directory is read-only too; older kernels get a remount of the top mount only.
 * A setup failure prints `baton containment: ...` and exits 125; a command that cannot be
 * started exits 127 (not found) or 126, like a shell.
 *
 * HOME is seen through a layer when one is asked for: an overlay of the real home folder,
 * mounted below a tmpfs of the namespace's own at a folder baton names, so the command reads
 * every file of the home it knows and writes where it likes, and none of it reaches the real
 * home (a `~/.npmrc` an agent writes never reaches the checks, nor the user). What it writes
 * is kept in the tmpfs, gone with the namespace, or in a folder baton names (an agent's
 * home across its attempts: its sessions). The files named to write through (an agent's
 * credentials, which a login refresh rewrites) are bound from the real home on top.
 *
 * Temporary folders can be made the command's own: a fresh tmpfs on each, with the paths it
 * must still see (the repository below /tmp, say) bound back from where they were, mounts and
 * all, through descriptors opened before the tmpfs hid them.
 *
 * Sockets of services that would run a command outside on request (a session bus, a container
 * engine, a terminal multiplexer) can be hidden: an empty tmpfs on a folder of them, /dev/null
 * on a socket file, so a connect finds nothing to talk to.
 *
 * Arguments: `<syscall numbers> <PERL_BADLANG> <n> <mode path>*n <home|-> <layer folder|-> <kept
 * folder|-> <k> <path below home>*k <p> <private folder>*p <s> <path shown again>*s <f> <fresh
 * folder>*f <h> <hidden path>*h -- <argv>`. A step for `/` makes the existing root mount read-only
 * instead of binding it (a mount on `/` would not be seen: lookups start below it). PERL_BADLANG=0
 * keeps perl quiet about a locale that is not installed; the argument says how to put the
 * variable back for the command (`-` unset, `=value`). `-t` makes perl ignore PERL5OPT and
 * PERL5LIB (and only warn, silenced, about tainted data): the environment is the command's.
 * Every system call argument that perl passes as a pointer must be a variable, not a literal.
 */
export const PERL_CONTAINMENT_SOURCE = String.raw`
$SIG{__WARN__} = sub {};
my ($numbers, $badlang, $count) = splice @ARGV, 0, 3;
my ($UNSHARE, $MOUNT, $SETATTR, $PRCTL, $EXIT) = split /,/, $numbers;
my @steps = splice @ARGV, 0, 2 * $count;
my ($home, $layer, $kept, $keepCount) = splice @ARGV, 0, 4;
my @keep = splice @ARGV, 0, $keepCount;
my $privateCount = shift @ARGV; my @private = splice @ARGV, 0, $privateCount;
my $shownCount = shift @ARGV; my @shown = splice @ARGV, 0, $shownCount;
my $freshCount = shift @ARGV; my @fresh = splice @ARGV, 0, $freshCount;
my $hiddenCount = shift @ARGV; my @hidden = splice @ARGV, 0, $hiddenCount;
shift @ARGV;
my @command = @ARGV;
$0 = join ' ', 'baton-containment', @command;
if ($badlang eq '-') { delete $ENV{PERL_BADLANG} } else { $ENV{PERL_BADLANG} = substr $badlang, 1 }
my ($NEWNS, $NEWUSER, $NEWPID, $NEWIPC, $NEWUTS) = (0x20000, 0x10000000, 0x20000000, 0x8000000, 0x4000000);
my ($RDONLY, $REMOUNT, $BIND, $REC, $PRIVATE) = (1, 32, 4096, 16384, 0x40000);
my %ATTRIBUTE = (nosuid => 2, nodev => 4, noexec => 8, noatime => 1024, nodiratime => 2048, relatime => 0x200000);
sub leave { syscall($EXIT, $_[0] + 0) }
sub fail { print STDERR "baton containment: @_\n"; leave(125) }
sub put {
  my ($file, $text) = @_;
  open(my $fh, '>', $file) or fail("cannot open $file: $!");
  defined syswrite($fh, $text) or fail("cannot write $file: $!");
}
sub kept_flags {
  my ($path) = @_;
  open(my $fh, '<', '/proc/self/mountinfo') or fail("cannot read /proc/self/mountinfo: $!");
  my $options = '';
  while (my $line = <$fh>) {
    my @field = split / /, $line;
    (my $point = $field[4]) =~ s/\\([0-7]{3})/chr oct $1/ge;
    $options = $field[5] if $point eq $path;
  }
  my $flags = 0;
  $flags |= $ATTRIBUTE{$_} // 0 for split /,/, $options;
  return $flags & (1024 | 0x200000) ? $flags : $flags | 0x1000000;
}
my $root = $> == 0;
my ($uid, $gid) = ($>, (split ' ', $))[0]);
syscall($UNSHARE, $NEWNS | $NEWPID | $NEWIPC | $NEWUTS | ($root ? 0 : $NEWUSER)) == 0 or fail("cannot create namespaces: $!");
unless ($root) { put('/proc/self/setgroups', 'deny'); put('/proc/self/uid_map', "0 $uid 1"); put('/proc/self/gid_map', "0 $gid 1") }
my $slash = '/';
syscall($MOUNT, 0, $slash, 0, $REC | $PRIVATE, 0) == 0 or fail("cannot make the mounts private: $!");
pipe(my $lifeRead, my $lifeWrite) or fail("cannot make a pipe: $!");
defined(my $init = fork) or fail("cannot fork: $!");
if ($init == 0) {
  $0 = 'baton-init';
  close $lifeWrite;
  $SIG{CHLD} = 'IGNORE';
  open(STDIN, '<', '/dev/null'); open(STDOUT, '>', '/dev/null'); open(STDERR, '>', '/dev/null');
  chdir $slash;
  1 while !defined sysread($lifeRead, my $byte, 1) && $! == 4;
  leave(0);
}
close $lifeRead;
sub bind_mount {
  my ($source, $path, $ro) = @_;
  unless ($path eq '/') { syscall($MOUNT, $source, $path, 0, $BIND | $REC, 0) == 0 or fail("cannot bind $path: $!") }
  my $attributes = pack('Q4', $ro ? 1 : 0, $ro ? 0 : 1, 0, 0);
  return if syscall($SETATTR, -100, $path, $ro ? 0x8000 : 0, $attributes, 32) == 0;
  $! == 38 or fail("cannot make $path " . ($ro ? 'read-only' : 'writable') . ": $!");
  syscall($MOUNT, 0, $path, 0, $REMOUNT | $BIND | ($ro ? $RDONLY : 0) | kept_flags($path), 0) == 0 or fail("cannot remount $path: $!");
}
for (my $i = 0; $i < @steps; $i += 2) {
  my ($mode, $path) = @steps[$i, $i + 1];
  bind_mount($path, $path, $mode eq 'ro');
}
if ($home ne '-') {
  my ($tmpfs, $overlay, $private) = ('tmpfs', 'overlay', 'mode=0700');
  syscall($MOUNT, $tmpfs, $layer, $tmpfs, 2 | 4, $private) == 0 or fail("cannot mount a tmpfs for the home layer at $layer: $!");
  (my $lower = $home) =~ s/([\\,:])/\\$1/g;
  my $target = "$layer/home";
  mkdir($target) or fail("cannot make $target: $!");
  my $layered = sub {
    my ($store) = @_;
    for my $dir ("$store/upper", "$store/work") { mkdir($dir) or $! == 17 or return 0 }
    my $options = "lowerdir=$lower,upperdir=$store/upper,workdir=$store/work";
    return syscall($MOUNT, $overlay, $target, $overlay, 0, $options) == 0;
  };
  unless ($kept ne '-' && $layered->($kept)) {
    print STDERR "baton containment: cannot keep the home layer in $kept ($!): this command's home writes vanish with it\n" if $kept ne '-';
    $layered->($layer) or fail("cannot layer $home: $!");
  }
  bind_mount("$home/$_", "$target/$_", 0) for @keep;
}
sub make_path {
  my ($path, $file) = @_;
  my $at = '';
  my @parts = grep { length } split m{/}, $path;
  my $last = pop @parts;
  for my $part (@parts) { $at .= "/$part"; mkdir($at) or $! == 17 or fail("cannot make $at: $!") }
  if ($file) { open(my $fh, '>>', "$at/$last") or fail("cannot make $at/$last: $!") } else { mkdir("$at/$last") or $! == 17 or fail("cannot make $at/$last: $!") }
}
if (@private) {
  my @held;
  for my $path (@shown) {
    my $file = !-d $path;
    sysopen(my $fh, $path, 0x200000) or fail("cannot hold $path: $!");
    push @held, [$path, $fh, $file];
  }
  my ($tmpfs, $open) = ('tmpfs', 'mode=1777');
  for my $dir (@private) { syscall($MOUNT, $tmpfs, $dir, $tmpfs, 2 | 4, $open) == 0 or fail("cannot give $dir a fresh tmpfs: $!") }
  for my $held (@held) {
    my ($path, $fh, $file) = @$held;
    make_path($path, $file);
    my $source = '/proc/self/fd/' . fileno($fh);
    syscall($MOUNT, $source, $path, 0, $BIND | $REC, 0) == 0 or fail("cannot show $path again: $!");
  }
  make_path($_, 0) for @fresh;
}
for my $path (@hidden) {
  next unless -e $path;
  if (-d $path) {
    my ($tmpfs, $mode) = ('tmpfs', 'mode=0755');
    syscall($MOUNT, $tmpfs, $path, $tmpfs, 2 | 4, $mode) == 0 or fail("cannot hide $path: $!");
  } else {
    my $null = '/dev/null';
    syscall($MOUNT, $null, $path, 0, $BIND, 0) == 0 or fail("cannot hide $path: $!");
  }
}
my $cwd = readlink('/proc/self/cwd') // fail("cannot read the working directory: $!");
chdir($cwd) or fail("cannot enter $cwd again: $!");
pipe(my $readyRead, my $readyWrite) && pipe(my $goRead, my $goWrite) or fail("cannot make a pipe: $!");
defined(my $child = fork) or fail("cannot fork: $!");
if ($child == 0) {
  close $readyRead; close $goWrite;
  my ($proc, $procfs) = ('/proc', 'proc');
  syscall($UNSHARE, $NEWNS) == 0 or fail("cannot create a mount namespace: $!");
  syscall($MOUNT, $procfs, $proc, $procfs, 2 | 4 | 8, 0) == 0 or fail("cannot mount /proc: $!");
  # Root's writes to /proc/sys reach the host's kernel (core_pattern runs a program as the host's root).
  for my $part (qw(sys sysrq-trigger irq bus fs)) { bind_mount("/proc/$part", "/proc/$part", 1) if -e "/proc/$part" }
  syscall($UNSHARE, $NEWUSER) == 0 or fail("cannot create a user namespace: $!");
  syswrite($readyWrite, 'u');
  sysread($goRead, my $go, 1) or leave(125);
  exec { $command[0] } @command;
  my $error = $! + 0;
  print STDERR "baton containment: cannot run $command[0]: $!\n";
  leave($error == 2 ? 127 : 126);
}
close $readyWrite; close $goRead;
if (sysread($readyRead, my $ready, 1)) {
  put("/proc/$child/uid_map", $root ? '0 0 4294967295' : "$uid 0 1");
  put("/proc/$child/gid_map", $root ? '0 0 4294967295' : "$gid 0 1");
  syswrite($goWrite, 'g');
}
close $goWrite;
$SIG{$_} = sub {} for qw(TERM INT HUP);
waitpid($child, 0);
my $status = $?;
if (my $signal = $status & 127) {
  $SIG{$_} = 'DEFAULT' for qw(TERM INT HUP);
  syscall($PRCTL, 4, 0);
  kill $signal, $$;
  leave(128 + $signal);
}
leave($status >> 8);
`;

/** unshare, mount, mount_setattr, prctl and exit_group, by `process.arch`. */
const SYSCALL_NUMBERS: Readonly<Record<string, string>> = {
  x64: '272,165,442,157,231',
  // arm64 and riscv64 share the generic table.
  arm64: '97,40,442,167,94',
  riscv64: '97,40,442,167,94',
};

/** The system call numbers the perl script needs on `arch`, or null where they are not known. */
export function perlSyscallNumbers(arch: string): string | null {
  return SYSCALL_NUMBERS[arch] ?? null;
}

/** `command` run through the perl script at `perlPath`, with `steps` mounted, HOME layered when `layer` says so, `tmp` its own and `hidden` out of reach (see PERL_CONTAINMENT_SOURCE). */
export function perlContainedCommand(
  perlPath: string,
  syscallNumbers: string,
  steps: readonly MountStep[],
  command: CommandLine,
  baseEnv: Environment,
  layer: HomeLayer | null = null,
  tmp: PrivateTemporaryFolders | null = null,
  hidden: readonly string[] = [],
): CommandLine {
  const env = command.env ?? baseEnv;
  const badlang = env.PERL_BADLANG === undefined ? '-' : `=${env.PERL_BADLANG}`;
  return {
    argv: [
      perlPath,
      '-t',
      '-e',
      PERL_CONTAINMENT_SOURCE,
      '--',
      syscallNumbers,
      badlang,
      String(steps.length),
      ...steps.flatMap((step) => [step.mode, step.path]),
      ...(layer ? [layer.home, layer.mountPoint, layer.keepIn ?? '-', String(layer.writeThrough.length), ...layer.writeThrough] : ['-', '-', '-', '0']),
      ...[tmp?.dirs ?? [], tmp?.shown ?? [], tmp?.fresh ?? [], hidden].flatMap((list) => [String(list.length), ...list]),
      '--',
      ...command.argv,
    ],
    env: { ...env, PERL_BADLANG: '0' },
  };
}
