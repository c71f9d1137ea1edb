-- cafleet's schema on PostgreSQL: the tables and columns of migrations.sql, version for version.
-- Each section starts with a `-- version: N` line and is applied in one transaction that sets
-- cafleet_schema.version to N. Never edit a released section: add one, beside migrations.sql's.
-- Differences, each for one reason: every table has a `rowid` (SQLite's implicit one, which the
-- broker orders by); text compares byte by byte (COLLATE "C", as SQLite's BINARY); SQLite's
-- JSON functions and its two-argument max() are defined under their names, so the broker's
-- statements read the same on both; and every committed change notifies CHANGES_CHANNEL, which
-- `poll --wait` and the web timeline's live stream wait on.

-- version: 1
CREATE TABLE cafleet_schema (version INTEGER NOT NULL);
INSERT INTO cafleet_schema (version) VALUES (0);

CREATE TABLE sessions (
  rowid             BIGSERIAL NOT NULL UNIQUE,
  session_id        TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  label             TEXT COLLATE "C",
  created_at        TEXT COLLATE "C" NOT NULL,
  deleted_at        TEXT COLLATE "C",
  director_agent_id TEXT COLLATE "C"
);

CREATE TABLE agents (
  rowid           BIGSERIAL NOT NULL UNIQUE,
  agent_id        TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  session_id      TEXT COLLATE "C" NOT NULL REFERENCES sessions(session_id) ON DELETE RESTRICT,
  name            TEXT COLLATE "C" NOT NULL,
  description     TEXT COLLATE "C" NOT NULL,
  status          TEXT COLLATE "C" NOT NULL,
  registered_at   TEXT COLLATE "C" NOT NULL,
  deregistered_at TEXT COLLATE "C",
  agent_card_json TEXT COLLATE "C" NOT NULL
);
CREATE INDEX idx_agents_session_status ON agents (session_id, status);
ALTER TABLE sessions ADD FOREIGN KEY (director_agent_id) REFERENCES agents(agent_id) ON DELETE RESTRICT;

CREATE TABLE tasks (
  rowid            BIGSERIAL NOT NULL UNIQUE,
  task_id          TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  context_id       TEXT COLLATE "C" NOT NULL REFERENCES agents(agent_id) ON DELETE RESTRICT,
  from_agent_id    TEXT COLLATE "C" NOT NULL,
  to_agent_id      TEXT COLLATE "C" NOT NULL,
  type             TEXT COLLATE "C" NOT NULL,
  created_at       TEXT COLLATE "C" NOT NULL,
  status_state     TEXT COLLATE "C" NOT NULL,
  status_timestamp TEXT COLLATE "C" NOT NULL,
  origin_task_id   TEXT COLLATE "C",
  task_json        TEXT COLLATE "C" NOT NULL
);
CREATE INDEX idx_tasks_context_status_ts    ON tasks (context_id, status_timestamp);
CREATE INDEX idx_tasks_from_agent_status_ts ON tasks (from_agent_id, status_timestamp);

CREATE TABLE agent_placements (
  rowid             BIGSERIAL NOT NULL UNIQUE,
  agent_id          TEXT COLLATE "C" NOT NULL PRIMARY KEY REFERENCES agents(agent_id) ON DELETE CASCADE,
  director_agent_id TEXT COLLATE "C" REFERENCES agents(agent_id) ON DELETE RESTRICT,
  tmux_session      TEXT COLLATE "C" NOT NULL,
  tmux_window_id    TEXT COLLATE "C" NOT NULL,
  tmux_pane_id      TEXT COLLATE "C",
  coding_agent      TEXT COLLATE "C" NOT NULL DEFAULT 'claude',
  created_at        TEXT COLLATE "C" NOT NULL
);
CREATE INDEX idx_placements_director ON agent_placements (director_agent_id);

-- SQLite's JSON functions, for the broker's statements: NULL or false where SQLite's would be.
CREATE FUNCTION json_valid(value TEXT) RETURNS BOOLEAN LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  PERFORM value::jsonb;
  RETURN TRUE;
EXCEPTION WHEN others THEN
  RETURN FALSE;
END $$;

-- A SQLite JSON path ('$.a[0].b') as a jsonb path array ({a,0,b}).
CREATE FUNCTION cafleet_json_path(path TEXT) RETURNS TEXT[] LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN path = '$' THEN ARRAY[]::TEXT[]
    ELSE string_to_array(ltrim(regexp_replace(substr(path, 2), '\[(\d+)\]', '.\1', 'g'), '.'), '.') END
$$;

-- Strings only (SQLite's returns any JSON value): the broker reads text with it, and falls back
-- to parsing task_json itself when the value is not a string. Malformed JSON is an error, as in
-- SQLite; a plain SQL function, so the planner inlines it and folds the constant path once.
CREATE FUNCTION json_extract(value TEXT, path TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN jsonb_typeof(value::jsonb #> cafleet_json_path(path)) = 'string'
    THEN value::jsonb #> cafleet_json_path(path) #>> '{}' END
$$;

CREATE FUNCTION json_type(value TEXT, path TEXT DEFAULT '$') RETURNS TEXT LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  found JSONB;
BEGIN
  found := value::jsonb #> cafleet_json_path(path);
  IF found IS NULL THEN RETURN NULL; END IF;
  RETURN CASE jsonb_typeof(found)
    WHEN 'string' THEN 'text'
    WHEN 'number' THEN CASE WHEN found::text ~ '^-?\d+$' THEN 'integer' ELSE 'real' END
    WHEN 'boolean' THEN found::text
    ELSE jsonb_typeof(found) END;
EXCEPTION WHEN others THEN
  RETURN NULL;
END $$;

-- SQLite's scalar max(a, b): PostgreSQL's max is an aggregate of one argument only.
CREATE FUNCTION max(a TEXT, b TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$ SELECT GREATEST(a, b) $$;

-- Every committed change wakes the processes that wait on the database (a notification is sent
-- at commit, once per transaction).
CREATE FUNCTION cafleet_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('cafleet_changes', '');
  RETURN NULL;
END $$;
CREATE TRIGGER sessions_changed AFTER INSERT OR UPDATE OR DELETE ON sessions
  FOR EACH STATEMENT EXECUTE FUNCTION cafleet_notify_change();
CREATE TRIGGER agents_changed AFTER INSERT OR UPDATE OR DELETE ON agents
  FOR EACH STATEMENT EXECUTE FUNCTION cafleet_notify_change();
CREATE TRIGGER tasks_changed AFTER INSERT OR UPDATE OR DELETE ON tasks
  FOR EACH STATEMENT EXECUTE FUNCTION cafleet_notify_change();
CREATE TRIGGER agent_placements_changed AFTER INSERT OR UPDATE OR DELETE ON agent_placements
  FOR EACH STATEMENT EXECUTE FUNCTION cafleet_notify_change();

-- version: 2
ALTER TABLE tasks ADD COLUMN notified_at TEXT COLLATE "C";
ALTER TABLE tasks ADD COLUMN last_nudged_at TEXT COLLATE "C";
ALTER TABLE tasks ADD COLUMN nudge_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN notify_failed_at TEXT COLLATE "C";
ALTER TABLE tasks ADD COLUMN notify_error TEXT COLLATE "C";
ALTER TABLE tasks ADD COLUMN fetched_at TEXT COLLATE "C";
CREATE INDEX idx_tasks_unfetched ON tasks (context_id) WHERE fetched_at IS NULL;
ALTER TABLE tasks ADD COLUMN reply_to_task_id TEXT COLLATE "C";
CREATE INDEX idx_tasks_reply_to ON tasks (reply_to_task_id);
ALTER TABLE agent_placements ADD COLUMN pane_gone_at TEXT COLLATE "C";
ALTER TABLE agent_placements ADD COLUMN nudge_holder TEXT COLLATE "C";
ALTER TABLE agent_placements ADD COLUMN nudge_expires_at BIGINT;

-- version: 3
ALTER TABLE tasks ADD COLUMN retraction_reported_at TEXT COLLATE "C";
CREATE INDEX idx_tasks_unreported_retractions ON tasks (context_id)
  WHERE status_state = 'canceled' AND fetched_at IS NOT NULL AND retraction_reported_at IS NULL;
CREATE INDEX idx_tasks_unread ON tasks (context_id) WHERE status_state = 'input_required';

-- version: 4
ALTER TABLE agent_placements ADD COLUMN tmux_socket TEXT COLLATE "C";
ALTER TABLE agent_placements ADD COLUMN repl TEXT COLLATE "C";
ALTER TABLE agent_placements ADD COLUMN hold_reported_at TEXT COLLATE "C";
ALTER TABLE tasks ADD COLUMN held_at TEXT COLLATE "C";
ALTER TABLE tasks ADD COLUMN held_reason TEXT COLLATE "C";
ALTER TABLE sessions ADD COLUMN nudge_holder TEXT COLLATE "C";
ALTER TABLE sessions ADD COLUMN nudge_expires_at BIGINT;

-- version: 5
ALTER TABLE agent_placements ADD COLUMN model TEXT COLLATE "C";
ALTER TABLE agent_placements ADD COLUMN waiting_alert_seconds INTEGER;
ALTER TABLE agent_placements ADD COLUMN stalled_alert_seconds INTEGER;
ALTER TABLE agent_placements ADD COLUMN screen_state TEXT COLLATE "C";
ALTER TABLE agent_placements ADD COLUMN screen_state_since TEXT COLLATE "C";
ALTER TABLE agent_placements ADD COLUMN screen_digest TEXT COLLATE "C";
ALTER TABLE agent_placements ADD COLUMN screen_changed_at TEXT COLLATE "C";
ALTER TABLE agent_placements ADD COLUMN finding TEXT COLLATE "C";
ALTER TABLE agent_placements ADD COLUMN finding_reported_at TEXT COLLATE "C";

-- version: 6
-- Search over messages reads each body through this view (migrations.sql version 6 says which
-- text is a message's body); the broker's PostgreSQL search (src/broker/search-postgres.ts)
-- matches it with regular expressions, newest rowid first.
CREATE FUNCTION cafleet_message_body(task_json TEXT) RETURNS TEXT LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  doc JSONB;
  found TEXT;
BEGIN
  BEGIN
    doc := task_json::jsonb;
  EXCEPTION WHEN others THEN
    RETURN NULL;
  END;
  IF jsonb_typeof(doc #> '{artifacts,0,parts,0,text}') = 'string' AND doc #>> '{artifacts,0,parts,0,text}' <> '' THEN
    RETURN doc #>> '{artifacts,0,parts,0,text}';
  END IF;
  IF jsonb_typeof(doc -> 'artifacts') <> 'array' THEN RETURN NULL; END IF;
  SELECT part.value ->> 'text' INTO found
    FROM jsonb_array_elements(doc -> 'artifacts') WITH ORDINALITY AS artifact(value, key),
      jsonb_array_elements(CASE WHEN jsonb_typeof(artifact.value -> 'parts') = 'array'
        THEN artifact.value -> 'parts' ELSE '[]'::jsonb END) WITH ORDINALITY AS part(value, key)
    WHERE jsonb_typeof(part.value -> 'text') = 'string' AND part.value ->> 'text' <> ''
    ORDER BY artifact.key, part.key LIMIT 1;
  RETURN found;
END $$;
CREATE VIEW message_bodies AS
  SELECT rowid AS task_rowid, cafleet_message_body(task_json) AS body
  FROM tasks WHERE type <> 'broadcast_summary';

-- version: 7
ALTER TABLE agent_placements ADD COLUMN host TEXT COLLATE "C";
ALTER TABLE tasks ADD COLUMN sent_from_host TEXT COLLATE "C";
CREATE TABLE relays (
  rowid      BIGSERIAL NOT NULL UNIQUE,
  host       TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  holder     TEXT COLLATE "C" NOT NULL,
  expires_at BIGINT NOT NULL
);
-- No change notification for relays: a lease renewal is nothing anyone waits on (and the relay
-- would wake itself with each one).
