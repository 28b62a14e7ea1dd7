import type { TaskKind } from '../kind.js';
import type { Task } from '../task.js';

/** Which agent takes which tasks, by kind or label (the first rule that matches). */
export interface AgentRule {
  kind: TaskKind | null;
  label: string | null;
  agent: string;
}

/** What the supervisor may spend and start: per-agent parallelism and a budget per day (UTC). */
export interface FleetSettings {
  /** Runs at once per agent (`claude`, `codex`, `acp:...`); absent: only `--parallel` caps it. */
  maxPerAgent: Record<string, number>;
  /** Input plus output tokens all runs may report in one UTC day; null: no cap. */
  dailyTokens: number | null;
  /** Dollars all runs may report in one UTC day; null: no cap. */
  dailyUsd: number | null;
  agents: AgentRule[];
}

export const DEFAULT_FLEET_SETTINGS: FleetSettings = { maxPerAgent: {}, dailyTokens: null, dailyUsd: null, agents: [] };

const AGENT_LABEL = 'agent:';

/**
 * The agent for a task, in this order: its label `agent:<name>`, the config's first rule
 * matching its kind or a label, the `--agent` flag, the config's default agent.
 */
export function agentFor(task: Pick<Task, 'kind' | 'labels'>, choice: { rules: readonly AgentRule[]; flag: string | null; fallback: string }): string {
  const named = task.labels.find((label) => label.startsWith(AGENT_LABEL) && label.length > AGENT_LABEL.length);
  if (named !== undefined) return named.slice(AGENT_LABEL.length);
  const rule = choice.rules.find((candidate) => (candidate.kind === null || candidate.kind === task.kind) && (candidate.label === null || task.labels.includes(candidate.label)));
  return rule?.agent ?? choice.flag ?? choice.fallback;
}

/** Why no new run may start today, or null while the day's budget lasts. */
export function dailyBudgetSpent(usage: { tokens: number; usd: number }, settings: Pick<FleetSettings, 'dailyTokens' | 'dailyUsd'>): string | null {
  if (settings.dailyTokens !== null && usage.tokens >= settings.dailyTokens) return `today's runs reported ${usage.tokens} tokens, the daily budget is ${settings.dailyTokens} (fleet.dailyTokens)`;
  if (settings.dailyUsd !== null && usage.usd >= settings.dailyUsd) return `today's runs reported $${usage.usd.toFixed(2)}, the daily budget is $${settings.dailyUsd.toFixed(2)} (fleet.dailyUsd)`;
  return null;
}

/** Whether `agent` already runs as many tasks as its cap allows. */
export function atAgentCap(agent: string, runningAgents: readonly string[], maxPerAgent: Readonly<Record<string, number>>): boolean {
  const cap = maxPerAgent[agent];
  return cap !== undefined && runningAgents.filter((name) => name === agent).length >= cap;
}
