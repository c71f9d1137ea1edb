import type { Database } from "../../src/store/database.ts";

/**
 * Runs a bulk insert of tasks with the search index's insert trigger set aside, then fills the
 * index the way schema version 6's migration does: FTS5 flushes its pending terms at every
 * statement savepoint and a trigger runs inside one per row (about 0.1 ms a row: minutes for a
 * million). Call inside the fixture's transaction.
 */
export function insertThenIndex(db: Database, insert: () => void): void {
  const trigger = db
    .query("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'message_search_insert'")
    .get() as { sql: string };
  const before = (db.query("SELECT COALESCE(MAX(rowid), 0) AS last FROM tasks").get() as { last: number })
    .last;
  db.run("DROP TRIGGER message_search_insert");
  insert();
  db.query(
    `INSERT INTO message_search (rowid, body, session, parties)
     SELECT task_rowid, body, session, parties FROM message_bodies WHERE task_rowid > ?`,
  ).run(before);
  db.run(trigger.sql);
}
