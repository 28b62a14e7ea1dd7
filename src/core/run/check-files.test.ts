import { describe, expect, it } from 'vitest';
import { checkCommandPaths, fileLikeWord, protectedCheckFiles } from './check-files.js';
import { DEFAULT_TEST_FILE_GLOBS, type CheckCommand } from './project-config.js';

function check(run: string, files: string[] = []): Pick<CheckCommand, 'run' | 'files'> {
  return { run, files };
}

describe('the files of check commands', () => {
  it('picks the words that may be files in the repository', () => {
    expect(checkCommandPaths([check('sh scripts/check.sh --fast'), check("node './test.mjs'"), check('npm test'), check('make lint')])).toEqual([
      'scripts/check.sh',
      'test.mjs',
    ]);
  });

  it('leaves out options, shell syntax, absolute paths, parent paths and folders', () => {
    expect(checkCommandPaths([check('node --test test/ src/tests | tee /tmp/out.log && echo $HOME.x ../up.sh *.js')])).toEqual([]);
  });

  it('takes a word as a file name only when it has an extension and stays inside the repository', () => {
    expect(['./scripts/a.sh', 'vitest.config.ts', 'test/', 'npm', '../x.js', '/etc/x.conf', '--x=y.js', '$A.js', "'q.js'"].map(fileLikeWord)).toEqual([
      'scripts/a.sh', 'vitest.config.ts', null, null, null, null, null, null, null,
    ]);
  });

  it('protects named files and the existing files the commands run, but never a test file', () => {
    const checks = [check('sh check.sh', ['vitest.config.ts']), check('node src/app.test.mjs')];
    expect(protectedCheckFiles(checks, ['check.sh', 'src/app.test.mjs'], DEFAULT_TEST_FILE_GLOBS)).toEqual(['vitest.config.ts', 'check.sh']);
  });
});
