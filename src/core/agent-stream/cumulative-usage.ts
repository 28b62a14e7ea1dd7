import { NO_TOKENS, type TokenCounts, type UsageEvent } from './agent-event.js';

/**
 * Turns counters a CLI reports as running totals for the whole session into the tokens spent
 * since the last report. A counter that went down means a new session: its value is all new.
 */
export class CumulativeUsage {
  private last: TokenCounts;

  constructor(baseline: TokenCounts = NO_TOKENS) {
    this.last = { ...baseline };
  }

  /** The usage event for a new running total. */
  advance(total: TokenCounts): UsageEvent {
    const previous = this.isReset(total) ? NO_TOKENS : this.last;
    this.last = { ...total };
    return {
      kind: 'usage',
      inputTokens: total.inputTokens - previous.inputTokens,
      outputTokens: total.outputTokens - previous.outputTokens,
      cachedTokens: total.cachedTokens - previous.cachedTokens,
    };
  }

  /** Adds tokens known only as a delta (the parser had to count them itself). */
  add(delta: TokenCounts): void {
    this.last = {
      inputTokens: this.last.inputTokens + delta.inputTokens,
      outputTokens: this.last.outputTokens + delta.outputTokens,
      cachedTokens: this.last.cachedTokens + delta.cachedTokens,
    };
  }

  totals(): TokenCounts {
    return { ...this.last };
  }

  private isReset(total: TokenCounts): boolean {
    return total.inputTokens < this.last.inputTokens || total.outputTokens < this.last.outputTokens || total.cachedTokens < this.last.cachedTokens;
  }
}
