/**
 * Forward-only migrations. The board's schema version is SQLite's `user_version`; migration N
 * takes a board from version N to N+1. Never edit a shipped migration: add a new one.
 */
export const SQLITE_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL CHECK (kind IN ('task','bug','feature','chore','idea')),
    status TEXT NOT NULL CHECK (status IN ('open','in_progress','review','done','blocked','cancelled','failed')),
    priority INTEGER NOT NULL CHECK (priority BETWEEN 0 AND 4),
    assignee TEXT,
    labels TEXT NOT NULL DEFAULT '[]',
    due TEXT,
    parent_id INTEGER REFERENCES tasks(id),
    acceptance TEXT NOT NULL DEFAULT '[]',
    verify TEXT NOT NULL DEFAULT '[]',
    resources TEXT NOT NULL DEFAULT '[]',
    links TEXT NOT NULL DEFAULT '[]',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    closed_at TEXT,
    block_reason TEXT,
    completion_message TEXT,
    lease_expires_at TEXT,
    worktree TEXT,
    branch TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    -- How many not-closed tasks wait on this one, transitively: an index kept by the store
    -- (sqlite-rank-index.ts) so the ready queue is one ordered scan.
    unblocks INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX tasks_by_status ON tasks (status, priority, created_at, id);
  CREATE INDEX tasks_by_rank ON tasks (status, priority, unblocks DESC, created_at, id);
  CREATE INDEX tasks_by_assignee ON tasks (assignee, status);
  CREATE INDEX tasks_by_lease ON tasks (status, lease_expires_at);
  CREATE INDEX tasks_by_parent ON tasks (parent_id);
  CREATE INDEX tasks_by_worktree ON tasks (worktree) WHERE worktree IS NOT NULL;

  CREATE TABLE dependencies (
    task_id INTEGER NOT NULL REFERENCES tasks(id),
    depends_on_id INTEGER NOT NULL REFERENCES tasks(id),
    type TEXT NOT NULL CHECK (type IN ('blocks','related','discovered-from','parent-child')),
    created_at TEXT NOT NULL,
    PRIMARY KEY (task_id, depends_on_id),
    CHECK (task_id <> depends_on_id)
  ) WITHOUT ROWID;
  CREATE INDEX dependencies_by_target ON dependencies (depends_on_id, task_id);

  CREATE TABLE notes (
    id INTEGER PRIMARY KEY,
    task_id INTEGER NOT NULL REFERENCES tasks(id),
    author TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX notes_by_task ON notes (task_id, id);

  CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    task_id INTEGER,
    type TEXT NOT NULL,
    payload TEXT NOT NULL DEFAULT '{}',
    recipients TEXT NOT NULL DEFAULT '[]'
  );
  CREATE INDEX events_by_task ON events (task_id, id);
  `,
  // 1 → 2: impact awareness — footprints of in-flight tasks, findings, file reservations.
  `
  CREATE INDEX tasks_with_surface ON tasks (id) WHERE (resources <> '[]' OR links <> '[]');

  CREATE TABLE footprints (
    task_id INTEGER PRIMARY KEY REFERENCES tasks(id),
    worktree TEXT NOT NULL,
    branch TEXT,
    base TEXT NOT NULL,
    merge_base TEXT,
    paths TEXT NOT NULL DEFAULT '[]',
    refreshed_at TEXT NOT NULL
  );

  CREATE TABLE findings (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('impact_conflict','impact_notice','overlap','merge_conflict_predicted')),
    severity TEXT NOT NULL CHECK (severity IN ('high','medium','low')),
    task_id INTEGER NOT NULL REFERENCES tasks(id),
    other_task_id INTEGER REFERENCES tasks(id),
    recipient TEXT,
    subject TEXT NOT NULL,
    paths TEXT NOT NULL DEFAULT '[]',
    message TEXT NOT NULL,
    key TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','acknowledged','resolved')),
    created_at TEXT NOT NULL,
    event_id INTEGER,
    acked_at TEXT,
    acked_by TEXT,
    ack_message TEXT,
    resolved_at TEXT,
    resolved_by TEXT
  );
  CREATE INDEX findings_by_task ON findings (task_id, status);
  CREATE INDEX findings_by_recipient ON findings (recipient, status);

  CREATE TABLE reservations (
    id INTEGER PRIMARY KEY,
    task_id INTEGER NOT NULL REFERENCES tasks(id),
    pattern TEXT NOT NULL,
    shared INTEGER NOT NULL DEFAULT 0 CHECK (shared IN (0, 1)),
    holder TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT,
    UNIQUE (task_id, pattern)
  );
  `,
  // 2 → 3: the runner — the board's own id (evidence and branches are tied to it) and one run
  // lock per task, taken in a transaction of its own so two `baton run` of a task never overlap.
  `
  CREATE TABLE board_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) WITHOUT ROWID;
  INSERT INTO board_meta (key, value) VALUES ('board_id', lower(hex(randomblob(16))));

  CREATE TABLE run_locks (
    task_id INTEGER PRIMARY KEY REFERENCES tasks(id),
    token TEXT NOT NULL,
    actor TEXT NOT NULL,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
  );
  `,
  // 3 → 4: an agent's own events by type (its claims, which `heartbeat` walks to find the
  // leases it lost) without reading the whole feed on a board of 100,000 tasks.
  `
  CREATE INDEX events_by_actor ON events (actor, type, id);
  `,
  // 4 → 5: a task the merge queue sends back gets a finding (merge_returned), so the agent whose
  // work came back reads why in its inbox. SQLite cannot change a CHECK in place: the table is
  // rebuilt with the same columns, in the same order, and its indexes made again.
  `
  CREATE TABLE findings_v5 (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('impact_conflict','impact_notice','overlap','merge_conflict_predicted','merge_returned')),
    severity TEXT NOT NULL CHECK (severity IN ('high','medium','low')),
    task_id INTEGER NOT NULL REFERENCES tasks(id),
    other_task_id INTEGER REFERENCES tasks(id),
    recipient TEXT,
    subject TEXT NOT NULL,
    paths TEXT NOT NULL DEFAULT '[]',
    message TEXT NOT NULL,
    key TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','acknowledged','resolved')),
    created_at TEXT NOT NULL,
    event_id INTEGER,
    acked_at TEXT,
    acked_by TEXT,
    ack_message TEXT,
    resolved_at TEXT,
    resolved_by TEXT
  );
  INSERT INTO findings_v5 SELECT * FROM findings;
  DROP TABLE findings;
  ALTER TABLE findings_v5 RENAME TO findings;
  CREATE INDEX findings_by_task ON findings (task_id, status);
  CREATE INDEX findings_by_recipient ON findings (recipient, status);
  `,
];

export const SQLITE_SCHEMA_VERSION = SQLITE_MIGRATIONS.length;
