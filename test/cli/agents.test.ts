import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { describeEachBackend } from "../support/backends.ts";
import { expectError, Fleet, type SessionIds } from "../support/fleet.ts";

describeEachBackend("agents", (backend) => {
  let fleet: Fleet;
  let ids: SessionIds;
  let other: SessionIds;

  beforeAll(() => {
    fleet = new Fleet("agents", backend);
    ids = fleet.createSession("agents");
    other = fleet.createSession("other");
  }, 60_000);
  afterAll(() => fleet.stop());

  function card(agentId: string): unknown {
    const [row] = fleet.rows<{ agent_card_json: string }>(
      "SELECT agent_card_json FROM agents WHERE agent_id = ?",
      agentId,
    );
    return JSON.parse(row!.agent_card_json);
  }

  const inSession = (...args: string[]) => fleet.run(["--session-id", ids.sessionId, ...args]);

  describe("register", () => {
    it("prints the text block and stores the skills in the card only", () => {
      const skills =
        '[{"id": "react", "name": "React Dev", "description": "React/TS", "tags": ["frontend"]}]';
      const result = inSession(
        "register",
        "--name",
        "Claude-B",
        "--description",
        "Reviewer",
        "--skills",
        skills,
      );
      expect(result.exitCode).toBe(0);
      expect(result.stderr).toBe("");
      const match = /^Agent registered successfully!\n {2}agent_id: {2}(\S+)\n {2}name: {6}Claude-B\n$/.exec(
        result.stdout,
      );
      expect(match).not.toBeNull();
      expect(card(match![1]!)).toEqual({
        name: "Claude-B",
        description: "Reviewer",
        skills: [{ id: "react", name: "React Dev", description: "React/TS", tags: ["frontend"] }],
      });
      expect(inSession("agents", "--agent-id", ids.directorId, "--id", match![1]!).stdout).not.toContain(
        "react",
      );
    });

    it("prints JSON {agent_id, name, registered_at}", () => {
      const result = fleet.run([
        "--session-id",
        ids.sessionId,
        "--json",
        "register",
        "--name",
        "名前 🎉",
        "--description",
        "d",
      ]);
      const parsed = JSON.parse(result.stdout);
      expect(Object.keys(parsed)).toEqual(["agent_id", "name", "registered_at"]);
      expect(parsed.name).toBe("名前 🎉");
      expect(result.stdout).toContain("名前 🎉");
    });

    it("stores falsy skills as [] and accepts any JSON value", () => {
      for (const falsy of ["[]", "{}", "null", "0", '""', "false", ""]) {
        const id = fleet.json<{ agent_id: string }>([
          "--session-id",
          ids.sessionId,
          "register",
          "--name",
          "f",
          "--description",
          "d",
          "--skills",
          falsy,
        ]).agent_id;
        expect(card(id)).toEqual({ name: "f", description: "d", skills: [] });
      }
      const id = fleet.json<{ agent_id: string }>([
        "--session-id",
        ids.sessionId,
        "register",
        "--name",
        "o",
        "--description",
        "d",
        "--skills",
        '{"any": 1}',
      ]).agent_id;
      expect(card(id)).toEqual({ name: "o", description: "d", skills: { any: 1 } });
    });

    it("reports invalid --skills JSON first, then a missing or deleted session (exit 2)", () => {
      const bad = inSession("register", "--name", "a", "--description", "b", "--skills", "{bad");
      expect(bad.exitCode).toBe(1);
      expect(bad.stdout).toBe("");
      expect(bad.stderr).toStartWith("Error: Invalid JSON in --skills: ");
      expect(bad.stderr.split("\n")).toHaveLength(2);
      const badMissing = fleet.run([
        "--session-id",
        "nope",
        "register",
        "--name",
        "a",
        "--description",
        "b",
        "--skills",
        "[",
      ]);
      expect(badMissing.stderr).toStartWith("Error: Invalid JSON in --skills: ");
      expectError(
        fleet.run(["--session-id", "nope", "register", "--name", "a", "--description", "b"]),
        "Session 'nope' not found.",
        2,
      );
      const doomed = fleet.createSession();
      fleet.run(["session", "delete", doomed.sessionId]);
      expectError(
        fleet.run(["--session-id", doomed.sessionId, "register", "--name", "a", "--description", "b"]),
        `session ${doomed.sessionId} is deleted`,
        2,
      );
    });
  });

  describe("agents", () => {
    it("lists Director then Administrator for a fresh session, text and JSON", () => {
      const fresh = fleet.createSession();
      const text = fleet.run(["--session-id", fresh.sessionId, "agents", "--agent-id", fresh.directorId]);
      expect(text.stdout).toBe(
        [
          "[1]",
          `  agent_id:    ${fresh.directorId}`,
          "  name:        Director",
          "  description: Root Director for this session",
          "  status:      active",
          "[2]",
          `  agent_id:    ${fresh.administratorId}`,
          "  name:        Administrator",
          `  description: Built-in administrator agent for session ${fresh.sessionId.slice(0, 8)}`,
          "  status:      active",
          "",
        ].join("\n"),
      );
      const json = fleet.json<Record<string, string>[]>([
        "--session-id",
        fresh.sessionId,
        "agents",
        "--agent-id",
        fresh.administratorId,
      ]);
      expect(json.map((agent) => Object.keys(agent))).toEqual([
        ["agent_id", "name", "description", "status", "registered_at"],
        ["agent_id", "name", "description", "status", "registered_at"],
      ]);
    });

    it("shows one agent with --id: 4-line block, or JSON with kind and placement", () => {
      const worker = fleet.register(ids.sessionId, "Claude-B", "Reviewer");
      expect(inSession("agents", "--agent-id", ids.directorId, "--id", worker).stdout).toBe(
        `  agent_id:    ${worker}\n  name:        Claude-B\n  description: Reviewer\n  status:      active\n`,
      );
      const shown = fleet.json<Record<string, unknown>>([
        "--session-id",
        ids.sessionId,
        "agents",
        "--agent-id",
        worker,
        "--id",
        worker,
      ]);
      expect(Object.keys(shown)).toEqual([
        "agent_id",
        "name",
        "description",
        "status",
        "registered_at",
        "kind",
        "placement",
      ]);
      expect(shown).toMatchObject({ kind: "user", placement: null, status: "active" });
      const admin = fleet.json<Record<string, unknown>>([
        "--session-id",
        ids.sessionId,
        "agents",
        "--agent-id",
        worker,
        "--id",
        ids.administratorId,
      ]);
      expect(admin.kind).toBe("builtin-administrator");
      const director = fleet.json<{ placement: Record<string, unknown> }>([
        "--session-id",
        ids.sessionId,
        "agents",
        "--agent-id",
        worker,
        "--id",
        ids.directorId,
      ]);
      expect(Object.keys(director.placement)).toEqual([
        "director_agent_id",
        "tmux_session",
        "tmux_window_id",
        "tmux_pane_id",
        "coding_agent",
        "created_at",
      ]);
    });

    it("answers unknown, deregistered and other-session agents", () => {
      const gone = fleet.register(ids.sessionId, "gone");
      inSession("deregister", "--agent-id", gone);
      expectError(inSession("agents", "--agent-id", ids.directorId, "--id", gone), `Agent ${gone} not found`);
      expectError(
        inSession("agents", "--agent-id", ids.directorId, "--id", other.directorId),
        `Agent ${other.directorId} not found`,
      );
      expectError(
        inSession("agents", "--agent-id", "nobody"),
        `Agent nobody not found in session ${ids.sessionId}`,
      );
      expectError(
        inSession("agents", "--agent-id", other.directorId),
        `Agent ${other.directorId} not found in session ${ids.sessionId}`,
      );
      expect(inSession("agents", "--agent-id", gone).exitCode).toBe(0);
    });
  });

  describe("deregister", () => {
    it("deregisters once, then reports 'already deregistered'", () => {
      const worker = fleet.register(ids.sessionId, "w");
      expect(inSession("deregister", "--agent-id", worker)).toEqual({
        stdout: "Agent deregistered successfully.\n",
        stderr: "",
        exitCode: 0,
      });
      expectError(
        inSession("deregister", "--agent-id", worker),
        `agent ${worker} not found or already deregistered.`,
      );
      const second = fleet.register(ids.sessionId, "w2");
      expect(
        fleet.run(["--session-id", ids.sessionId, "--json", "deregister", "--agent-id", second]).stdout,
      ).toBe('{\n  "status": "deregistered"\n}\n');
    });

    it("refuses the root Director (exit 2), the Administrator and strangers (exit 1)", () => {
      expectError(
        inSession("deregister", "--agent-id", ids.directorId),
        "cannot deregister the root Director; use 'cafleet session delete' instead.",
        2,
      );
      expectError(
        inSession("deregister", "--agent-id", ids.administratorId),
        "Administrator cannot be deregistered",
      );
      expectError(
        inSession("deregister", "--agent-id", other.directorId),
        `Agent ${other.directorId} not found in session ${ids.sessionId}`,
      );
      expectError(
        inSession("deregister", "--agent-id", "nope"),
        `Agent nope not found in session ${ids.sessionId}`,
      );
    });
  });
});
