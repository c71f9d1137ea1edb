-- cafleet schema. Each section starts with a `-- version: N` line and is applied in one
-- transaction that ends with `PRAGMA user_version = N`. Never edit a released section: add one.

-- version: 1
-- Equivalent to the Python reference's final Alembic revision (0008).
CREATE TABLE sessions (
  session_id        TEXT NOT NULL PRIMARY KEY,
  label             TEXT,
  created_at        TEXT NOT NULL,
  deleted_at        TEXT,
  director_agent_id TEXT REFERENCES agents(agent_id) ON DELETE RESTRICT
);

CREATE TABLE agents (
  agent_id        TEXT NOT NULL PRIMARY KEY,
  session_id      TEXT NOT NULL REFERENCES sessions(session_id) ON DELETE RESTRICT,
  name            TEXT NOT NULL,
  description     TEXT NOT NULL,
  status          TEXT NOT NULL,
  registered_at   TEXT NOT NULL,
  deregistered_at TEXT,
  agent_card_json TEXT NOT NULL
);
CREATE INDEX idx_agents_session_status ON agents (session_id, status);

CREATE TABLE tasks (
  task_id          TEXT NOT NULL PRIMARY KEY,
  context_id       TEXT NOT NULL REFERENCES agents(agent_id) ON DELETE RESTRICT,
  from_agent_id    TEXT NOT NULL,
  to_agent_id      TEXT NOT NULL,
  type             TEXT NOT NULL,
  created_at       TEXT NOT NULL,
  status_state     TEXT NOT NULL,
  status_timestamp TEXT NOT NULL,
  origin_task_id   TEXT,
  task_json        TEXT NOT NULL
);
CREATE INDEX idx_tasks_context_status_ts    ON tasks (context_id, status_timestamp);
CREATE INDEX idx_tasks_from_agent_status_ts ON tasks (from_agent_id, status_timestamp);

CREATE TABLE agent_placements (
  agent_id          TEXT NOT NULL PRIMARY KEY REFERENCES agents(agent_id) ON DELETE CASCADE,
  director_agent_id TEXT REFERENCES agents(agent_id) ON DELETE RESTRICT,
  tmux_session      TEXT NOT NULL,
  tmux_window_id    TEXT NOT NULL,
  tmux_pane_id      TEXT,
  coding_agent      TEXT NOT NULL DEFAULT 'claude',
  created_at        TEXT NOT NULL
);
CREATE INDEX idx_placements_director ON agent_placements (director_agent_id);

-- version: 2
-- Delivery you can prove (per recipient task): when the push reached the pane or failed, how
-- often it was nudged, when the recipient's poll returned it; reply threads; gone panes; and the
-- lease that lets one background nudger run per recipient. New columns only.
ALTER TABLE tasks ADD COLUMN notified_at TEXT;
ALTER TABLE tasks ADD COLUMN last_nudged_at TEXT;
ALTER TABLE tasks ADD COLUMN nudge_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN notify_failed_at TEXT;
ALTER TABLE tasks ADD COLUMN notify_error TEXT;
ALTER TABLE tasks ADD COLUMN fetched_at TEXT;
-- Lets a poll learn in one lookup that its inbox holds nothing fetched for the first time.
CREATE INDEX idx_tasks_unfetched ON tasks (context_id) WHERE fetched_at IS NULL;
ALTER TABLE tasks ADD COLUMN reply_to_task_id TEXT;
CREATE INDEX idx_tasks_reply_to ON tasks (reply_to_task_id);
ALTER TABLE agent_placements ADD COLUMN pane_gone_at TEXT;
-- The lease that lets one background nudger run per recipient (a pane is what it nudges).
ALTER TABLE agent_placements ADD COLUMN nudge_holder TEXT;
ALTER TABLE agent_placements ADD COLUMN nudge_expires_at INTEGER;

-- version: 3
-- What the recipient's polls have told it, so `poll --new` prints only what it has not seen: a
-- message is new until a poll fetched it (fetched_at, version 2); a retraction of a message it
-- had fetched is new until a poll printed it as canceled. New columns only; retractions made
-- before this version count as unreported (reported once more rather than possibly never).
ALTER TABLE tasks ADD COLUMN retraction_reported_at TEXT;
-- Let `poll --new`, `--unread` and `--count` read only the rows they print or count, never the
-- history of handled messages.
CREATE INDEX idx_tasks_unreported_retractions ON tasks (context_id)
  WHERE status_state = 'canceled' AND fetched_at IS NOT NULL AND retraction_reported_at IS NULL;
CREATE INDEX idx_tasks_unread ON tasks (context_id) WHERE status_state = 'input_required';

-- version: 4
-- The pane boundary. A placement remembers its pane's tmux server (`#{socket_path}`), so every
-- process pushes to the right server, and which REPL runs there (a root Director's is read from
-- its process ancestry at session create; a member's is its coding agent). A push that waits for
-- a pane to come back to its idle prompt says why on each task it holds, and the Director is told
-- once when a member's hold lasts too long. New columns only.
ALTER TABLE agent_placements ADD COLUMN tmux_socket TEXT;
ALTER TABLE agent_placements ADD COLUMN repl TEXT;
ALTER TABLE agent_placements ADD COLUMN hold_reported_at TEXT;
ALTER TABLE tasks ADD COLUMN held_at TEXT;
ALTER TABLE tasks ADD COLUMN held_reason TEXT;
-- One background nudger per session (it replaces the per-recipient lease on placements).
ALTER TABLE sessions ADD COLUMN nudge_holder TEXT;
ALTER TABLE sessions ADD COLUMN nudge_expires_at INTEGER;

-- version: 5
-- Supervision for any Director. A placement remembers the model its REPL was started with, the
-- member's alert thresholds (NULL: the defaults), what the session's watcher last saw on its
-- screen (the state, since when, and a digest to tell an unchanged screen), and the one finding
-- it reported to the Director, so a finding is never reported twice. New columns only.
ALTER TABLE agent_placements ADD COLUMN model TEXT;
ALTER TABLE agent_placements ADD COLUMN waiting_alert_seconds INTEGER;
ALTER TABLE agent_placements ADD COLUMN stalled_alert_seconds INTEGER;
ALTER TABLE agent_placements ADD COLUMN screen_state TEXT;
ALTER TABLE agent_placements ADD COLUMN screen_state_since TEXT;
ALTER TABLE agent_placements ADD COLUMN screen_digest TEXT;
ALTER TABLE agent_placements ADD COLUMN screen_changed_at TEXT;
ALTER TABLE agent_placements ADD COLUMN finding TEXT;
ALTER TABLE agent_placements ADD COLUMN finding_reported_at TEXT;

-- version: 6
-- Full-text search over messages. A message's body is its first non-empty text part (webui.md
-- §3; none when task_json is not JSON), read from task_json by the one view below: the FTS5 index
-- takes its content from that view (external content), so no body is stored twice, and the
-- triggers index and unindex rows through it.
-- Broadcast summaries are never indexed (their text is "Broadcast sent to N recipients"); each
-- delivery of a broadcast is, so a search filtered to one recipient finds that recipient's copy,
-- and the search shows one hit per broadcast. unicode61 without extra token characters splits
-- `send_message` and `src/db.ts` into words: a query term is searched as a phrase, so
-- `send_message` still finds only the adjacent words and `message` finds it too. The last term
-- is also tried as a prefix (search as one types): FTS5 gathers a prefix's words into one list before it can
-- read the newest, which for a common two- to four-letter start is most of the history (measured:
-- 30 ms for `th` on 100,000 messages); an index of those prefixes reads as one word (0.1 ms) and
-- triples the index's size (about 90 bytes a message without it). No column sizes: they serve
-- only bm25 ranking, and hits are ordered by time. Two more columns hold one word for the
-- sender's session and one for each of sender and recipient (`s`/`a` and the id's hex): a search
-- asks for its session's word beside the user's, so FTS5 skips other sessions' matches inside the
-- index (a common word searched in a small session would otherwise read every match in the
-- history: 90 s for `the` in a session without messages beside a million others). An agent's
-- session never changes and agents are never deleted, so the words stay as they were indexed.
CREATE VIEW message_bodies AS
  SELECT rowid AS task_rowid,
    CASE WHEN NOT json_valid(task_json) THEN NULL
      WHEN json_type(task_json, '$.artifacts[0].parts[0].text') = 'text'
        AND task_json ->> '$.artifacts[0].parts[0].text' <> ''
      THEN task_json ->> '$.artifacts[0].parts[0].text'
      ELSE (SELECT part.value ->> '$.text'
        FROM json_each(task_json, '$.artifacts') AS artifact,
          json_each(CASE WHEN artifact.type = 'object' THEN artifact.value ELSE '{}' END, '$.parts') AS part
        WHERE part.type = 'object' AND json_type(part.value, '$.text') = 'text' AND part.value ->> '$.text' <> ''
        ORDER BY artifact.key, part.key LIMIT 1)
    END AS body,
    's' || hex((SELECT session_id FROM agents WHERE agent_id = tasks.from_agent_id)) AS session,
    'a' || hex(from_agent_id) || ' a' || hex(to_agent_id) AS parties
  FROM tasks WHERE type <> 'broadcast_summary';
CREATE VIRTUAL TABLE message_search USING fts5(
  body, session, parties, content = 'message_bodies', content_rowid = 'task_rowid', tokenize = 'unicode61 remove_diacritics 2',
  prefix = '2 3 4', columnsize = 0
);
CREATE TRIGGER message_search_insert AFTER INSERT ON tasks WHEN new.type <> 'broadcast_summary' BEGIN
  INSERT INTO message_search (rowid, body, session, parties)
    SELECT task_rowid, body, session, parties FROM message_bodies WHERE task_rowid = new.rowid;
END;
-- External content: FTS5 unindexes a row by being told the exact text it indexed, so the row is
-- read through the view before it goes.
CREATE TRIGGER message_search_delete BEFORE DELETE ON tasks WHEN old.type <> 'broadcast_summary' BEGIN
  INSERT INTO message_search (message_search, rowid, body, session, parties)
    SELECT 'delete', task_rowid, body, session, parties FROM message_bodies WHERE task_rowid = old.rowid;
END;
-- The index relies on a message's text never changing once stored (cafleet never changes it;
-- an ack or a retraction rewrites task_json with the same artifacts): a write that would change
-- it is refused rather than leaving the index describing text that is no longer there.
CREATE TRIGGER message_text_unchanged BEFORE UPDATE OF task_json, type ON tasks
  WHEN old.type IS NOT new.type
    OR CASE WHEN json_valid(old.task_json) AND json_valid(new.task_json)
      THEN old.task_json -> '$.artifacts' IS NOT new.task_json -> '$.artifacts'
      ELSE old.task_json IS NOT new.task_json END
BEGIN
  SELECT RAISE(ABORT, 'a message''s text and type never change once stored');
END;
-- The messages written before this version. (FTS5's 'rebuild' cannot read a view that calls
-- json_each, so the rows are inserted as the trigger inserts them.)
INSERT INTO message_search (rowid, body, session, parties)
  SELECT task_rowid, body, session, parties FROM message_bodies;

-- version: 7
-- Beyond one machine (a PostgreSQL store shared by several hosts). A placement remembers the
-- host its pane lives on, and a delivery the host of the process that wrote it: a process types
-- only into panes of its own host, and each host's relay pushes what another host wrote to its
-- panes. One relay per host holds the lease below. NULL hosts are this machine's, as before.
ALTER TABLE agent_placements ADD COLUMN host TEXT;
ALTER TABLE tasks ADD COLUMN sent_from_host TEXT;
CREATE TABLE relays (
  host       TEXT NOT NULL PRIMARY KEY,
  holder     TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
