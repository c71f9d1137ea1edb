import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { describeEachBackend } from "../../test/support/backends.ts";
import { seedSession, tempDatabase } from "../../test/support/db.ts";
import type { CafleetError } from "../errors.ts";
import type { Database } from "../store/database.ts";
import {
  deregisterAgent,
  getActiveAgent,
  listActiveAgents,
  listMembers,
  registerAgent,
  requireAgentInSession,
} from "./agents.ts";
import { deleteSession } from "./sessions.ts";

describeEachBackend("agents", (backend) => {
  let db: Database;
  let cleanup: () => void;
  beforeEach(() => {
    ({ db, cleanup } = tempDatabase(backend));
  }, 60_000);
  afterEach(() => cleanup());

  function thrown(fn: () => unknown): CafleetError {
    try {
      fn();
    } catch (error) {
      return error as CafleetError;
    }
    throw new Error("expected a throw");
  }

  const pendingPlacement = (directorId: string) => ({
    director_agent_id: directorId,
    tmux_session: "main",
    tmux_window_id: "@1",
    tmux_pane_id: null,
    coding_agent: "claude",
  });

  describe("registerAgent", () => {
    it("stores the card with the skills given and returns id, name, time", () => {
      const { sessionId } = seedSession(db);
      const skills = [{ id: "react", name: "React Dev", description: "React/TS", tags: ["frontend"] }];
      const agent = registerAgent(db, { sessionId, name: "Claude-B", description: "Reviewer", skills });
      expect(Object.keys(agent)).toEqual(["agent_id", "name", "registered_at"]);
      expect(
        db
          .query(
            "SELECT session_id, name, description, status, registered_at, agent_card_json FROM agents WHERE agent_id = ?",
          )
          .get(agent.agent_id),
      ).toEqual({
        session_id: sessionId,
        name: "Claude-B",
        description: "Reviewer",
        status: "active",
        registered_at: agent.registered_at,
        agent_card_json: JSON.stringify({ name: "Claude-B", description: "Reviewer", skills }),
      });
    });

    it("refuses a missing session (exit 2) and a deleted one (exit 2), writing nothing", () => {
      const missing = thrown(() =>
        registerAgent(db, { sessionId: "nope", name: "a", description: "b", skills: [] }),
      );
      expect([missing.message, missing.exitCode]).toEqual(["Session 'nope' not found.", 2]);
      const { sessionId } = seedSession(db);
      deleteSession(db, sessionId);
      const deleted = thrown(() => registerAgent(db, { sessionId, name: "a", description: "b", skills: [] }));
      expect([deleted.message, deleted.exitCode]).toEqual([`session ${sessionId} is deleted`, 2]);
      expect(db.query("SELECT COUNT(*) AS n FROM agents").get()).toEqual({ n: 2 });
    });

    it("lets anyone be named Administrator without becoming one", () => {
      const { sessionId, directorId } = seedSession(db);
      const fake = registerAgent(db, { sessionId, name: "Administrator", description: "x", skills: [] });
      expect(getActiveAgent(db, sessionId, fake.agent_id).kind).toBe("user");
      expect(getActiveAgent(db, sessionId, directorId).kind).toBe("user");
    });

    it("checks a member's Director in the same transaction", () => {
      const { sessionId, directorId, administratorId } = seedSession(db);
      const other = seedSession(db);
      const member = registerAgent(db, {
        sessionId,
        name: "m",
        description: "d",
        skills: [],
        placement: pendingPlacement(directorId),
      });
      expect(listMembers(db, sessionId, directorId)).toEqual([
        {
          agent_id: member.agent_id,
          name: "m",
          description: "d",
          status: "active",
          registered_at: member.registered_at,
          placement: { ...pendingPlacement(directorId), created_at: member.registered_at },
        },
      ]);
      expect(() =>
        registerAgent(db, {
          sessionId,
          name: "m",
          description: "d",
          skills: [],
          placement: pendingPlacement(other.directorId),
        }),
      ).toThrow(`Director agent '${other.directorId}' not found or not active in session '${sessionId}'.`);
      expect(() =>
        registerAgent(db, {
          sessionId,
          name: "m",
          description: "d",
          skills: [],
          placement: pendingPlacement(administratorId),
        }),
      ).toThrow("Administrator cannot be a director");
      expect(db.query("SELECT COUNT(*) AS n FROM agents WHERE session_id = ?").get(sessionId)).toEqual({
        n: 3,
      });
    });
  });

  describe("agent reads", () => {
    it("lists active agents in insertion order: Director, Administrator, then registrations", () => {
      const { sessionId, directorId, administratorId } = seedSession(db);
      const worker = registerAgent(db, { sessionId, name: "w", description: "d", skills: [] });
      const gone = registerAgent(db, { sessionId, name: "g", description: "d", skills: [] });
      deregisterAgent(db, gone.agent_id);
      expect(listActiveAgents(db, sessionId).map((agent) => agent.agent_id)).toEqual([
        directorId,
        administratorId,
        worker.agent_id,
      ]);
      expect(Object.keys(listActiveAgents(db, sessionId)[0]!)).toEqual([
        "agent_id",
        "name",
        "description",
        "status",
        "registered_at",
      ]);
    });

    it("shows one active agent of the session with kind and placement, else 'Agent <id> not found'", () => {
      const { sessionId, directorId, administratorId } = seedSession(db);
      const other = seedSession(db);
      const director = getActiveAgent(db, sessionId, directorId);
      expect(Object.keys(director)).toEqual([
        "agent_id",
        "name",
        "description",
        "status",
        "registered_at",
        "kind",
        "placement",
      ]);
      expect(director.placement?.coding_agent).toBe("unknown");
      expect(getActiveAgent(db, sessionId, administratorId)).toMatchObject({
        kind: "builtin-administrator",
        placement: null,
      });
      expect(() => getActiveAgent(db, sessionId, other.directorId)).toThrow(
        `Agent ${other.directorId} not found`,
      );
      const gone = registerAgent(db, { sessionId, name: "g", description: "d", skills: [] });
      deregisterAgent(db, gone.agent_id);
      expect(() => getActiveAgent(db, sessionId, gone.agent_id)).toThrow(`Agent ${gone.agent_id} not found`);
    });

    it("counts a malformed or non-object card as a user agent", () => {
      const { sessionId } = seedSession(db);
      for (const [id, card] of [
        ["bad", "{not json"],
        ["arr", "[1]"],
        ["str", '"builtin-administrator"'],
      ])
        db.run(
          "INSERT INTO agents (agent_id, session_id, name, description, status, registered_at, agent_card_json) VALUES (?, ?, 'n', 'd', 'active', 't', ?)",
          [id!, sessionId, card!],
        );
      for (const id of ["bad", "arr", "str"]) expect(getActiveAgent(db, sessionId, id).kind).toBe("user");
    });

    it("requireAgentInSession accepts deregistered agents and refuses other sessions' ones", () => {
      const { sessionId } = seedSession(db);
      const other = seedSession(db);
      const gone = registerAgent(db, { sessionId, name: "g", description: "d", skills: [] });
      deregisterAgent(db, gone.agent_id);
      expect(() => requireAgentInSession(db, sessionId, gone.agent_id)).not.toThrow();
      const error = thrown(() => requireAgentInSession(db, sessionId, other.directorId));
      expect([error.message, error.exitCode]).toEqual([
        `Agent ${other.directorId} not found in session ${sessionId}`,
        1,
      ]);
    });
  });

  describe("deregisterAgent", () => {
    it("soft-deletes an agent and drops its placement; a second call reports false", () => {
      const { sessionId, directorId } = seedSession(db);
      const member = registerAgent(db, {
        sessionId,
        name: "m",
        description: "d",
        skills: [],
        placement: pendingPlacement(directorId),
      });
      expect(deregisterAgent(db, member.agent_id)).toBe(true);
      const row = db
        .query("SELECT status, deregistered_at FROM agents WHERE agent_id = ?")
        .get(member.agent_id) as {
        status: string;
        deregistered_at: string;
      };
      expect(row.status).toBe("deregistered");
      expect(row.deregistered_at > member.registered_at).toBe(true);
      expect(
        db.query("SELECT COUNT(*) AS n FROM agent_placements WHERE agent_id = ?").get(member.agent_id),
      ).toEqual({
        n: 0,
      });
      expect(deregisterAgent(db, member.agent_id)).toBe(false);
    });

    it("refuses the root Director (exit 2, also of a deleted session) and the Administrator (exit 1)", () => {
      const { sessionId, directorId, administratorId } = seedSession(db);
      const root = thrown(() => deregisterAgent(db, directorId));
      expect([root.message, root.exitCode]).toEqual([
        "cannot deregister the root Director; use 'cafleet session delete' instead.",
        2,
      ]);
      const admin = thrown(() => deregisterAgent(db, administratorId));
      expect([admin.message, admin.exitCode]).toEqual(["Administrator cannot be deregistered", 1]);
      deleteSession(db, sessionId);
      expect(() => deregisterAgent(db, directorId)).toThrow("cannot deregister the root Director");
      expect(db.query("SELECT status FROM agents WHERE agent_id = ?").get(administratorId)).toEqual({
        status: "deregistered",
      });
    });
  });
});
