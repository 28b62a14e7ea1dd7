import { InvalidInputError } from './errors.js';
import { quoted } from './quoted.js';
import { controlCharacterIn } from './task.js';

export const RESOURCE_MODES = ['adds', 'modifies', 'removes', 'reads', 'touches'] as const;
export type ResourceMode = (typeof RESOURCE_MODES)[number];

/** Aliases the article's `tm` accepted. */
const MODE_ALIASES: Record<string, ResourceMode> = { touch: 'touches', depends: 'reads' };

/** What a task declares it changes or reads: `modifies:endpoint:POST /api/login`. */
export interface Resource {
  mode: ResourceMode;
  kind: string;
  name: string;
}

const KIND_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;
const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', '*'];
export const MAX_RESOURCE_NAME_LENGTH = 500;

export function parseResource(input: string, field = '--resource'): Resource {
  // A resource is one line in every listing and collision warning; an escape in it would reach each terminal.
  const control = controlCharacterIn(input, false);
  if (control !== null) throw new InvalidInputError(field, `the resource holds a control character (${control}); write it as plain text`);
  const first = input.indexOf(':');
  const second = first < 0 ? -1 : input.indexOf(':', first + 1);
  if (first < 0 || second < 0) {
    throw new InvalidInputError(
      field,
      `${quoted(input)} is not MODE:KIND:NAME; e.g. 'modifies:endpoint:POST /api/login' (quote it when it has spaces)`,
    );
  }
  const rawMode = input.slice(0, first).trim().toLowerCase();
  const mode = (RESOURCE_MODES as readonly string[]).includes(rawMode)
    ? (rawMode as ResourceMode)
    : MODE_ALIASES[rawMode];
  if (!mode) {
    throw new InvalidInputError(field, `unknown mode ${quoted(rawMode)} in ${quoted(input)}; use one of ${RESOURCE_MODES.join(', ')}`);
  }
  const kind = input.slice(first + 1, second).trim().toLowerCase();
  if (!KIND_PATTERN.test(kind)) {
    throw new InvalidInputError(field, `${quoted(kind)} in ${quoted(input)} is not a resource kind; use a word like endpoint, file, table, module`);
  }
  const name = normaliseResourceName(kind, input.slice(second + 1).trim(), input, field);
  return { mode, kind, name };
}

export function formatResource(resource: Resource): string {
  return `${resource.mode}:${resource.kind}:${resource.name}`;
}

function normaliseResourceName(kind: string, name: string, input: string, field: string): string {
  if (name.length === 0) throw new InvalidInputError(field, `${quoted(input)} has an empty NAME; e.g. 'modifies:file:src/app.ts'`);
  if (name.length > MAX_RESOURCE_NAME_LENGTH) {
    throw new InvalidInputError(field, `resource name is longer than ${MAX_RESOURCE_NAME_LENGTH} characters`);
  }
  if (kind === 'endpoint') return normaliseEndpoint(name, input, field);
  if (kind === 'file') return normaliseFileResource(name, input, field);
  return name;
}

/**
 * `post /api/users/{id}/` → `POST /api/users/:id`; a bare path stands for any method (`*`).
 * Path parameters keep their names for people to read (`{userId}`, Flask's `<int:userId>`
 * → `:userId`); matching treats every parameter as the same (see resource-match.ts).
 */
function normaliseEndpoint(name: string, input: string, field: string): string {
  const parts = name.split(/\s+/);
  const hasMethod = parts.length === 2;
  const method = hasMethod ? (parts[0] as string).toUpperCase() : '*';
  const path = hasMethod ? (parts[1] as string) : (parts[0] as string);
  if (parts.length > 2 || !HTTP_METHODS.includes(method) || !path.startsWith('/')) {
    throw new InvalidInputError(
      field,
      `${quoted(input)} is not an endpoint; use 'MODE:endpoint:METHOD /path', e.g. 'modifies:endpoint:POST /api/login', ` +
        'and quote the whole resource so the shell keeps the space',
    );
  }
  const cleanPath =
    path
      .replace(/\{([^}/]+)\}/g, ':$1')
      .replace(/<(?:[^<>:/]+:)?([^<>:/]+)>/g, ':$1')
      .replace(/\/{2,}/g, '/')
      .replace(/\/+$/, '') || '/';
  return `${method} ${cleanPath}`;
}

/**
 * A file resource names a path inside the repository, relative to its root; globs (`*`, `**`,
 * `?`) are kept as typed, and a trailing `/` marks a directory (see resource-match.ts).
 */
function normaliseFileResource(name: string, input: string, field: string): string {
  const path = normaliseFilePath(name);
  if (path.startsWith('/') || /^[a-z]:\//i.test(path) || path.split('/').includes('..')) {
    throw new InvalidInputError(field, `${quoted(input)} must name a path inside the repository, relative to its root (e.g. 'modifies:file:src/app.ts')`);
  }
  if (path.length === 0) throw new InvalidInputError(field, `${quoted(input)} has an empty NAME; e.g. 'modifies:file:src/app.ts'`);
  return path;
}

/** Repository-relative with `/` separators and no leading `./`. */
export function normaliseFilePath(name: string): string {
  return name.replace(/\\/g, '/').replace(/^(\.\/)+/, '').replace(/\/{2,}/g, '/');
}
