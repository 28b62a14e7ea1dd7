import { describe, expect, it } from 'vitest';
import { taskBranchName, taskDirName, titleSlug } from './task-branch.js';

describe('task branch names', () => {
  it('turns a title into a lowercase dashed word', () => {
    expect(titleSlug('Fix login (OAuth)!')).toBe('fix-login-oauth');
    expect(titleSlug('  Crème brûlée  ')).toBe('creme-brulee');
  });

  it('falls back to "task" when nothing of the title survives', () => {
    expect(titleSlug('!!!')).toBe('task');
    expect(titleSlug('日本語')).toBe('task');
  });

  it('keeps names short and never ends them with a dash', () => {
    const slug = titleSlug('a'.repeat(39) + ' bcdef');
    expect(slug.length).toBeLessThanOrEqual(40);
    expect(slug.endsWith('-')).toBe(false);
  });

  it('names branch and folder after the id and the slug', () => {
    expect(taskBranchName({ id: 7, title: 'Add rate limit' })).toBe('baton/7-add-rate-limit');
    expect(taskDirName({ id: 7, title: 'Add rate limit' })).toBe('7-add-rate-limit');
  });
});
