// Writes schema/baton.config.schema.json, the JSON Schema of baton.config.json, from the zod
// schema in src/adapters/config. The file is committed (users point "$schema" at it, editors read
// it); a test fails when it differs from what the schema generates. Run by scripts/build.mjs, or
// alone: `node scripts/config-schema.mjs`.
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Regenerates the schema file; writes only when its text changed. Returns whether it did. */
export async function writeConfigSchema() {
  const dir = mkdtempSync(join(tmpdir(), 'baton-config-schema-'));
  try {
    const outfile = join(dir, 'schema.mjs');
    await build({
      entryPoints: [join(root, 'src/adapters/config/project-config-json-schema.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'warning',
    });
    const { CONFIG_SCHEMA_PATH, projectConfigJsonSchemaText } = await import(pathToFileURL(outfile).href);
    const target = join(root, CONFIG_SCHEMA_PATH);
    const text = projectConfigJsonSchemaText();
    if (readOrNull(target) === text) return false;
    mkdirSync(join(target, '..'), { recursive: true });
    writeFileSync(target, text);
    return true;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function readOrNull(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await writeConfigSchema();
