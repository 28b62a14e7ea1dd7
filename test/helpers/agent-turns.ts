/**
 * An adversarial scenario tests baton's own defences (containment, guards, the verdict): the
 * same code whichever agent CLI carries the attack. So each such scenario runs once, the agent
 * CLIs taking turns in the order a file declares its scenarios: every file still drives both,
 * and the suite does not pay for every attack twice. How baton drives each CLI (sessions,
 * streams, rate limits, hangs) is tested with both, in run-scenarios.test.ts.
 *
 * `eitherAgent(title, options, (agent) => …)` declares a test as `it` would, named after the
 * agent whose turn it is.
 */
import { it, type TestOptions } from 'vitest';

type Declare<Agent> = (title: string, options: TestOptions, body: (agent: Agent) => Promise<void> | void) => void;

export interface EitherAgent<Agent> extends Declare<Agent> {
  skipIf(condition: boolean): Declare<Agent>;
}

export function takingTurns<Agent extends string>(agents: readonly Agent[]): EitherAgent<Agent> {
  // Vitest evaluates each test file in a module graph of its own, so turns start afresh per file.
  let turn = 0;
  const next = (): Agent => agents[turn++ % agents.length] as Agent;
  const declare: Declare<Agent> = (title, options, body) => {
    const agent = next();
    it(`${agent}: ${title}`, options, () => body(agent));
  };
  return Object.assign(declare, {
    skipIf: (condition: boolean): Declare<Agent> => (title, options, body) => {
      const agent = next();
      it.skipIf(condition)(`${agent}: ${title}`, options, () => body(agent));
    },
  });
}
