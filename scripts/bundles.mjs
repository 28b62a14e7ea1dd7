// Splits the CLI into CommonJS bundles so that a command loads only the code it runs: the board
// commands (what agents call hundreds of times a day) live in dist/baton.cjs; the runner (with
// the merge queue and the hook installer, which share its git and config code), the ACP client
// with its SDK, the MCP server with its SDK, the HTTP server with hono and the demo each live in
// a chunk of their own, loaded by the first command that needs it. A file the main bundle
// reaches only through import() stays in it unless it is an entry below. Node 20 has no module
// compile cache and a bundle runs inside vm.Script (see bin/baton.cjs), so each file gets its
// own V8 code cache: a board command reads and deserializes its bundle's cache only.
//
// A module of baton's own belongs to the first bundle (in BUNDLES' order) whose entries reach it;
// later bundles use it from there rather than carrying a copy of their own, so a class has one
// identity (an `instanceof BatonError` in main.ts holds for an error thrown by the runner).
// Packages from node_modules are the exception: each bundle has its own copy of what it uses. Across bundles a
// module is named `baton-chunk:<bundle>/<key>`, which only the launcher's `require` knows: it
// loads that bundle (with its code cache) and returns the module from its table. A chunk is
// only ever entered through a dynamic `import()`, which esbuild turns into that `require`.
import { build } from 'esbuild';
import { relative, resolve } from 'node:path';

export const CHUNK_PREFIX = 'baton-chunk:';

/** In load order: a bundle may use modules of the bundles before it, and import() the entries of any other. */
export const BUNDLES = [
  { name: 'baton', file: 'baton.cjs', entries: ['src/cli/bin.ts'], main: true },
  { name: 'run', file: 'baton-run.cjs', entries: ['src/cli/run/run-command.ts', 'src/cli/run/runs-command.ts', 'src/cli/run/merge-commands.ts', 'src/app/merge-queue.ts', 'src/adapters/git/hooks.ts'] },
  { name: 'acp', file: 'baton-acp.cjs', entries: ['src/adapters/agents/acp-client.ts'] },
  { name: 'demo', file: 'baton-demo.cjs', entries: ['src/cli/demo/command-run.ts'] },
  { name: 'mcp', file: 'baton-mcp.cjs', entries: ['src/cli/mcp/mcp-command.ts'] },
  // `baton serve`: the HTTP API with hono and its Node server.
  { name: 'serve', file: 'baton-serve.cjs', entries: ['src/server/start-server.ts'] },
];

/**
 * Builds every bundle into `outdir`. Two passes: the first finds which bundle owns each module
 * and which modules later bundles use from earlier ones; the second writes the bundles, each
 * exporting the table of modules others use from it.
 */
export async function buildBundles({ root, outdir, options }) {
  const owners = new Map();
  const entryOwners = new Map();
  for (const bundle of BUNDLES) for (const entry of bundle.entries) entryOwners.set(resolve(root, entry), bundle.name);
  const needed = new Map(BUNDLES.map((bundle) => [bundle.name, new Set()]));

  for (const bundle of BUNDLES) {
    const result = await buildOne({ root, bundle, owners, entryOwners, needed, exposed: [], options, write: false });
    for (const input of Object.keys(result.metafile.inputs)) {
      const path = resolve(root, input);
      if (!path.startsWith('/') || owners.has(path) || input.startsWith('virtual:')) continue;
      owners.set(path, { bundle: bundle.name });
    }
  }
  const outputs = [];
  for (const bundle of BUNDLES) {
    const exposed = [...new Set([...bundle.entries.map((entry) => resolve(root, entry)).filter(() => !bundle.main), ...needed.get(bundle.name)])].sort();
    const result = await buildOne({ root, bundle, owners, entryOwners, needed, exposed, options, write: true, outfile: `${outdir}/${bundle.file}` });
    outputs.push({ ...bundle, path: `${outdir}/${bundle.file}`, metafile: result.metafile });
  }
  return outputs;
}

/** The key of a module in its bundle's table: its path in the repository, or in node_modules. */
export function moduleKey(root, path) {
  const inModules = path.lastIndexOf('/node_modules/');
  return inModules >= 0 ? path.slice(inModules + 1) : relative(root, path);
}

async function buildOne({ root, bundle, owners, entryOwners, needed, exposed, options, write, outfile = `/tmp/${bundle.file}` }) {
  const before = BUNDLES.slice(0, BUNDLES.indexOf(bundle)).map((other) => other.name);
  // Getters that `require` each module: esbuild then initializes a module (and what it imports)
  // when first asked for, as it did for a module behind import() in one bundle. Loading the run
  // chunk thus runs none of the test-report readers, nor requires their parsers, until a run reads a report.
  const entrySource = [
    `export const modules = { ${exposed.map((path) => `get ${JSON.stringify(moduleKey(root, path))}() { return require(${JSON.stringify(path)}); }`).join(', ')} };`,
    ...(bundle.main ? bundle.entries.map((entry) => `import ${JSON.stringify(resolve(root, entry))};`) : []),
    // The analysis pass imports a chunk's entries to learn what they reach.
    ...(!bundle.main && exposed.length === 0 ? bundle.entries.map((entry) => `import ${JSON.stringify(resolve(root, entry))};`) : []),
  ].join('\n');
  const crossBundle = {
    name: 'cross-bundle',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === 'resolving' || args.kind === 'entry-point') return undefined;
        const found = await pluginBuild.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'resolving' });
        if (found.errors.length > 0 || found.external || !found.path.startsWith('/')) return undefined;
        const entryOwner = entryOwners.get(found.path);
        if (entryOwner !== undefined && entryOwner !== bundle.name) {
          if (args.kind !== 'dynamic-import') throw new Error(`${args.importer} imports ${args.path}, the entry of the ${entryOwner} chunk, statically; chunks are entered by import() only`);
          needed.get(entryOwner).add(found.path);
          return { path: `${CHUNK_PREFIX}${entryOwner}/${moduleKey(root, found.path)}`, external: true };
        }
        const owner = owners.get(found.path);
        // Packages are copied rather than shared: shared, a module keeps every export (zod whole is
        // 400 KB); and none of their objects crosses from one bundle to another.
        if (owner === undefined || owner.bundle === bundle.name || !before.includes(owner.bundle) || found.path.includes('/node_modules/')) return undefined;
        needed.get(owner.bundle).add(found.path);
        return { path: `${CHUNK_PREFIX}${owner.bundle}/${moduleKey(root, found.path)}`, external: true };
      });
    },
  };
  return build({
    ...options,
    stdin: { contents: entrySource, resolveDir: root, sourcefile: `virtual:${bundle.name}-entry.js`, loader: 'js' },
    outfile,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    // import() of another chunk becomes a `require` the launcher answers (vm.Script has no import()).
    supported: { 'dynamic-import': false },
    plugins: [crossBundle],
    metafile: true,
    write,
  });
}
