import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodeProcess from 'node:process';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { CONTAINMENT_TOOLS, detectContainment, probeContainment, type Containment, type NamespaceContainment } from './containment.js';
import { containmentContract, type ContainmentTraits } from './containment.contract.js';

/** Where the tools differ (see containment-bwrap.ts). */
const TRAITS: Readonly<Record<(typeof CONTAINMENT_TOOLS)[number], ContainmentTraits>> = {
  perl: { exactSignals: true, commandHandlesSigterm: true, notFoundExitCode: 127 },
  bwrap: { exactSignals: false, commandHandlesSigterm: false, notFoundExitCode: 1 },
};

const probes = await Promise.all(CONTAINMENT_TOOLS.map(async (tool) => ({ tool, containment: await probeContainment(tool) })));

// Each tool this system has runs the whole suite; one it cannot use is skipped, and says why.
for (const { tool, containment } of probes) {
  const title = containment.kind === 'none' ? `${tool} containment (skipped: ${containment.reason})` : `${tool} containment`;
  describe.skipIf(containment.kind === 'none')(title, () => containmentContract(containment as NamespaceContainment, TRAITS[tool]));
}

describe('detectContainment', () => {
  it('answers with the first tool that works, or every tool’s reason, and asks only once', async () => {
    const first = await detectContainment();
    const working = probes.find((probe) => probe.containment.kind === 'namespaces');
    if (working) expect(first).toEqual(working.containment);
    else expect(first).toMatchObject({ kind: 'none', reason: expect.stringContaining(`${CONTAINMENT_TOOLS[0]}: `) });
    expect(detectContainment()).toBe(detectContainment());
  });

  it('is none when BATON_CONTAINMENT=off says so, and says why; any other value detects as usual', async () => {
    expect(await detectContainment({ BATON_CONTAINMENT: 'off' })).toEqual({ kind: 'none', reason: 'turned off by BATON_CONTAINMENT=off' });
    expect(detectContainment({ BATON_CONTAINMENT: 'on' })).toBe(detectContainment());
  });

  it('says why not where user namespaces are disabled (a limit of 0, as a locked-down container may set)', async (context) => {
    if (probes.every((probe) => probe.containment.kind === 'none')) context.skip('no containment here to take away');
    const dir = mkdtempSync(join(tmpdir(), 'baton-containment-detect-'));
    try {
      const entry = join(dir, 'entry.ts');
      const module = fileURLToPath(new URL('./containment.ts', import.meta.url));
      writeFileSync(entry, `import { detectContainment, probeContainment } from ${JSON.stringify(module)};\nconsole.log(JSON.stringify({ perl: await probeContainment('perl'), detected: await detectContainment() }));\n`);
      await build({ entryPoints: [entry], outfile: join(dir, 'detect.mjs'), bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning' });
      // A user namespace of the test's own, in which no further user namespace may be made.
      const setup = 'echo 0 > /proc/sys/user/max_user_namespaces && exec "$@"';
      const output = execFileSync('unshare', ['-Ur', '--', 'sh', '-c', setup, 'sh', nodeProcess.execPath, join(dir, 'detect.mjs')], { encoding: 'utf8' });
      const { perl, detected } = JSON.parse(output) as { perl: Containment; detected: Containment };
      expect(perl).toMatchObject({ kind: 'none', reason: expect.stringContaining('cannot create a user namespace: No space left on device') });
      // bubblewrap, where installed, still works as root of that namespace (it needs no user namespace then).
      if (detected.kind === 'none') expect(detected.reason).toMatch(/^no containment: perl: .*; bwrap: .*\(user namespaces are disabled: \/proc\/sys\/user\/max_user_namespaces is 0\)$/);
      else expect(detected).toMatchObject({ tool: 'bwrap' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
