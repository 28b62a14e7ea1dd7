import { readInstalledConfigSchema } from '../../adapters/config/config-schema-file.js';
import { CONFIG_SCHEMA_URL } from '../../adapters/config/config-schema-location.js';
import type { CommandSpec } from '../command.js';
import { flag } from '../command.js';
import { batonPackageRoot } from '../package-root.js';

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
    const { path, text } = readInstalledConfigSchema(batonPackageRoot());
    if (flag(options, 'print')) return { json: { path, url: CONFIG_SCHEMA_URL, schema: JSON.parse(text) as unknown }, text: text.trimEnd() };
    return { json: { path, url: CONFIG_SCHEMA_URL }, text: path };
  },
};
