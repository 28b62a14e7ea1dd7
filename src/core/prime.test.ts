import { describe, expect, it } from 'vitest';
import { PRIME_END, PRIME_START, primeBlock, upsertPrimeBlock } from './prime.js';

const BLOCK = primeBlock();

describe('primeBlock', () => {
  it('is a short marked Markdown block covering the agent loop', () => {
    const lines = BLOCK.split('\n');
    expect(lines[0]).toBe(PRIME_START);
    expect(lines.at(-1)).toBe(PRIME_END);
    expect(lines.length).toBeGreaterThanOrEqual(15);
    expect(lines.length).toBeLessThanOrEqual(25);
    const order = ['baton ready', 'baton claim --next', 'baton heartbeat', 'baton note ID', 'baton idea', 'baton complete ID -m'];
    const positions = order.map((text) => BLOCK.indexOf(text));
    expect(positions.every((position) => position > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(BLOCK).toContain('--link');
    expect(BLOCK).toContain('--from ID');
    expect(BLOCK).toContain('baton watch --me');
    expect(BLOCK).toContain('--json');
    expect(BLOCK).toMatch(/Exit codes: 0 ok, 1 failed, 2 usage.*3 not found.*\n.*4 conflict/);
    expect(BLOCK).toContain('baton inbox');
    expect(BLOCK).toContain('baton ack ID');
  });
});

describe('upsertPrimeBlock', () => {
  it('creates the content of a missing or empty file', () => {
    expect(upsertPrimeBlock('')).toBe(`${BLOCK}\n`);
  });

  it('appends after a blank line, whatever the file ends with', () => {
    expect(upsertPrimeBlock('# Agents\n\nBe kind.')).toBe(`# Agents\n\nBe kind.\n\n${BLOCK}\n`);
    expect(upsertPrimeBlock('# Agents\n')).toBe(`# Agents\n\n${BLOCK}\n`);
    expect(upsertPrimeBlock('# Agents\n\n')).toBe(`# Agents\n\n${BLOCK}\n`);
  });

  it('changes nothing the second time', () => {
    const once = upsertPrimeBlock('# Agents\n\nBe kind.\n');
    expect(upsertPrimeBlock(once)).toBe(once);
  });

  it('replaces an older block in place and keeps the text around it byte for byte', () => {
    const before = '# Agents\n\nIntro.\n\n';
    const after = '\n\n## Style\n\nTabs, never spaces.\n';
    const old = `${PRIME_START}\nold advice\n${PRIME_END}`;
    expect(upsertPrimeBlock(`${before}${old}${after}`)).toBe(`${before}${BLOCK}${after}`);
  });

  it('keeps CRLF line ends in a CRLF file', () => {
    const result = upsertPrimeBlock('# Agents\r\n');
    expect(result).toBe(`# Agents\r\n\r\n${BLOCK.split('\n').join('\r\n')}\r\n`);
    expect(result.replace(/\r\n/g, '')).not.toContain('\n');
    expect(upsertPrimeBlock(result)).toBe(result);
  });

  it('refuses markers that do not pair up instead of guessing where the block ends', () => {
    expect(() => upsertPrimeBlock(`x\n${PRIME_START}\ny\n`)).toThrow(/1 start and 0 end/);
    expect(() => upsertPrimeBlock(`${PRIME_END}\n${PRIME_START}\n`)).toThrow(/not one block/);
    expect(() => upsertPrimeBlock(`${BLOCK}\n${BLOCK}\n`)).toThrow(/2 start and 2 end/);
  });
});
