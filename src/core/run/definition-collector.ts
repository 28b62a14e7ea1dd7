import type { CheckDefinition, ReadFiles } from './check-definitions.js';
import { commandInvocations, type Invocation } from './check-invocations.js';
import type { FilePart } from './definition-parts.js';
import { makefileReferences } from './makefile.js';
import { parseManifest, scriptClosure } from './package-scripts.js';
import { dirAndAncestors, inDir, joinRepoPath, parentDir } from './repo-path.js';
import { quotedPaths, runnerConfigDefinitions, scannedConfigPaths, toolConfigDefinitions } from './runner-configs.js';
import { moduleFiles, modulesImportedBy } from './python-modules.js';

/** Invocations followed at most, against a command that leads round in circles. */
const MAX_INVOCATIONS = 2_000;
const DEFAULT_MAKEFILES = ['GNUmakefile', 'makefile', 'Makefile'];
/**
 * Files that hold dependencies beside check settings: named by a command or a config (`import pkg
 * from './package.json'`), they count only by the parts that define checks, never whole.
 */
const SHARED_FILES = new Set(['package.json', 'package-lock.json', 'npm-shrinkwrap.json', 'pnpm-lock.yaml', 'yarn.lock', 'bun.lockb', 'bun.lock', 'pyproject.toml', 'setup.cfg', 'tox.ini', 'Cargo.toml', 'Cargo.lock', 'go.mod', 'go.sum']);

/**
 * Follows a check's invocations from the base commit, breadth first, reading what each round
 * needs in one go, and gathers what defines the check (see collectCheckDefinitions).
 */
export class DefinitionCollector {
  private readonly found = new Map<string, CheckDefinition>();
  private readonly seen = new Set<string>();
  private readonly texts = new Map<string, string | null>();

  constructor(
    private readonly readBase: ReadFiles,
    private readonly isTest: (path: string) => boolean,
  ) {}

  add(definition: CheckDefinition): void {
    const key = JSON.stringify(definition.kind === 'part' ? [definition.glob, definition.part] : [definition.glob]);
    if (!this.found.has(key)) this.found.set(key, definition);
  }

  definitions(): CheckDefinition[] {
    return [...this.found.values()];
  }

  async follow(start: Invocation[]): Promise<void> {
    let round = start;
    while (round.length > 0 && this.seen.size < MAX_INVOCATIONS) {
      const fresh = round.filter((invocation) => this.firstSight(invocation));
      await this.prefetch(fresh.flatMap((invocation) => this.readsFor(invocation)));
      round = fresh.flatMap((invocation) => this.expand(invocation));
    }
  }

  private firstSight(invocation: Invocation): boolean {
    const key = JSON.stringify(invocation);
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    return true;
  }

  private async prefetch(paths: readonly string[]): Promise<void> {
    const missing = [...new Set(paths)].filter((path) => !this.texts.has(path));
    if (missing.length === 0) return;
    const texts = await this.readBase(missing);
    missing.forEach((path, index) => this.texts.set(path, texts[index] ?? null));
  }

  private text(path: string): string | null {
    return this.texts.get(path) ?? null;
  }

  private readsFor(invocation: Invocation): string[] {
    switch (invocation.kind) {
      case 'scripts':
        return invocation.manifest.includes('*') ? [] : manifestCandidates(invocation.manifest);
      case 'make':
        return makefilesOf(invocation);
      case 'file':
        return [invocation.path];
      case 'dir':
        return [...scannedConfigPaths(invocation.dir), inDir(invocation.dir, 'package.json')];
      case 'tool':
      case 'python-module':
        return [];
    }
  }

  /** Records what `invocation` defines and returns what it leads to. */
  private expand(invocation: Invocation): Invocation[] {
    switch (invocation.kind) {
      case 'scripts':
        return this.expandScripts(invocation.manifest, invocation.names);
      case 'make':
        return this.expandMake(invocation.dir, makefilesOf(invocation));
      case 'file': {
        // A file a check only reads (`test -s out.txt`) that is not there yet is the task's to make;
        // a script a check runs is the check itself, there or not.
        const defines = invocation.runs || this.text(invocation.path) !== null;
        if (defines && this.frozenWhole(invocation.path)) this.add({ kind: 'file', glob: invocation.path, why: 'a check command names it' });
        const script = invocation.runs ? this.text(invocation.path) : null;
        return script === null ? [] : commandInvocations(script, invocation.cwd);
      }
      case 'dir':
        runnerConfigDefinitions(invocation.dir).forEach((definition) => this.add(definition));
        this.addNamedInConfigs(invocation.dir);
        return [];
      case 'tool':
        toolConfigDefinitions(invocation.tool, invocation.dir).forEach((definition) => this.add(definition));
        return [];
      case 'python-module':
        // A `pytest.py`, `iniconfig.py` or `inspect.py` the task adds there would be imported instead.
        for (const module of modulesImportedBy(invocation.module)) {
          for (const name of moduleFiles(module)) this.add({ kind: 'new-file', glob: inDir(invocation.dir, name), why: `Python would import it instead of the ${module} that ${invocation.module} runs on` });
        }
        return [];
    }
  }

  private expandScripts(manifest: string, names: readonly string[]): Invocation[] {
    const part: FilePart = { kind: 'scripts', names: [...names] };
    const why = 'the scripts a check runs';
    if (manifest.includes('*')) {
      this.add({ kind: 'part', glob: manifest, part, why });
      return [];
    }
    // npm runs the scripts of the nearest package.json above; one added closer would take over.
    const candidates = manifestCandidates(manifest);
    const found = candidates.find((path) => this.text(path) !== null);
    for (const path of candidates.slice(0, found === undefined ? 1 : candidates.indexOf(found))) {
      this.add({ kind: 'part', glob: path, part, why });
    }
    if (found === undefined) return [];
    const parsed = parseManifest(this.text(found) as string);
    if (parsed === null) {
      this.add({ kind: 'file', glob: found, why: 'its scripts run a check, and it is not valid JSON' });
      return [];
    }
    this.add({ kind: 'part', glob: found, part, why });
    const dir = parentDir(found);
    return scriptClosure(found, parsed.scripts, names).flatMap((name) => {
      const body = parsed.scripts[name];
      if (body === undefined) return [];
      // Scripts of the same manifest are in the closure already; everything else is followed.
      return commandInvocations(body, dir).filter((next) => next.kind !== 'scripts' || next.manifest !== found);
    });
  }

  private expandMake(dir: string, makefiles: readonly string[]): Invocation[] {
    return makefiles.flatMap((path) => {
      this.add({ kind: 'file', glob: path, why: 'make reads it' });
      const text = this.text(path);
      if (text === null) return [];
      const references = makefileReferences(text);
      const includes = references.includes.map((name) => joinRepoPath(dir, name)).filter((include) => include !== null);
      return [
        ...includes.map((include): Invocation => ({ kind: 'make', dir, makefiles: [include] })),
        ...references.recipes.flatMap((recipe) => commandInvocations(recipe, dir)),
      ];
    });
  }

  /** Whether a file something names is frozen whole: not a test (the test contract has those), not a shared file. */
  private frozenWhole(path: string): boolean {
    return !this.isTest(path) && !SHARED_FILES.has(path.split('/').pop() as string);
  }

  /** Files a runner config in `dir` names (a setup file, a shared config), unless they are tests. */
  private addNamedInConfigs(dir: string): void {
    const manifest = parseManifest(this.text(inDir(dir, 'package.json')) ?? '');
    const sources = [
      ...scannedConfigPaths(dir).map((path) => ({ path, text: this.text(path) })),
      ...['jest', 'mocha', 'ava'].map((key) => ({ path: inDir(dir, 'package.json'), text: manifest?.fields[key] === undefined ? null : JSON.stringify(manifest.fields[key]) })),
    ];
    for (const { path, text } of sources) {
      if (text === null) continue;
      for (const named of quotedPaths(text)) {
        const resolved = joinRepoPath(dir, named);
        if (resolved !== null && this.frozenWhole(resolved)) this.add({ kind: 'file', glob: resolved, why: `${path} names it` });
      }
    }
  }
}

/** `a/b/package.json` and every package.json above it, nearest first. */
function manifestCandidates(manifest: string): string[] {
  return dirAndAncestors(parentDir(manifest)).map((dir) => inDir(dir, 'package.json'));
}

function makefilesOf(invocation: Extract<Invocation, { kind: 'make' }>): string[] {
  return invocation.makefiles.length > 0 ? invocation.makefiles : DEFAULT_MAKEFILES.map((name) => inDir(invocation.dir, name));
}
