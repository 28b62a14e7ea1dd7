import { describe, expect, it } from 'vitest';
import { BatonError, InvalidInputError } from './errors.js';
import { CLOSED_STATUSES, STATUSES, assertTransition, canTransition, legalTransitions, parseStatus, type Status } from './status.js';

/** The state machine as DESIGN §4 describes it, written out independently of the source table. */
const EXPECTED: Record<Status, Status[]> = {
  open: ['in_progress', 'done', 'blocked', 'cancelled'],
  in_progress: ['open', 'review', 'done', 'blocked', 'cancelled', 'failed'],
  review: ['in_progress', 'open', 'done', 'cancelled', 'failed'],
  blocked: ['open', 'cancelled'],
  done: ['open'],
  cancelled: ['open'],
  failed: ['open', 'cancelled'],
};

function refusal(from: Status, to: Status): BatonError {
  try {
    assertTransition(7, from, to);
  } catch (error) {
    return error as BatonError;
  }
  throw new Error(`${from} → ${to} was allowed`);
}

describe('status transitions', () => {
  for (const from of STATUSES) {
    for (const to of STATUSES) {
      const legal = EXPECTED[from].includes(to);
      it(`${from} → ${to} is ${legal ? 'legal' : 'refused'}`, () => {
        expect(canTransition(from, to)).toBe(legal);
        if (legal) expect(() => assertTransition(7, from, to)).not.toThrow();
        else expect(refusal(from, to).code).toBe('ILLEGAL_TRANSITION');
      });
    }
  }

  it('never allows a status to "move" to itself', () => {
    for (const status of STATUSES) expect(canTransition(status, status)).toBe(false);
  });

  it('lists the legal next statuses for every status', () => {
    for (const from of STATUSES) expect([...legalTransitions(from)].sort()).toEqual([...EXPECTED[from]].sort());
  });

  it('names the task, both ends and every legal transition when it refuses', () => {
    const error = refusal('blocked', 'done');
    expect(error).toBeInstanceOf(BatonError);
    expect(error.message).toBe('task #7 is blocked and cannot become done; from blocked it can become: open, cancelled');
    expect(error.details).toEqual({ id: 7, from: 'blocked', to: 'done', legal: ['open', 'cancelled'] });
  });

  it('treats only done and cancelled as closed', () => {
    expect([...CLOSED_STATUSES].sort()).toEqual(['cancelled', 'done']);
  });
});

describe('parseStatus', () => {
  it('accepts every status, case-insensitively, with - for _', () => {
    for (const status of STATUSES) expect(parseStatus(status.toUpperCase())).toBe(status);
    expect(parseStatus(' in-progress ')).toBe('in_progress');
  });

  it('refuses an unknown status, naming the field and the choices', () => {
    const error = (() => {
      try {
        parseStatus('finished', '--status');
      } catch (caught) {
        return caught as InvalidInputError;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error?.field).toBe('--status');
    expect(error?.message).toMatch(/^--status: unknown status 'finished'; use one of open, in_progress, review, done/);
  });
});
