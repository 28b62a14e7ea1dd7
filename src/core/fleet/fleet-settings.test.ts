import { describe, expect, it } from 'vitest';
import { agentFor, atAgentCap, dailyBudgetSpent } from './fleet-settings.js';

describe('agentFor', () => {
  const rules = [
    { kind: 'bug' as const, label: null, agent: 'codex' },
    { kind: null, label: 'frontend', agent: 'acp:qwen --acp' },
  ];
  it('takes the task\'s agent: label first, then the first matching rule, then the flag, then the default', () => {
    expect(agentFor({ kind: 'bug', labels: ['agent:claude'] }, { rules, flag: 'cmd:x', fallback: 'claude' })).toBe('claude');
    expect(agentFor({ kind: 'bug', labels: ['frontend'] }, { rules, flag: 'cmd:x', fallback: 'claude' })).toBe('codex');
    expect(agentFor({ kind: 'task', labels: ['frontend'] }, { rules, flag: 'cmd:x', fallback: 'claude' })).toBe('acp:qwen --acp');
    expect(agentFor({ kind: 'task', labels: [] }, { rules, flag: 'cmd:x', fallback: 'claude' })).toBe('cmd:x');
    expect(agentFor({ kind: 'task', labels: ['agent:'] }, { rules, flag: null, fallback: 'claude' })).toBe('claude');
  });
});

describe('daily budget and per-agent caps', () => {
  it('stops at the first budget reached, and caps each agent by its own count', () => {
    expect(dailyBudgetSpent({ tokens: 99, usd: 0 }, { dailyTokens: 100, dailyUsd: null })).toBeNull();
    expect(dailyBudgetSpent({ tokens: 100, usd: 0 }, { dailyTokens: 100, dailyUsd: null })).toContain('fleet.dailyTokens');
    expect(dailyBudgetSpent({ tokens: 0, usd: 2.5 }, { dailyTokens: null, dailyUsd: 2 })).toContain('$2.50');
    expect(dailyBudgetSpent({ tokens: 1e9, usd: 1e9 }, { dailyTokens: null, dailyUsd: null })).toBeNull();
    expect(atAgentCap('codex', ['codex', 'claude'], { codex: 1 })).toBe(true);
    expect(atAgentCap('claude', ['codex', 'claude'], { codex: 1 })).toBe(false);
    expect(atAgentCap('claude', ['claude', 'claude'], { claude: 3 })).toBe(false);
  });
});
