import { InvalidInputError } from './errors.js';
import { normaliseFilePath } from './resource.js';
import { quoted } from './quoted.js';
import { controlCharacterIn } from './task.js';

/** A file reference (`app/server/auth.py:10-24`) or a URL that a task points at. */
export type Link =
  | { kind: 'file'; path: string; startLine?: number; endLine?: number }
  | { kind: 'url'; url: string };

const MAX_LINK_LENGTH = 1000;

export function parseLink(input: string, field = '--link'): Link {
  const text = input.trim();
  const control = controlCharacterIn(text, false);
  if (control !== null) throw new InvalidInputError(field, `the link holds a control character (${control}); write it as plain text`);
  if (text.length === 0 || text.length > MAX_LINK_LENGTH) {
    throw new InvalidInputError(field, `a link is a path like app/auth.py, app/auth.py:12 or app/auth.py:12-30, or a URL`);
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    try {
      return { kind: 'url', url: new URL(text).toString() };
    } catch {
      throw new InvalidInputError(field, `${quoted(input)} is not a valid URL`);
    }
  }
  const match = /^([^:\s][^:]*?)(?::(\d+)(?:-(\d+))?)?$/.exec(text);
  if (!match) {
    throw new InvalidInputError(field, `${quoted(input)} is not a link; use path, path:LINE or path:START-END (e.g. app/auth.py:12-30), or a URL`);
  }
  const path = normaliseFilePath(match[1] as string);
  if (path.startsWith('/') || path.split('/').includes('..')) {
    throw new InvalidInputError(field, `${quoted(input)} must be a path inside the repository, relative to its root`);
  }
  const link: Link = { kind: 'file', path };
  if (match[2] !== undefined) {
    const startLine = Number(match[2]);
    const endLine = match[3] === undefined ? undefined : Number(match[3]);
    if (startLine < 1 || (endLine !== undefined && endLine < startLine)) {
      throw new InvalidInputError(field, `${quoted(input)} has a bad line range; lines start at 1 and END must not be before START`);
    }
    return endLine === undefined ? { ...link, startLine } : { ...link, startLine, endLine };
  }
  return link;
}

export function formatLink(link: Link): string {
  if (link.kind === 'url') return link.url;
  if (link.startLine === undefined) return link.path;
  return link.endLine === undefined ? `${link.path}:${link.startLine}` : `${link.path}:${link.startLine}-${link.endLine}`;
}
