import { runCli } from './main.js';

/** The process entry: wires the real stdio and environment, then sets the exit code. */
const code = await runCli(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
  stdoutIsTty: process.stdout.isTTY === true,
});
process.exitCode = code;
