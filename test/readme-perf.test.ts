/**
 * The README's performance tables are the benches' last results, not numbers typed by hand:
 * each is generated from bench/results/*.json by scripts/readme-perf.mjs. The numbers
 * themselves are not asserted (a test cannot know a machine's speed); that they are the
 * committed JSON's is.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderAll, SECTIONS, withSections } from '../scripts/readme-perf.mjs';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const RESULTS = new URL('../bench/results', import.meta.url).pathname;

describe("the README's performance tables", () => {
  const scratch = mkdtempSync(join(tmpdir(), 'baton-readme-perf-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('are what bench/results/*.json make (run `npm run readme:perf` after a bench)', () => {
    expect(withSections(README, renderAll())).toBe(README);
  });

  it('each name the bench, the commit and the date they were measured at', () => {
    for (const [name, section] of Object.entries(SECTIONS)) {
      const block = README.slice(README.indexOf(`<!-- perf:${name} -->`), README.indexOf(`<!-- /perf:${name} -->`));
      const results = JSON.parse(readFileSync(join(RESULTS, section.file), 'utf8')) as { source: { commit: string }; machine: { date: string } };
      expect(block).toContain(`bench/results/${section.file}`);
      expect(block).toContain(`commit ${results.source.commit}`);
      expect(block).toContain(results.machine.date.slice(0, 10));
    }
  });

  it('no longer match once a result changes', () => {
    cpSync(RESULTS, scratch, { recursive: true });
    const path = join(scratch, 'runner.json');
    const runner = JSON.parse(readFileSync(path, 'utf8')) as { source: { commit: string } };
    writeFileSync(path, JSON.stringify({ ...runner, source: { ...runner.source, commit: 'f00dfee' } }));
    expect(withSections(README, renderAll(scratch))).not.toBe(README);
  });

  it('refuse a README that lost a table\'s markers, naming the table', () => {
    expect(() => withSections(README.replace('<!-- perf:follow -->', ''), renderAll())).toThrow(/perf:follow .* bench\/results\/follow\.json/);
  });
});
