import { describe, expect, it } from 'vitest';
import { LiveView } from './live-view.js';

describe('LiveView', () => {
  it('redraws one line per running task in place under the log lines, and escapes what a title could smuggle in', () => {
    const written: string[] = [];
    let now = 0;
    const view = new LiveView((raw) => written.push(raw), () => now, 80);
    view.update(2, { agent: 'claude', attempt: 'attempt 1/3', last: 'agent working' });
    view.update(1, { agent: 'codex', attempt: 'attempt 1/3', last: 'agent working' });
    now = 75_000;
    view.log('supervisor: #3 \u001b]0;pwned\u0007 waits');
    view.update(2, { attempt: 'attempt 2/3', last: 'checks failed', tokens: 1200, costUsd: 0.05 });
    view.remove(1);
    view.close();

    // Each redraw first takes back the rows it drew before (cursor up, clear line).
    expect(written[1]?.startsWith('\u001b[1A\u001b[2K#1  codex')).toBe(true);
    expect(written[2]).toBe(`${'\u001b[1A\u001b[2K'.repeat(2)}supervisor: #3 \\x1b]0;pwned\\x07 waits\n#1  codex  attempt 1/3  1m15s  agent working  0 tok  $0.00\n#2  claude  attempt 1/3  1m15s  agent working  0 tok  $0.00\n`);
    expect(written[3]).toContain('#2  claude  attempt 2/3  1m15s  checks failed  1200 tok  $0.05');
    expect(written.at(-1)).toBe('\u001b[1A\u001b[2K');
  });

  it('cuts a row to the screen\'s width, so that none wraps and leaves a line the next redraw would not take back', () => {
    const written: string[] = [];
    const view = new LiveView((raw) => written.push(raw), () => 0, 30);
    view.update(1, { agent: 'acp:qwen --acp --auth-type openai', attempt: 'attempt 1/3', last: 'agent working' });
    expect(written[0]).toBe('#1  acp:qwen --acp --auth-ty…\n');
  });
});
