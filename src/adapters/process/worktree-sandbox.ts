import type { CommandWrap, Sandbox } from '../../app/run-ports.js';
import { realpathSync } from 'node:fs';
import { locateRepository } from '../git/repository.js';
import { containedCommand, detectContainment, type Containment } from './containment.js';
import type { Environment } from './spawn-group.js';
import { worktreeContainmentPolicy } from './containment-policy.js';

/**
 * The runner's `Sandbox` over the containment adapter: with namespaces, every command an
 * attempt starts (the agent, the checks, setup) runs in a PID namespace of its own — nothing
 * it starts outlives it — and can write only to its worktree, the git objects and refs a commit
 * there needs, and its own home and temporary folders; the main checkout, the other worktrees,
 * the board, hooks and git config are read-only. Without namespaces it says why, and the
 * runner falls back to detecting writes instead.
 */
export class WorktreeSandbox implements Sandbox {
  private constructor(
    private readonly containment: Containment,
    private readonly worktreeRoot: string,
    private readonly ownDirs: readonly string[],
  ) {}

  /**
   * Probes what the system allows (once per process; ~30 ms), unless `env` turns containment
   * off (`BATON_CONTAINMENT=off`). The agent's home and temporary folders (`HOME`, `TMPDIR`)
   * stay writable even where they lie inside the checkout.
   */
  static async detect(worktreeRoot: string, env: Environment): Promise<WorktreeSandbox> {
    const ownDirs = [env.HOME, env.TMPDIR].flatMap((dir) => (dir ? (canonical(dir) ?? []) : []));
    return new WorktreeSandbox(await detectContainment(env), canonical(worktreeRoot) ?? worktreeRoot, ownDirs);
  }

  get active(): boolean {
    return this.containment.kind === 'namespaces';
  }

  get description(): string {
    const { containment } = this;
    if (containment.kind === 'none') return `none (${containment.reason}); writes outside the worktree are detected after each attempt instead`;
    return `namespaces (${containment.tool}): own PID namespace, main checkout, other worktrees, board, hooks and git config read-only`;
  }

  /** Claude Code skips its permission prompts as root only inside a sandbox it is told of. */
  get environment(): Record<string, string> {
    return this.containment.kind === 'namespaces' && this.containment.root ? { IS_SANDBOX: '1' } : {};
  }

  wrapFor(mainCheckout: string, worktree: string): CommandWrap | null {
    const { containment } = this;
    if (containment.kind !== 'namespaces') return null;
    const location = locateRepository(worktree);
    if (location === null) return null;
    // Bind mounts need paths with their symbolic links resolved.
    const real = (path: string): string => canonical(path) ?? path;
    const layout = { mainCheckout: real(mainCheckout), gitCommonDir: real(location.commonDir), worktree: real(location.topLevel), worktreeGitDir: real(location.gitDir), worktreeRoot: this.worktreeRoot };
    const policy = worktreeContainmentPolicy(layout);
    const withOwn = { readOnly: policy.readOnly, writable: [...policy.writable, ...this.ownDirs] };
    return (command) => containedCommand(command, containment, withOwn);
  }
}

/** The path with symbolic links resolved; null when it does not exist. */
function canonical(path: string): string | null {
  try {
    return realpathSync.native(path);
  } catch {
    return null;
  }
}
