/**
 * A check gets temporary folders of its own. npm puts every ancestor's `node_modules/.bin` on
 * the PATH and node resolves modules from every ancestor folder, so with the repository below
 * /tmp (as in most CI), an agent (a shell script through `cmd:`) that plants a `node` in a
 * `node_modules/.bin` above the repository could answer for the tests. The check sees a fresh
 * /tmp with only the repository shown again: the real tests run and fail. Real binary, git, npm.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectContainment } from '../src/adapters/process/containment.js';
import { baton, git } from './helpers/baton.js';
import { agentScript, cleanupsAfterEach, runRecords, type RunRepo } from './helpers/run-fixture.js';
import { sharedTempDir } from './helpers/sandbox-share.js';

const CONTAINED = (await detectContainment()).kind === 'namespaces';
const defer = cleanupsAfterEach();

/** A Node project in <scratch>/project, whose one test fails; the scratch folder above it is the test's own. */
function nestedProject(): RunRepo & { scratch: string } {
  const scratch = mkdtempSync(join(tmpdir(), 'baton-private-tmp-'));
  defer(() => rmSync(scratch, { recursive: true, force: true }));
  const dir = join(scratch, 'project');
  mkdirSync(join(dir, 'test'), { recursive: true });
  git(scratch, ['init', '-q', '-b', 'main', dir]);
  writeFileSync(join(dir, 'package.json'), '{"name":"p","version":"1.0.0","private":true,"scripts":{"test":"node --test test/"}}\n');
  writeFileSync(join(dir, 'value.txt'), 'wrong\n');
  writeFileSync(join(dir, 'test', 'value.test.js'), "const { it } = require('node:test');\nconst assert = require('node:assert');\nit('holds the right value', () => assert.strictEqual(require('node:fs').readFileSync('value.txt', 'utf8').trim(), 'right'));\n");
  writeFileSync(join(dir, 'baton.config.json'), '{"checks":[{"id":"test","run":"npm test"}]}\n');
  git(dir, ['add', '-A']);
  git(dir, ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'a failing test']);
  expect(baton(['init'], { cwd: dir }).code).toBe(0);
  expect(baton(['add', 'Make the value right', '--verify', 'npm test'], { cwd: dir }).code).toBe(0);
  const tools = sharedTempDir('baton-private-tmp-tools-');
  defer(() => rmSync(tools, { recursive: true, force: true }));
  return { dir, db: join(dir, '.git', 'baton', 'baton.db'), tools, scratch, cleanup: () => undefined };
}

describe('a check and the temporary folders around the repository', () => {
  it.skipIf(!CONTAINED)("does not run a node an agent planted in a node_modules/.bin above the repository", { timeout: 60_000 }, () => {
    const repo = nestedProject();
    const fake = '#!/bin/sh\necho "TAP version 13"\necho "ok 1 - holds the right value"\necho "1..1"\n';
    const plant = `mkdir -p '${repo.scratch}/node_modules/.bin' && printf '${fake.replaceAll('\n', '\\n')}' > '${repo.scratch}/node_modules/.bin/node' && chmod +x '${repo.scratch}/node_modules/.bin/node' && echo more >> value.txt`;

    const result = baton(['run', '1', '--agent', agentScript(repo, 'planter', plant), '--max-attempts', '1', '--json'], { cwd: repo.dir });

    expect(result.code, result.stderr).not.toBe(0);
    const [record] = runRecords(repo, 1);
    expect(record?.attempts.map((attempt) => attempt.verdict)).toEqual(['checks_failed']);
    // The agent ran and changed the value: only the check's own failure counts against it.
    expect(record?.attempts[0]?.failures.map((failure) => failure.checkId)).not.toContain('agent:no-changes');
    expect(record?.attempts[0]?.failures.map((failure) => failure.detail).join('\n')).toContain("'right'");
  });
});
