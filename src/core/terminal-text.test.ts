import { describe, expect, it } from 'vitest';
import { terminalSafe } from './terminal-text.js';

describe('terminalSafe', () => {
  it('shows escape sequences, carriage returns, bells, DEL and C1 controls as escapes; keeps newlines, tabs and colours', () => {
    expect(terminalSafe('title\u001b]0;pwned\u0007 and \u001b[2Jclear\r\u007f\u009b')).toBe('title\\x1b]0;pwned\\x07 and \\x1b[2Jclear\\x0d\\x7f\\x9b');
    expect(terminalSafe('\u001b[1mbold\u001b[22m\tcol\nnext')).toBe('\u001b[1mbold\u001b[22m\tcol\nnext');
    expect(terminalSafe('café ✓ 日本')).toBe('café ✓ 日本');
    expect(terminalSafe('admin\u202e\u2066')).toBe('admin\\u202e\\u2066');
  });

  it('keeps only the colours baton paints with: concealed text, black on black or a reset from the board are shown as escapes', () => {
    expect(terminalSafe('a\u001b[8msecret\u001b[30;40mdark\u001b[0m\u001b[31mred\u001b[39m')).toBe('a\\x1b[8msecret\\x1b[30;40mdark\\x1b[0m\u001b[31mred\u001b[39m');
  });
});
