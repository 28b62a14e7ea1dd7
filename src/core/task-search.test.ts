import { describe, expect, it } from 'vitest';
import { taskMatchesText } from './task-search.js';

describe('taskMatchesText', () => {
  const task = { title: 'Implement Auth', description: 'login and signup', labels: ['backend'] };
  it('finds every word in any case, across title, description and labels', () => {
    expect(taskMatchesText(task, 'auth LOGIN backend')).toBe(true);
  });
  it('refuses a task missing one of the words', () => {
    expect(taskMatchesText(task, 'auth payment')).toBe(false);
  });
});
