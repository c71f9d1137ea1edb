import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { registerAgent } from "../../src/broker/agents.ts";
import { createSession } from "../../src/broker/sessions.ts";
import { sendUnicast } from "../../src/broker/tasks.ts";
import type { SearchHit } from "../../src/server/model.ts";
import { describeEachBackend } from "../support/backends.ts";
import { isolatedEnv, makeTempDir, ROOT, runCafleet } from "../support/cli.ts";
import { tempDatabase } from "../support/db.ts";
import { expectError, Fleet, type SessionIds } from "../support/fleet.ts";

let fleet: Fleet;
let ids: SessionIds;
let alice: string;
let bob: string;
let carol: string;
let gone: string;
let other: SessionIds;
let stranger: string;
const sent = { ask: "", answer: "", broadcast: "" };

const inSession = (...args: string[]) => fleet.run(["--session-id", ids.sessionId, ...args]);
const searchJson = (...args: string[]) =>
  fleet.json<{ messages: SearchHit[] }>([
    "--session-id",
    ids.sessionId,
    "search",
    "--agent-id",
    alice,
    ...args,
  ]).messages;

// The whole command on each store; the upgrade below is SQLite's own (migrations.sql version 6).
describeEachBackend("cafleet search", (backend) => {
  beforeAll(() => {
    fleet = new Fleet("search", backend);
    ids = fleet.createSession("search");
    alice = fleet.register(ids.sessionId, "alice");
    bob = fleet.register(ids.sessionId, "bob");
    carol = fleet.register(ids.sessionId, "carol");
    gone = fleet.register(ids.sessionId, "gone");
    expect(inSession("deregister", "--agent-id", gone).exitCode).toBe(0);
    other = fleet.createSession("other");
    stranger = fleet.register(other.sessionId, "stranger");
    const send = (name: keyof typeof sent, from: string, to: string, text: string) => {
      const result = fleet.json<{ task: { id: string } }>([
        "--session-id",
        ids.sessionId,
        "send",
        "--agent-id",
        from,
        "--to",
        to,
        "--text",
        text,
      ]);
      sent[name] = result.task.id;
    };
    send("ask", alice, bob, "Please review the flaky test in src/broker/tasks.ts before Friday's release");
    send("answer", bob, alice, "Reviewed:\nsend_message looks good, one nit in the café code");
    const broadcast = fleet.json<{ task: { id: string } }[]>([
      "--session-id",
      ids.sessionId,
      "broadcast",
      "--agent-id",
      carol,
      "--text",
      "Release freeze: no merges after review",
    ]);
    sent.broadcast = broadcast[0]!.task.id;
    fleet.json([
      "--session-id",
      other.sessionId,
      "send",
      "--agent-id",
      stranger,
      "--to",
      other.directorId,
      "--text",
      "review secrets elsewhere",
    ]);
  }, 60_000);
  afterAll(() => fleet.stop());

  describe("the command", () => {
    it("prints one block per hit, newest first, matches in brackets; a broadcast once", () => {
      const hits = searchJson("--query", "review");
      expect(hits.map((hit) => hit.origin_task_id ?? hit.task_id)).toEqual([
        sent.broadcast,
        sent.answer,
        sent.ask,
      ]);
      const [freeze, answer, ask] = hits as [SearchHit, SearchHit, SearchHit];
      const result = inSession("search", "--agent-id", alice, "--query", "review");
      expect(result).toEqual({
        stdout: [
          `[1] ${freeze.created_at} carol (${carol}) → broadcast, task ${freeze.task_id}`,
          "Release freeze: no merges after [review]",
          `[2] ${answer.created_at} bob (${bob}) → alice (${alice}), task ${sent.answer}`,
          "[Reviewed]: send_message looks good, one nit in the café code",
          `[3] ${ask.created_at} alice (${alice}) → bob (${bob}), task ${sent.ask}`,
          "Please [review] the flaky test in src/broker/tasks.ts before Friday's release",
          "",
        ].join("\n"),
        stderr: "",
        exitCode: 0,
      });
    });

    it("prints the API's SearchHit objects with --json, snippet and offsets exact", () => {
      const [hit] = searchJson("--query", "cafe code");
      const expected = {
        task_id: sent.answer,
        from_agent_id: bob,
        from_agent_name: "bob",
        to_agent_id: alice,
        to_agent_name: "alice",
        type: "unicast",
        status: "input_required",
        created_at: hit!.created_at,
        status_timestamp: hit!.created_at,
        origin_task_id: null,
        body: "Reviewed:\nsend_message looks good, one nit in the café code",
        reply_to_task_id: null,
        notified_at: null,
        notify_failed_at: null,
        notify_error: null,
        fetched_at: null,
        nudge_count: 0,
        held_at: null,
        held_reason: null,
        last_nudged_at: null,
        snippet: "Reviewed: send_message looks good, one nit in the café code",
        matches: [
          [50, 54],
          [55, 59],
        ],
      } satisfies SearchHit;
      expect(hit).toEqual(expected);
      // Key for key as GET /ui/api/search writes them: the Message keys, then snippet and matches.
      expect(Object.keys(hit!)).toEqual(Object.keys(expected));
    });

    it("says so when nothing matches, and never shows another session's messages", () => {
      expect(inSession("search", "--agent-id", alice, "--query", "secrets")).toEqual({
        stdout: "No messages match.\n",
        stderr: "",
        exitCode: 0,
      });
      const theirs = fleet.json<{ messages: SearchHit[] }>([
        "--session-id",
        other.sessionId,
        "search",
        "--agent-id",
        stranger,
        "--query",
        "secrets",
      ]).messages;
      expect(theirs.map((hit) => hit.body)).toEqual(["review secrets elsewhere"]);
    });

    it("stops at --limit", () => {
      expect(searchJson("--query", "review", "--limit", "1").map((hit) => hit.origin_task_id)).toEqual([
        sent.broadcast,
      ]);
    });

    it("takes hostile queries as words, never as FTS5 syntax", () => {
      for (const query of ['"', "*", "a OR", "NEAR(", "-x", "col:val", "(", "日本語", "x".repeat(10_000)]) {
        const result = inSession("search", "--agent-id", alice, "--query", query);
        expect([query.slice(0, 10), result]).toEqual([
          query.slice(0, 10),
          { stdout: "No messages match.\n", stderr: "", exitCode: 0 },
        ]);
      }
      expect(searchJson("--query", "tasks.ts").map((hit) => hit.task_id)).toEqual([sent.ask]);
      expect(searchJson("--query", "Friday's").map((hit) => hit.task_id)).toEqual([sent.ask]);
    });

    it("refuses a blank query, an agent outside the session or deregistered, a bad limit", () => {
      expectError(
        inSession("search", "--agent-id", alice, "--query", "  "),
        "search query is empty: give at least one word to search for",
        2,
      );
      expectError(inSession("search", "--agent-id", alice), "Missing option '--query'.", 2);
      for (const agent of [stranger, gone, "nobody"])
        expectError(
          inSession("search", "--agent-id", agent, "--query", "review"),
          `Agent ${agent} not found in session ${ids.sessionId}`,
        );
      expectError(
        inSession("search", "--agent-id", alice, "--query", "x", "--limit", "0"),
        "Invalid value for '--limit': 0 is not in the range 1<=x<=200.",
        2,
      );
      expectError(
        fleet.run(["search", "--agent-id", alice, "--query", "x"]),
        "--session-id <uuid> is required for this subcommand. Create a session with 'cafleet session create' and pass its id.",
      );
    });
  });

  describe("loading", () => {
    const fromSource = (args: string[]) => {
      const result = Bun.spawnSync(
        [
          process.execPath,
          "--preload",
          join(ROOT, "test/fixtures/log-search-modules.ts"),
          join(ROOT, "src/main.ts"),
          ...args,
        ],
        { env: fleet.env as Record<string, string>, stdout: "pipe", stderr: "pipe" },
      );
      return { stderr: result.stderr.toString(), exitCode: result.exitCode };
    };

    it("poll loads no search module; search does", () => {
      expect(fromSource(["--session-id", ids.sessionId, "poll", "--agent-id", bob])).toEqual({
        stderr: "",
        exitCode: 0,
      });
      expect(
        fromSource(["--session-id", ids.sessionId, "search", "--agent-id", bob, "--query", "nit"]),
      ).toEqual({
        stderr: "loaded src/cli/search.ts\nloaded src/broker/search.ts\nloaded src/broker/snippet.ts\n",
        exitCode: 0,
      });
    });
  });
});

describe("an older database", () => {
  it("is indexed when it reaches version 6: messages sent before are found", () => {
    const { dir, cleanup } = makeTempDir("cafleet-search-v5-");
    try {
      const path = join(dir, "v5.db");
      const sql = readFileSync(join(ROOT, "migrations.sql"), "utf8");
      // The rows are written by today's broker, then copied column for column into version 5's tables.
      const now = tempDatabase("sqlite");
      const db = now.db;
      const session = createSession(db, "old", { session: "main", windowId: "@0", paneId: "%0" });
      const writer = registerAgent(db, {
        sessionId: session.session_id,
        name: "w",
        description: "w",
        skills: [],
      });
      const old = sendUnicast(db, {
        sessionId: session.session_id,
        fromAgentId: writer.agent_id,
        toAgentId: session.director.agent_id,
        text: "written before the index existed",
      });
      const v5 = new Database(path, { strict: true });
      v5.run(sql.slice(0, sql.indexOf("-- version: 6")));
      v5.run("PRAGMA user_version = 5");
      v5.run("ATTACH ? AS now", [now.path]);
      const tables = v5.query("SELECT name FROM main.sqlite_master WHERE type = 'table'").all() as {
        name: string;
      }[];
      for (const { name } of tables) {
        const columns = (
          v5.query(`SELECT name FROM pragma_table_info('${name}')`).all() as { name: string }[]
        )
          .map((column) => column.name)
          .join(", ");
        v5.run(`INSERT INTO main.${name} (${columns}) SELECT ${columns} FROM now.${name}`);
      }
      v5.run("DETACH now");
      v5.close();
      now.cleanup();
      const env = isolatedEnv(dir, { CAFLEET_DATABASE_URL: `sqlite:///${path}` });
      const latest = Math.max(...[...sql.matchAll(/^-- version: (\d+)$/gm)].map((match) => Number(match[1])));
      expect(runCafleet(["db", "init"], env).stdout).toBe(`Upgraded from 5 to ${latest}.\n`);
      const result = runCafleet(
        [
          "--session-id",
          session.session_id,
          "search",
          "--agent-id",
          writer.agent_id,
          "--query",
          "index exist",
        ],
        env,
      );
      expect(result).toEqual({
        stdout: `[1] ${old.status.timestamp} w (${writer.agent_id}) → Director (${session.director.agent_id}), task ${old.id}\nwritten before the [index] [existed]\n`,
        stderr: "",
        exitCode: 0,
      });
    } finally {
      cleanup();
    }
  });
});
