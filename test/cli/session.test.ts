import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { existsSync, mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { openDatabase } from "../../src/broker/db.ts";
import { databaseUrl, describeEachBackend } from "../support/backends.ts";
import { BINARY, isolatedEnv, makeTempDir, runCafleet } from "../support/cli.ts";
import { expectError, Fleet } from "../support/fleet.ts";

describeEachBackend("session", (backend) => {
  const ISO = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}\\+00:00";
  const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

  let fleet: Fleet;
  let windowId: string;
  beforeAll(() => {
    fleet = new Fleet("session", backend);
    windowId = fleet.tmux.tmux(["display-message", "-p", "-t", fleet.pane, "#{window_id}"]).trim();
  }, 60_000);
  afterAll(() => fleet.stop());

  describe("session create", () => {
    it("prints seven lines with values at column 18 and writes the bootstrap rows", () => {
      const result = fleet.run(["session", "create", "--label", "my-project"]);
      expect(result.exitCode).toBe(0);
      expect(result.stderr).toBe("");
      const lines = result.stdout.split("\n");
      expect(lines).toHaveLength(8);
      expect(lines[7]).toBe("");
      const [sessionId, directorId] = lines as [string, string];
      expect(sessionId).toMatch(new RegExp(`^${UUID}$`));
      expect(directorId).toMatch(new RegExp(`^${UUID}$`));
      expect(lines[2]).toBe("label:            my-project");
      expect(lines[3]).toMatch(new RegExp(`^created_at:       ${ISO}$`));
      expect(lines[4]).toBe("director_name:    Director");
      expect(lines[5]).toBe(`pane:             main:${windowId}:${fleet.pane}`);
      expect(lines[6]).toMatch(new RegExp(`^administrator:    ${UUID}$`));
      for (const line of lines.slice(2, 7)) expect(line.slice(18, 19)).not.toBe(" ");
      const db = fleet.openDb();
      expect(
        db.query("SELECT label, director_agent_id FROM sessions WHERE session_id = ?").get(sessionId),
      ).toEqual({ label: "my-project", director_agent_id: directorId });
      expect(
        db
          .query(
            "SELECT director_agent_id, tmux_session, tmux_window_id, tmux_pane_id, coding_agent FROM agent_placements WHERE agent_id = ?",
          )
          .get(directorId),
      ).toEqual({
        director_agent_id: null,
        tmux_session: "main",
        tmux_window_id: windowId,
        tmux_pane_id: fleet.pane,
        coding_agent: "unknown",
      });
      db.close();
    });

    it("keeps the label line's trailing spaces when no label is given", () => {
      const lines = fleet.run(["session", "create"]).stdout.split("\n");
      expect(lines[2]).toBe("label:            ");
    });

    it("prints the JSON shape with its own --json or the global one", () => {
      for (const argv of [
        ["session", "create", "--json", "--label", ""],
        ["--json", "session", "create", "--label="],
      ]) {
        const result = fleet.run(argv);
        expect(result.exitCode).toBe(0);
        const created = JSON.parse(result.stdout);
        expect(result.stdout).toBe(`${JSON.stringify(created, null, 2)}\n`);
        expect(Object.keys(created)).toEqual([
          "session_id",
          "label",
          "created_at",
          "administrator_agent_id",
          "director",
        ]);
        expect(created.label).toBe("");
        expect(Object.keys(created.director)).toEqual([
          "agent_id",
          "name",
          "description",
          "registered_at",
          "placement",
        ]);
        expect(created.director).toMatchObject({
          name: "Director",
          description: "Root Director for this session",
          registered_at: created.created_at,
        });
        expect(created.director.placement).toEqual({
          director_agent_id: null,
          tmux_session: "main",
          tmux_window_id: windowId,
          tmux_pane_id: fleet.pane,
          coding_agent: "unknown",
          created_at: created.created_at,
        });
      }
      const unlabeled = fleet.run(["session", "create", "--json"]);
      expect(JSON.parse(unlabeled.stdout).label).toBeNull();
    });

    it("ignores a --session-id given before the command", () => {
      const result = fleet.run(["--session-id", "whatever", "session", "create"]);
      expect(result.exitCode).toBe(0);
    });

    it("fails outside tmux and writes nothing: no TMUX, no TMUX_PANE, no tmux on PATH, dead pane", () => {
      const { dir, cleanup } = makeTempDir("cafleet-notmux-");
      try {
        const dbPath = join(dir, "data/registry.db");
        // SQLite: not even the file or its folder appears. PostgreSQL: no row appears.
        const url = backend === "sqlite" ? `sqlite:///${dbPath}` : databaseUrl(backend, dir);
        const base = isolatedEnv(dir, { CAFLEET_DATABASE_URL: url });
        const inside = fleet.tmux.envFor(fleet.pane);
        const bin = join(dir, "bin");
        mkdirSync(bin);
        symlinkSync(Bun.which("tmux")!, join(bin, "tmux"));
        const cases = [
          { ...base },
          { ...base, TMUX_PANE: fleet.pane },
          { ...base, TMUX: inside.TMUX },
          { ...base, ...inside, PATH: "/nonexistent" },
          { ...base, ...inside, TMUX_PANE: "%999" },
        ];
        for (const env of cases) {
          const result = runCafleet(["session", "create", "--label", "x"], env);
          expectError(result, "cafleet session create must be run inside a tmux session");
        }
        expect(existsSync(dbPath)).toBe(false);
        expect(existsSync(join(dir, "data"))).toBe(false);
        if (backend === "postgres") {
          const { db } = openDatabase(base);
          expect(db.query("SELECT count(*) AS n FROM sessions").get()).toEqual({ n: 0 });
          db.close();
        }
        expect(BINARY).toStartWith("/");
      } finally {
        cleanup();
      }
    });
  });

  describe("session list, show, delete", () => {
    it("lists live sessions with padded columns and JSON in the spec's key order", () => {
      const { dir, cleanup } = makeTempDir("cafleet-list-");
      try {
        const env = isolatedEnv(dir, {
          CAFLEET_DATABASE_URL: databaseUrl(backend, dir),
          ...fleet.tmux.envFor(fleet.pane),
        });
        expect(runCafleet(["session", "list"], env).stdout).toBe("No sessions found.\n");
        expect(runCafleet(["session", "list", "--json"], env).stdout).toBe("[]\n");
        const first = JSON.parse(
          runCafleet(["session", "create", "--json", "--label", "my-project"], env).stdout,
        );
        const second = JSON.parse(
          runCafleet(["session", "create", "--json", "--label", "a-label-longer-than-twenty"], env).stdout,
        );
        const third = JSON.parse(runCafleet(["session", "create", "--json"], env).stdout);
        runCafleet(["session", "delete", third.session_id], env);
        const text = runCafleet(["session", "list"], env);
        expect(text.stdout).toBe(
          [
            "SESSION_ID                               LABEL                AGENTS   CREATED_AT",
            `${first.session_id}     my-project           2        ${first.created_at}`,
            `${second.session_id}     a-label-longer-than-twenty 2        ${second.created_at}`,
            "",
          ].join("\n"),
        );
        const listed = runCafleet(["--json", "session", "list"], env).stdout;
        expect(listed).toBe(
          `${JSON.stringify(
            [
              {
                session_id: first.session_id,
                label: "my-project",
                created_at: first.created_at,
                agent_count: 2,
              },
              {
                session_id: second.session_id,
                label: "a-label-longer-than-twenty",
                created_at: second.created_at,
                agent_count: 2,
              },
            ],
            null,
            2,
          )}\n`,
        );
      } finally {
        cleanup();
      }
    });

    it("pads seeded rows by code points (an emoji label, a legacy 64-hex id, a session with no agents)", () => {
      const { dir, cleanup } = makeTempDir("cafleet-list-seeded-");
      try {
        const env = isolatedEnv(dir, { CAFLEET_DATABASE_URL: databaseUrl(backend, dir) });
        expect(runCafleet(["db", "init"], env).exitCode).toBe(0);
        const legacyId = "ab".repeat(32);
        const { db } = openDatabase(env);
        db.run("INSERT INTO sessions (session_id, label, created_at) VALUES (?, ?, ?), (?, ?, ?)", [
          legacyId,
          "🎉x",
          "2020-01-01T00:00:00.000000+00:00",
          "s0",
          null,
          "2019-01-01T00:00:00.000000+00:00",
        ]);
        db.close();
        expect(runCafleet(["session", "list"], env)).toEqual({
          stdout: [
            "SESSION_ID                               LABEL                AGENTS   CREATED_AT",
            `s0${" ".repeat(38)}${" ".repeat(21)} 0        2019-01-01T00:00:00.000000+00:00`,
            `${legacyId} 🎉x${" ".repeat(18)} 0        2020-01-01T00:00:00.000000+00:00`,
            "",
          ].join("\n"),
          stderr: "",
          exitCode: 0,
        });
      } finally {
        cleanup();
      }
    });

    it("shows a live session, then a deleted one with deleted_at", () => {
      const created = fleet.json<{ session_id: string; created_at: string; director: { agent_id: string } }>([
        "session",
        "create",
      ]);
      const sid = created.session_id;
      expect(fleet.run(["session", "show", sid])).toEqual({
        stdout: `session_id: ${sid}\nlabel:      \ncreated_at: ${created.created_at}\n`,
        stderr: "",
        exitCode: 0,
      });
      expect(fleet.run(["session", "delete", sid])).toEqual({
        stdout: `Deleted session ${sid}. Deregistered 2 agents.\n`,
        stderr: "",
        exitCode: 0,
      });
      expect(fleet.run(["--json", "session", "delete", sid]).stdout).toBe(
        `Deleted session ${sid}. Deregistered 0 agents.\n`,
      );
      const shown = fleet.run(["session", "show", sid]).stdout.split("\n");
      expect(shown[3]).toMatch(new RegExp(`^deleted_at: ${ISO}$`));
      const json = fleet.run(["session", "show", sid, "--json"]).stdout;
      const parsed = JSON.parse(json);
      expect(Object.keys(parsed)).toEqual([
        "session_id",
        "label",
        "created_at",
        "deleted_at",
        "director_agent_id",
      ]);
      expect(parsed).toMatchObject({ label: null, director_agent_id: created.director.agent_id });
      expect(parsed.deleted_at).toBe(shown[3]!.slice("deleted_at: ".length));
      const listedIds = fleet.json<{ session_id: string }[]>(["session", "list"]).map((s) => s.session_id);
      expect(listedIds).not.toContain(sid);
    });

    it("answers an unknown session id with exit 1", () => {
      expectError(fleet.run(["session", "show", "nope"]), "session 'nope' not found.");
      expectError(fleet.run(["session", "delete", "nope"]), "session 'nope' not found.");
    });
  });
});
