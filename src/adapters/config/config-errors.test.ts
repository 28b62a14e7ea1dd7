import { describe, expect, it } from 'vitest';
import { closestKey, formatPath } from './config-errors.js';

describe('formatPath', () => {
  it('writes paths as they would be written in JavaScript', () => {
    expect(formatPath(['checks', 1, 'run'])).toBe('checks[1].run');
    expect(formatPath(['budgets', 'maxAttempts'])).toBe('budgets.maxAttempts');
    expect(formatPath(['$schema'])).toBe('$schema');
    expect(formatPath(['scope', 'my key'])).toBe('scope["my key"]');
    expect(formatPath([])).toBe('(top level)');
  });
});

describe('closestKey', () => {
  const budgets = ['maxAttempts', 'timeout', 'maxTokens', 'maxUsd', 'stalledAfter', 'maxDivergences', 'maxRateLimitRetries', 'rateLimitWait'];

  it('finds the key a misspelling meant', () => {
    expect(closestKey('maxAttempt', budgets)).toBe('maxAttempts');
    expect(closestKey('MAXATTEMPTS', budgets)).toBe('maxAttempts');
    expect(closestKey('timeoutMs', budgets)).toBe('timeout');
    expect(closestKey('rateLimitWaitMs', budgets)).toBe('rateLimitWait');
    expect(closestKey('maxUSD', budgets)).toBe('maxUsd');
    expect(closestKey('extraArgs', ['name', 'model', 'idleTimeout', 'args'])).toBe('args');
  });

  it('suggests nothing when no key is close', () => {
    expect(closestKey('retries', budgets)).toBeNull();
    expect(closestKey('colour', budgets)).toBeNull();
    expect(closestKey('x', [])).toBeNull();
  });
});
