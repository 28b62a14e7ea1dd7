import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BatonError } from '../../core/errors.js';
import { CONFIG_SCHEMA_PATH } from './config-schema-location.js';

export interface InstalledConfigSchema {
  /** Absolute path of the schema file in baton's package. */
  path: string;
  /** Its text, a JSON document. */
  text: string;
}

/** The JSON Schema of baton.config.json that ships in the package installed at `packageRoot`. */
export function readInstalledConfigSchema(packageRoot: string): InstalledConfigSchema {
  const path = join(packageRoot, CONFIG_SCHEMA_PATH);
  try {
    return { path, text: readFileSync(path, 'utf8') };
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new BatonError('FAILED', `baton's JSON Schema is missing from its package (${path}: ${reason}); reinstall baton (\`npm i -g baton-agents\`) or run \`npm run build\` in the checkout`, { path });
  }
}
