import { realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import { argv } from 'node:process';
import { readInstalledConfigSchema } from '../../adapters/config/config-schema-file.js';
import { CONFIG_SCHEMA_URL } from '../../adapters/config/config-schema-location.js';
import type { CommandSpec } from '../command.js';
import { flag } from '../command.js';

/**
 * `baton schema` says where the JSON Schema of baton.config.json is, wherever baton is installed
 * (a global install has no ./node_modules/baton-agents to point `$schema` at); `--print` prints
 * the schema itself.
 */
export const schemaCommand: CommandSpec = {
  name: 'schema',
  summary: "print the path of baton.config.json's JSON Schema (--print: the schema)",
  args: [],
  options: [{ name: 'print', kind: 'boolean', help: 'print the schema itself instead of its path' }],
  async run(_ctx, { options }) {
    const { path, text } = readInstalledConfigSchema(packageRoot());
    if (flag(options, 'print')) return { json: { path, url: CONFIG_SCHEMA_URL, schema: JSON.parse(text) as unknown }, text: text.trimEnd() };
    return { json: { path, url: CONFIG_SCHEMA_URL }, text: path };
  },
};

/** The package baton runs from: the folder above `bin/baton.cjs` (npm's bin links resolved). */
function packageRoot(): string {
  return dirname(dirname(realpathSync(argv[1] ?? '.')));
}
