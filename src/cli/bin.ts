import { fstatSync, writeSync } from 'node:fs';
import { runCli } from './main.js';

/**
 * Writes straight to the file descriptor. Touching `process.stdout` would load Node's whole
 * stream and socket stack, a few milliseconds of every command's start-up for one line of
 * output. A reader that went away (`baton list | head -1`) ends the process quietly.
 */
function writeLine(fd: number, text: string): void {
  writeRaw(fd, `${text}\n`);
}

function writeRaw(fd: number, text: string): void {
  const buffer = Buffer.from(text);
  let offset = 0;
  while (offset < buffer.length) {
    try {
      offset += writeSync(fd, buffer, offset);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'EPIPE') process.exit(0);
      if (code !== 'EAGAIN') throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
    }
  }
}

/**
 * Whether a descriptor is a terminal, without loading `tty` (which drags in `net`). A character
 * device is a terminal or something like /dev/null, where colour does no harm.
 */
function isTerminal(fd: number): boolean {
  try {
    return fstatSync(fd).isCharacterDevice();
  } catch {
    return false;
  }
}

/** The process entry: wires the real stdio and environment, then sets the exit code. */
const stdoutIsTty = isTerminal(1);
void runCli(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  stdout: (text) => writeLine(1, text),
  stderr: (text) => writeLine(2, text),
  stdoutIsTty,
  ...(stdoutIsTty ? { liveStdout: (raw: string) => writeRaw(1, raw) } : {}),
}).then((code) => {
  process.exitCode = code;
});
