import { realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import { argv } from 'node:process';

/**
 * The folder baton is installed in: the one above `bin/baton.cjs`, npm's bin links resolved.
 * Empty when the script cannot be resolved (a caller then has no install to point at).
 */
export function batonPackageRoot(): string {
  try {
    return dirname(dirname(realpathSync(argv[1] ?? '')));
  } catch {
    return '';
  }
}
