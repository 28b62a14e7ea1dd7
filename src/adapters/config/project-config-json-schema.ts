import { toJSONSchema } from 'zod/mini';
import { projectConfigFileSchema } from './project-config-schema.js';

export { CONFIG_SCHEMA_PATH } from './config-schema-location.js';
/** A URN, not a URL: baton has no web home that could serve the file yet. */
export const CONFIG_SCHEMA_ID = 'urn:baton:schema:baton.config:1';

/** The JSON Schema (draft 2020-12) of `baton.config.json`, generated from the zod schema. */
export function projectConfigJsonSchema(): Record<string, unknown> {
  const { $schema, ...rest } = toJSONSchema(projectConfigFileSchema, {
    target: 'draft-2020-12',
    io: 'input',
    // zod states the safe-integer range of every whole number; it is noise in an editor.
    override: ({ jsonSchema }) => {
      if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
    },
  });
  return { $schema, $id: CONFIG_SCHEMA_ID, title: 'baton.config.json', description: rest.description, ...rest };
}

/** The file's exact text, as committed: build and test both use it. */
export function projectConfigJsonSchemaText(): string {
  return `${JSON.stringify(projectConfigJsonSchema(), null, 2)}\n`;
}
