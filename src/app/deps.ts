import type { BoardStore, Clock } from './ports.js';

/** What every use case needs: the board, the time, and who is acting. */
export interface BoardDeps {
  store: BoardStore;
  clock: Clock;
  actor: string;
}
