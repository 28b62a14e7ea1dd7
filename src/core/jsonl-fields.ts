/**
 * Field-by-field reading of one line of a board file (see board-jsonl.ts), so every refusal
 * names the line and the exact field, e.g. `line 7: task.labels[2] must be a string`.
 */
import { BatonError } from './errors.js';

/** An import refusal: names the line and the field, and says that nothing was written. */
export class BoardFileError extends BatonError {
  constructor(line: number, field: string, problem: string) {
    super('INVALID_INPUT', `line ${line}: ${field} ${problem}; nothing was imported`, { line, field });
  }
}

type Json = Record<string, unknown>;

/** Reads one object's fields, naming the line and the field path in every refusal. */
export class FieldReader {
  readonly raw: Json;
  private readonly seen = new Set<string>();

  constructor(
    private readonly line: number,
    private readonly path: string,
    value: unknown,
  ) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new BoardFileError(line, path === '' ? 'line' : path, 'is not a JSON object');
    }
    this.raw = value as Json;
  }

  fail(name: string, problem: string): never {
    throw new BoardFileError(this.line, this.field(name), problem);
  }

  string(name: string, maxLength = Number.POSITIVE_INFINITY): string {
    const value = this.take(name);
    if (typeof value !== 'string') return this.fail(name, `must be a string, not ${describe(value)}`);
    if (value.length > maxLength) return this.fail(name, `is over ${maxLength} characters`);
    return value;
  }

  integer(name: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const value = this.take(name);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      return this.fail(name, `must be a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${max}`}, not ${describe(value)}`);
    }
    return value;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T {
    const value = this.take(name);
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      return this.fail(name, `must be one of ${allowed.join(', ')}, not ${describe(value)}`);
    }
    return value as T;
  }

  nullableString(name: string): string | null {
    return this.nullable(name, () => this.string(name));
  }

  nullable<T>(name: string, read: () => T): T | null {
    return this.take(name) === null ? null : read();
  }

  optional<T>(name: string, read: () => T): T | undefined {
    return Object.hasOwn(this.raw, name) ? read() : undefined;
  }

  stringList(name: string): string[] {
    return this.array(name).map((item, index) => {
      if (typeof item !== 'string') return this.fail(`${name}[${index}]`, `must be a string, not ${describe(item)}`);
      return item;
    });
  }

  /** A list of objects, each read by `read`. */
  list<T>(name: string, read: (item: FieldReader) => T): T[] {
    return this.array(name).map((item, index) => read(new FieldReader(this.line, `${this.field(name)}[${index}]`, item)));
  }

  object(name: string): FieldReader {
    return new FieldReader(this.line, this.field(name), this.take(name));
  }

  /** Refuses fields this version does not know: importing them would drop them silently. */
  end(): void {
    const extra = Object.keys(this.raw).find((key) => !this.seen.has(key));
    if (extra !== undefined) this.fail(extra, 'is not a field of this format version');
  }

  private take(name: string): unknown {
    this.seen.add(name);
    if (!Object.hasOwn(this.raw, name)) return this.fail(name, 'is missing');
    return this.raw[name];
  }

  private array(name: string): unknown[] {
    const value = this.take(name);
    return Array.isArray(value) ? (value as unknown[]) : this.fail(name, `must be a list, not ${describe(value)}`);
  }

  private field(name: string): string {
    return this.path === '' ? name : `${this.path}.${name}`;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}
