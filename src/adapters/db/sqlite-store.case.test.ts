import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BoardStore } from '../../app/ports.js';
import { describeBoardStoreContract } from './board-store.contract.js';
import { SqliteBoardStore } from './sqlite-store.js';

describeBoardStoreContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-store-'));
  const path = join(dir, 'baton', 'baton.db');
  const opened: BoardStore[] = [SqliteBoardStore.open(path, { create: true })];
  return {
    store: opened[0] as BoardStore,
    connect: async () => {
      const store = SqliteBoardStore.open(path);
      opened.push(store);
      return store;
    },
    cleanup: async () => {
      for (const store of opened) await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
