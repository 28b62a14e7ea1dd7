// The store and use cases as a long-lived client sees them, bundled from src/ once per bench
// run and shared by the worker processes.
import { pathToFileURL } from 'node:url';
import { bundlePath, bundleSource, REPO_ROOT } from './bundle-source.mjs';

export { REPO_ROOT };
export const STORE_BUNDLE = bundlePath('store-api');

const ENTRY = `
export { SqliteBoardStore } from './src/adapters/db/sqlite-store.ts';
export { addTask } from './src/app/add-task.ts';
export { claimNext, claimTask } from './src/app/claim-task.ts';
export { completeTask } from './src/app/complete-task.ts';
export { DEFAULT_LEASE_TTL_MS } from './src/core/lease.ts';
`;

/** Bundles the store API (once per process) and returns its module. */
export async function loadStoreApi() {
  await bundleSource(ENTRY, STORE_BUNDLE);
  return importStoreApi();
}

/** Imports an already built bundle (worker processes). */
export function importStoreApi() {
  return import(pathToFileURL(STORE_BUNDLE).href);
}

/** The use-case dependencies for one actor; the clock is the real one. */
export function boardDeps(store, actor) {
  return { store, clock: { now: () => new Date() }, actor };
}
