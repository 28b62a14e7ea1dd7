/*
 * Where baton.config.json's JSON Schema is found. Apart from the zod schema it is generated from,
 * so that `baton schema` (a board-less command) does not load zod at start-up.
 */

/** Where the JSON Schema generated from the config schema is published, relative to the package root. */
export const CONFIG_SCHEMA_PATH = 'schema/baton.config.schema.json';
/** baton's npm package. */
export const PACKAGE_NAME = 'baton-agents';
/** What users put in `$schema` when baton is a dependency of their project. */
export const CONFIG_SCHEMA_REFERENCE = `./node_modules/${PACKAGE_NAME}/${CONFIG_SCHEMA_PATH}`;
/** Where `$schema` can point whatever way baton is installed: the published package's file. */
export const CONFIG_SCHEMA_URL = `https://unpkg.com/${PACKAGE_NAME}/${CONFIG_SCHEMA_PATH}`;
