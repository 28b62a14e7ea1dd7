// baton itself, measured the same way as the peers: the built CLI (package.json's bin) on a board in
// the repository's git dir, seeded through the store API.
import { join } from 'node:path';
import { seedBatonBoard } from '../baton-board.mjs';
import { BATON_BIN } from '../cli-latency.mjs';

export const batonPeer = {
  name: 'baton',
  package: 'baton (this repository, npm run build)',
  storage: 'one SQLite file (WAL) at <git common dir>/baton/baton.db',
  seeding: 'addTask/completeTask through the store API (same rows and events as the CLI writes)',
  claimNext: 'claim --next',

  command() {
    return { file: process.execPath, prefix: [BATON_BIN] };
  },

  versionArgs: ['--version'],

  async seed(dir, plan, _run, api) {
    await seedBatonBoard(api, join(dir, '.git', 'baton', 'baton.db'), plan);
  },

  id: (index) => String(index),

  args: {
    create: (title, description) => ['add', title, '-d', description, '-p', '2'],
    list: () => ['list', '--json', '--status', 'open', '--limit', '50'],
    show: (id) => ['show', id, '--json'],
    ready: () => ['ready', '--json', '--limit', '20'],
    claim: (id) => ['claim', id],
    claimNext: () => ['claim', '--next'],
    complete: (id) => ['complete', id],
  },
};
