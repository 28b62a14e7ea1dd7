/**
 * Global setup of the test run: bundles the CLI host (helpers/cli-host.ts) once, so that every
 * test file can run board commands in-process (helpers/in-process-cli.ts) and the storms can
 * start lanes of commands (helpers/cli-lane.ts). The bundle lives inside the project, so it
 * resolves better-sqlite3 from the project's node_modules, and is named per run, so two test
 * runs at once never load each other's half-written file.
 */
import { readFileSync, renameSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { build } from 'esbuild';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The bundled CLI host, an ES module Node runs as a worker or a process. */
    cliHost: string;
  }
}

const HOST_SOURCE = resolve(import.meta.dirname, '../helpers/cli-host.ts');
const HOST_BUNDLE = resolve(import.meta.dirname, `../../node_modules/.cache/baton-tests/cli-host-${process.pid}.mjs`);
const VERSION = (JSON.parse(readFileSync(resolve(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string }).version;

// Each project of the run (side-by-side, storms) runs the global setup; one bundle serves both.
let bundled: Promise<void> | undefined;

export default async function setup(project: TestProject): Promise<() => void> {
  bundled ??= bundleHost();
  await bundled;
  project.provide('cliHost', HOST_BUNDLE);
  return () => rmSync(HOST_BUNDLE, { force: true });
}

async function bundleHost(): Promise<void> {
  const partial = `${HOST_BUNDLE}.${process.pid}.partial`;
  await build({
    entryPoints: [HOST_SOURCE],
    outfile: partial,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // As the build defines it (scripts/build.mjs), so `--version` answers the same.
    define: { BATON_VERSION: JSON.stringify(VERSION) },
    packages: 'external',
    logLevel: 'warning',
  });
  renameSync(partial, HOST_BUNDLE);
}
