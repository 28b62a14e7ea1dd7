import { describe, expect, it } from 'vitest';
import { cleanupMessage } from './commit-tree.js';

describe('cleanupMessage', () => {
  it('cleans up like git commit --cleanup=whitespace, keeping # lines', () => {
    expect(cleanupMessage('\n\n#12 Title  \n\n\n\nBody\t\n# kept\n\n')).toBe('#12 Title\n\nBody\n# kept\n');
    expect(cleanupMessage('one line')).toBe('one line\n');
    expect(cleanupMessage(' \n\t\n')).toBe('');
  });
});
