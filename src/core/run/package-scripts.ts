import { commandInvocations } from './check-invocations.js';
import { parentDir } from './repo-path.js';

/** A package.json as far as checks care: its scripts, and the whole object for keys like `jest`. */
export interface PackageManifest {
  scripts: Record<string, string>;
  fields: Record<string, unknown>;
}

/** The manifest in `text`; null when it is not a JSON object. Scripts that are not strings are left out. */
export function parseManifest(text: string): PackageManifest | null {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const fields = value as Record<string, unknown>;
  const raw = typeof fields.scripts === 'object' && fields.scripts !== null ? (fields.scripts as Record<string, unknown>) : {};
  const scripts: Record<string, string> = {};
  for (const [name, body] of Object.entries(raw)) if (typeof body === 'string') scripts[name] = body;
  return { scripts, fields };
}

/**
 * Every script that running `roots` in the manifest at `manifestPath` may run: each root (a
 * name, or an npm-run-all pattern such as `test:*`), its `pre` and `post` scripts, and in turn
 * the scripts of this manifest that those scripts run (`npm run lint && npm run unit`,
 * `run-s unit e2e`). A root named literally counts even when the manifest lacks it: adding it
 * changes what the check runs.
 */
export function scriptClosure(manifestPath: string, scripts: Readonly<Record<string, string>>, roots: readonly string[]): string[] {
  const dir = parentDir(manifestPath);
  const found = new Set<string>();
  const queue = [...roots];
  while (queue.length > 0) {
    for (const name of expandScriptNames(queue.shift() as string, Object.keys(scripts))) {
      for (const step of [`pre${name}`, name, `post${name}`]) {
        if (found.has(step)) continue;
        found.add(step);
        const body = scripts[step];
        if (body === undefined) continue;
        for (const invocation of commandInvocations(body, dir)) {
          if (invocation.kind === 'scripts' && invocation.manifest === manifestPath) queue.push(...invocation.names);
        }
      }
    }
  }
  return [...found];
}

/** The script names a name or pattern stands for: `*` matches within one `:` segment, `**` across them. */
export function expandScriptNames(pattern: string, available: readonly string[]): string[] {
  if (!pattern.includes('*')) return [pattern];
  const source = pattern
    .split(/(\*\*|\*)/)
    .map((part) => (part === '**' ? '.*' : part === '*' ? '[^:]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  const matcher = new RegExp(`^${source}$`);
  return available.filter((name) => matcher.test(name));
}
