import { join, resolve } from 'node:path';
import { getBuiltinModule } from 'node:process';
import type { BoardDeps } from '../app/deps.js';
import type { Clock } from '../app/ports.js';
import type { ImpactDeps } from '../app/refresh-footprints.js';
import { GitCli } from '../adapters/git/git-cli.js';
import { BoardClock } from '../adapters/db/board-clock.js';
import { SqliteBoardStore } from '../adapters/db/sqlite-store.js';
import { bareRepositoryAround, currentBranch, locateRepository, type RepositoryLocation } from '../adapters/git/repository.js';
import { gitUserName } from '../adapters/git/user-name.js';
import { BatonError, InvalidInputError } from '../core/errors.js';
import { quoted } from '../core/quoted.js';
import { controlCharacterIn, validateAgentName } from '../core/task.js';

export interface CliEnvironment {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdoutIsTty: boolean;
  /**
   * Writes to a terminal on stdout as is, no newline added, nothing escaped: for a view that
   * redraws in place (the supervisor's), which escapes every text it shows itself. Absent when
   * stdout is not a terminal.
   */
  liveStdout?: (raw: string) => void;
}

export interface GlobalOptions {
  json: boolean;
  db?: string;
  as?: string;
  noColor: boolean;
}

const PROCESS_CLOCK: Clock = { now: () => new Date() };

/** The OS user, the actor of last resort; `node:os` is loaded only then, not on every start. */
function osUserName(): string {
  return getBuiltinModule('node:os').userInfo().username;
}

/**
 * The agent named by --as or BATON_AGENT. Empty is refused: `--as "$NAME"` with NAME unset would
 * otherwise act, without a word, as whoever the fallbacks find (the git user).
 */
export function explicitActor(value: string, field: '--as' | 'BATON_AGENT'): string {
  if (value === '') {
    const fix = field === '--as' ? 'name the agent (--as agent-2), or leave --as out' : 'set it to a name (BATON_AGENT=agent-2), or unset it';
    throw new InvalidInputError(field, `is empty; ${fix} to act as the task bound to this worktree, else the git user`);
  }
  return validateAgentName(value, field);
}

/**
 * The git or OS user as the actor. Commas stay allowed (`Doe, Jane`), but a control character
 * would be stored in every event and task the agent writes, and then refused by `import`.
 */
function fallbackActor(name: string, source: string): string {
  const control = controlCharacterIn(name, false);
  if (control !== null) throw new InvalidInputError(source, `${quoted(name)} holds a control character (${control}); fix it, or name the agent with BATON_AGENT or --as`);
  return name;
}

/** The board file named by --db or BATON_DB; empty is refused rather than taken for the default board. */
export function explicitBoard(value: string, field: '--db' | 'BATON_DB'): string {
  if (value === '') {
    const fix = field === '--db' ? 'name the board file (--db path/to/baton.db), or leave --db out' : 'set it to a board file, or unset it';
    throw new InvalidInputError(field, `is empty; ${fix} to use the repository's own board`);
  }
  return value;
}

/** Everything a command may need, resolved lazily so a command pays only for what it uses. */
export class CommandContext {
  private repository: RepositoryLocation | null | undefined;
  private store: SqliteBoardStore | undefined;
  private actorName: string | undefined;
  private boardClock: Clock | undefined;
  /** The board's clock (see BoardClock); the process's own where no board can be named. */
  readonly clock: Clock = { now: () => this.resolveClock().now() };

  constructor(
    readonly io: CliEnvironment,
    readonly global: GlobalOptions,
    /** How the command uses the board: a reading command never creates or migrates it. */
    readonly boardAccess: 'read' | 'write' = 'write',
  ) {}

  get json(): boolean {
    return this.global.json;
  }

  get color(): boolean {
    return this.io.stdoutIsTty && !this.global.noColor && this.io.env.NO_COLOR === undefined && !this.json;
  }

  repo(): RepositoryLocation | null {
    if (this.repository === undefined) this.repository = locateRepository(this.io.cwd);
    return this.repository;
  }

  /** `--db`, then `BATON_DB`, then `<git common dir>/baton/baton.db`. */
  boardPath(): string {
    if (this.global.db !== undefined) return resolve(this.io.cwd, explicitBoard(this.global.db, '--db'));
    const fromEnv = this.io.env.BATON_DB;
    if (fromEnv !== undefined) return resolve(this.io.cwd, explicitBoard(fromEnv, 'BATON_DB'));
    const repo = this.repo();
    if (!repo) throw this.notInRepository('run baton inside one', ', or name a board with --db PATH or BATON_DB');
    return join(repo.commonDir, 'baton', 'baton.db');
  }

  private resolveClock(): Clock {
    if (this.boardClock) return this.boardClock;
    // Measuring writes a file beside the board: only beside one baton has opened as its own, never
    // beside a path it refused (a folder, another program's database) or has not created yet.
    if (!this.store) return PROCESS_CLOCK;
    try {
      this.boardClock = new BoardClock(this.boardPath());
    } catch {
      this.boardClock = PROCESS_CLOCK;
    }
    return this.boardClock;
  }

  openStore(create = false): SqliteBoardStore {
    if (!this.store) this.store = SqliteBoardStore.open(this.boardPath(), { create, readOnly: !create && this.boardAccess === 'read' });
    return this.store;
  }

  /** Who is acting: --as, BATON_AGENT, the task bound to this worktree, git user, OS user. */
  async actor(): Promise<string> {
    if (this.actorName !== undefined) return this.actorName;
    if (this.global.as !== undefined) return (this.actorName = explicitActor(this.global.as, '--as'));
    const fromEnv = this.io.env.BATON_AGENT;
    if (fromEnv !== undefined) return (this.actorName = explicitActor(fromEnv, 'BATON_AGENT'));
    const repo = this.repo();
    if (repo?.linked) {
      const bound = await this.openStore().read((tx) => tx.taskBoundTo(repo.topLevel));
      if (bound?.assignee) return (this.actorName = bound.assignee);
    }
    const gitName = await gitUserName(this.io.cwd, this.io.env);
    this.actorName = gitName !== null ? fallbackActor(gitName, 'git config user.name') : fallbackActor(osUserName(), 'the OS user name');
    return this.actorName;
  }

  async deps(): Promise<BoardDeps> {
    return { store: this.openStore(), clock: this.clock, actor: await this.actor() };
  }

  /** The repository this command runs in; impact commands need one even when --db is given. */
  requireRepo(): RepositoryLocation {
    const repo = this.repo();
    if (!repo) throw this.notInRepository('run this command in the repository (or one of its worktrees)', '');
    return repo;
  }

  /** A bare repository is named as one: it is a repository, just not a place to work in. */
  private notInRepository(fix: string, orBoard: string): BatonError {
    const bare = bareRepositoryAround(this.io.cwd);
    if (bare === null) return new BatonError('NOT_IN_REPOSITORY', `${this.io.cwd} is not inside a git repository; ${fix}${orBoard}`);
    return new BatonError(
      'NOT_IN_REPOSITORY',
      `${bare} is a bare repository (it has no work tree, and a board lives with one); clone it (git clone ${bare} DIR) ` +
        `and run baton in the clone, or in a worktree of it (git -C ${bare} worktree add DIR)${orBoard}`,
      { bare },
    );
  }

  async impactDeps(): Promise<ImpactDeps> {
    return { ...(await this.deps()), git: new GitCli({ env: this.io.env }), repoDir: this.requireRepo().topLevel };
  }

  /** The linked worktree and branch a claim made from here binds its task to. */
  worktreeBinding(): { worktree: string | null; branch: string | null } {
    const repo = this.repo();
    if (!repo?.linked) return { worktree: null, branch: null };
    return { worktree: repo.topLevel, branch: currentBranch(repo) };
  }

  async close(): Promise<void> {
    await this.store?.close();
  }
}
