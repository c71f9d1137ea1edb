import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { describeEachBackend } from "../../test/support/backends.ts";
import { FAKE_TMUX, seedSession, tempDatabase } from "../../test/support/db.ts";
import type { CafleetError } from "../errors.ts";
import type { Database } from "../store/database.ts";
import { registerAgent } from "./agents.ts";
import { createSession, deleteSession, listSessions, showSession } from "./sessions.ts";

describeEachBackend("sessions", (backend) => {
  const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/;
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

  let db: Database;
  let cleanup: () => void;
  beforeEach(() => {
    ({ db, cleanup } = tempDatabase(backend));
  }, 60_000);
  afterEach(() => cleanup());

  describe("createSession", () => {
    it("writes the session, Director, placement and Administrator with one timestamp", () => {
      const created = createSession(db, "demo", FAKE_TMUX);
      const now = created.created_at;
      expect(now).toMatch(ISO);
      expect(created.session_id).toMatch(UUID);
      expect(Object.keys(created)).toEqual([
        "session_id",
        "label",
        "created_at",
        "administrator_agent_id",
        "director",
      ]);
      expect(created.director).toEqual({
        agent_id: created.director.agent_id,
        name: "Director",
        description: "Root Director for this session",
        registered_at: now,
        placement: {
          director_agent_id: null,
          tmux_session: "main",
          tmux_window_id: "@1",
          tmux_pane_id: "%1",
          coding_agent: "unknown",
          created_at: now,
        },
      });
      expect(
        db.query("SELECT session_id, label, created_at, deleted_at, director_agent_id FROM sessions").all(),
      ).toEqual([
        {
          session_id: created.session_id,
          label: "demo",
          created_at: now,
          deleted_at: null,
          director_agent_id: created.director.agent_id,
        },
      ]);
      const adminDescription = `Built-in administrator agent for session ${created.session_id.slice(0, 8)}`;
      expect(
        db
          .query(
            "SELECT agent_id, name, description, status, registered_at, deregistered_at, agent_card_json FROM agents ORDER BY rowid",
          )
          .all(),
      ).toEqual([
        {
          agent_id: created.director.agent_id,
          name: "Director",
          description: "Root Director for this session",
          status: "active",
          registered_at: now,
          deregistered_at: null,
          agent_card_json: '{"name":"Director","description":"Root Director for this session","skills":[]}',
        },
        {
          agent_id: created.administrator_agent_id,
          name: "Administrator",
          description: adminDescription,
          status: "active",
          registered_at: now,
          deregistered_at: null,
          agent_card_json: JSON.stringify({
            name: "Administrator",
            description: adminDescription,
            skills: [],
            cafleet: { kind: "builtin-administrator" },
          }),
        },
      ]);
      expect(db.query("SELECT agent_id FROM agent_placements").all()).toEqual([
        { agent_id: created.director.agent_id },
      ]);
    });

    it("stores an empty label as '' and a missing one as NULL", () => {
      expect(createSession(db, "", FAKE_TMUX).label).toBe("");
      expect(createSession(db, null, FAKE_TMUX).label).toBeNull();
      expect(db.query("SELECT label FROM sessions ORDER BY rowid").all()).toEqual([
        { label: "" },
        { label: null },
      ]);
    });
  });

  describe("listSessions", () => {
    it("lists live sessions oldest first with their active agent count", () => {
      const first = seedSession(db, "one");
      const second = seedSession(db);
      registerAgent(db, { sessionId: first.sessionId, name: "w", description: "d", skills: [] });
      const third = seedSession(db, "gone");
      deleteSession(db, third.sessionId);
      expect(listSessions(db)).toEqual([
        { session_id: first.sessionId, label: "one", created_at: first.created.created_at, agent_count: 3 },
        { session_id: second.sessionId, label: null, created_at: second.created.created_at, agent_count: 2 },
      ]);
    });

    it("counts 0 for a session whose agents are all gone", () => {
      db.run("INSERT INTO sessions (session_id, label, created_at) VALUES ('bare', NULL, '2026-01-01')");
      expect(listSessions(db)).toEqual([
        { session_id: "bare", label: null, created_at: "2026-01-01", agent_count: 0 },
      ]);
    });
  });

  describe("showSession and deleteSession", () => {
    it("reports an unknown session with the spec's message", () => {
      expect(() => showSession(db, "nope")).toThrow("session 'nope' not found.");
      expect(() => deleteSession(db, "nope")).toThrow("session 'nope' not found.");
      try {
        deleteSession(db, "nope");
      } catch (error) {
        expect((error as CafleetError).exitCode).toBe(1);
      }
    });

    it("soft-deletes once: 2 agents the first time, 0 after, placements dropped, tasks kept", () => {
      const { sessionId, directorId } = seedSession(db);
      expect(deleteSession(db, sessionId)).toBe(2);
      const deleted = showSession(db, sessionId);
      expect(deleted.deleted_at).toMatch(ISO);
      expect(deleted.director_agent_id).toBe(directorId);
      expect(deleteSession(db, sessionId)).toBe(0);
      expect(showSession(db, sessionId).deleted_at).toBe(deleted.deleted_at);
      expect(
        db.query("SELECT status, deregistered_at FROM agents WHERE session_id = ?").all(sessionId),
      ).toEqual([
        { status: "deregistered", deregistered_at: deleted.deleted_at },
        { status: "deregistered", deregistered_at: deleted.deleted_at },
      ]);
      expect(db.query("SELECT COUNT(*) AS n FROM agent_placements").get()).toEqual({ n: 0 });
    });
  });
});
