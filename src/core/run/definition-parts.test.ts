import { describe, expect, it } from 'vitest';
import { iniSections, partChanges, tomlEntries } from './definition-parts.js';
import { makefileReferences } from './makefile.js';
import { expandScriptNames, scriptClosure } from './package-scripts.js';

describe('tomlEntries', () => {
  it('gives each line the full key it sets, through tables, dotted keys, quoted keys and multi-line values', () => {
    const text = [
      'title = "x"',
      '[tool]',
      'pytest.ini_options.addopts = "-q"',
      '[ tool . "pytest.ini_options" ]',
      'markers = [',
      '  "slow = takes long",',
      ']',
      'doc = """',
      'a = b',
      '"""',
      '[[tool.mypy.overrides]]',
      'module = "x"',
    ].join('\n');
    expect(tomlEntries(text).map((entry) => `${entry.key} | ${entry.line}`)).toEqual([
      'title | title = "x"',
      'tool | [tool]',
      'tool.pytest.ini_options.addopts | pytest.ini_options.addopts = "-q"',
      'tool.pytest.ini_options | [ tool . "pytest.ini_options" ]',
      'tool.pytest.ini_options.markers | markers = [',
      'tool.pytest.ini_options.markers | "slow = takes long",',
      'tool.pytest.ini_options.markers | ]',
      'tool.pytest.ini_options.doc | doc = """',
      'tool.pytest.ini_options.doc | a = b',
      'tool.pytest.ini_options.doc | """',
      'tool.mypy.overrides | [[tool.mypy.overrides]]',
      'tool.mypy.overrides.module | module = "x"',
    ]);
  });

  it('ignores comments and blank lines when comparing settings', () => {
    const part = { kind: 'toml-keys' as const, prefixes: ['tool.pytest'] };
    expect(partChanges(part, 'pyproject.toml', '[tool.pytest.ini_options]\naddopts = "-q"\n', '# tests\n[tool.pytest.ini_options]\n\naddopts = "-q"\n')).toEqual([]);
    expect(partChanges(part, 'pyproject.toml', '[project]\n', '[project]\n[tool.pytest.ini_options]\n')).toHaveLength(1);
  });

  it('opens no multi-line string in a comment: a [lib] table after `# """` is a table, not part of a dependency value', () => {
    const base = '[package]\nname = "shop"\n\n[dependencies]\n';
    const smuggled = `${base}[package.metadata.dependencies]\nnote = "x" # """\n\n[lib]\nharness = false\n\n# """\n`;
    expect(tomlEntries(smuggled).filter((entry) => entry.line === 'harness = false').map((entry) => entry.key)).toEqual(['lib.harness']);
    expect(partChanges({ kind: 'toml-except-dependencies' }, 'Cargo.toml', base, smuggled)).toHaveLength(1);
    // A real multi-line string still spans its lines, a closing quote's comment included.
    const multiline = 'a = """\nline # not a comment\n""" # """\nb = 1\n';
    expect(tomlEntries(multiline).map((entry) => entry.key)).toEqual(['a', 'a', 'a', 'b']);
  });
});


describe('iniSections', () => {
  it('keeps each section without comments, and matches sections by pattern', () => {
    expect([...iniSections('[a]\nx = 1 \n; note\n  more\n[b]\n# c\n')]).toEqual([
      ['a', 'x = 1\nmore'],
      ['b', ''],
    ]);
    const part = { kind: 'ini-sections' as const, sections: ['coverage:*'] };
    expect(partChanges(part, 'setup.cfg', '[coverage:report]\nfail_under = 90\n', '[coverage:report]\nfail_under = 0\n')).toEqual(['setup.cfg section [coverage:report] was changed']);
    expect(partChanges(part, 'setup.cfg', '[metadata]\nname = a\n', '[metadata]\nname = b\n')).toEqual([]);
  });
});

describe('package scripts', () => {
  it('expands npm-run-all patterns: * within a segment, ** across them', () => {
    const names = ['test', 'test:unit', 'test:unit:core', 'lint'];
    expect(expandScriptNames('test:*', names)).toEqual(['test:unit']);
    expect(expandScriptNames('test:**', names)).toEqual(['test:unit', 'test:unit:core']);
    expect(expandScriptNames('lint', [])).toEqual(['lint']);
  });

  it('closes over pre and post scripts and the scripts each one runs', () => {
    const scripts = { pretest: 'npm run build', test: 'pnpm lint && yarn unit', build: 'tsc', lint: 'eslint .', unit: 'vitest', other: 'x' };
    expect(scriptClosure('package.json', scripts, ['test']).sort()).toEqual(
      ['build', 'lint', 'postbuild', 'postlint', 'posttest', 'postunit', 'prebuild', 'prelint', 'pretest', 'preunit', 'test', 'unit'].sort(),
    );
  });

  it('reports a manifest that stops being valid JSON', () => {
    expect(partChanges({ kind: 'scripts', names: ['test'] }, 'package.json', '{"scripts":{"test":"x"}}', '{"scripts":')).toEqual(['package.json is no longer valid JSON']);
  });
});

describe('makefileReferences', () => {
  it('finds includes, recipe lines and inline recipes, with $(MAKE) as make', () => {
    const text = 'include a.mk $(VARS).mk\n-include b.mk\nX := 1;2\nall: ; npm test\ntest:\n\t@$(MAKE) -C sub\\\n\t  check\n\t-pytest\n';
    expect(makefileReferences(text)).toEqual({ includes: ['a.mk', 'b.mk'], recipes: ['npm test', 'make -C sub check', 'pytest'] });
  });
});
