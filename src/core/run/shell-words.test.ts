import { describe, expect, it } from 'vitest';
import { shellTokens } from './shell-words.js';

const show = (text: string): string[] => shellTokens(text).map((token) => (token.kind === 'word' ? token.text : `<${token.op}>`));

describe('shellTokens', () => {
  it('splits words and keeps the operators between commands', () => {
    expect(show('cd web && npm test || echo failed; make lint | tee x & wait')).toEqual([
      'cd', 'web', '<&&>', 'npm', 'test', '<||>', 'echo', 'failed', '<;>', 'make', 'lint', '<|>', 'tee', 'x', '<&>', 'wait',
    ]);
  });

  it('removes quotes and escapes, and keeps expansions inside their word', () => {
    expect(show(`sh -c "cd a && npm run \\"x\\"" 'it''s' a\\ b $(echo "x y") \${HOME}/z`)).toEqual(['sh', '-c', 'cd a && npm run "x"', 'its', 'a b', '$(echo "x y")', '${HOME}/z']);
  });

  it('drops redirections with their targets, but not descriptors duplicated', () => {
    expect(show('npm test > out.log 2>&1 && vitest run 2> err.txt <in.txt &>all.log x')).toEqual(['npm', 'test', '<&&>', 'vitest', 'run', 'x']);
  });

  it('reads newlines as separators, subshell parentheses as operators, and skips comments', () => {
    expect(show('# set up\n(cd a && make) # done\nnpm test')).toEqual(['<;>', '<(>', 'cd', 'a', '<&&>', 'make', '<)>', '<;>', 'npm', 'test']);
  });

  it('joins lines continued with a backslash', () => {
    expect(show('npm \\\n  test')).toEqual(['npm', 'test']);
  });
});
