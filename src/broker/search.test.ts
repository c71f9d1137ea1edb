import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { type Backend, describeEachBackend } from "../../test/support/backends.ts";
import { seedSession, tempDatabase } from "../../test/support/db.ts";
import type { Database } from "../store/database.ts";
import { registerAgent } from "./agents.ts";
import { EMPTY_QUERY, matchExpressions, searchMessages } from "./search.ts";
import { buildSnippet, CLOSE_MARK, OPEN_MARK } from "./snippet.ts";
import { ackTask, cancelTask, sendBroadcast, sendUnicast } from "./tasks.ts";

let db: Database;
let cleanup: () => void;
let sessionId: string;
let directorId: string;
let alice: string;
let bob: string;
let carol: string;

/** A fresh store of `backend` for each test, with a session of three agents. */
function eachWithSession(backend: Backend): void {
  beforeEach(() => {
    ({ db, cleanup } = tempDatabase(backend));
    ({ sessionId, directorId } = seedSession(db));
    const register = (name: string) =>
      registerAgent(db, { sessionId, name, description: name, skills: [] }).agent_id;
    alice = register("alice");
    bob = register("bob");
    carol = register("carol");
  }, 60_000);
  afterEach(() => cleanup());
}

const send = (from: string, to: string, text: string) =>
  sendUnicast(db, { sessionId, fromAgentId: from, toAgentId: to, text });

/** What a search shows of each hit: its task, its snippet with the matches in brackets. */
function found(query: string, options: { agentId?: string; limit?: number } = {}, session = sessionId) {
  return searchMessages(db, session, query, options).map((hit) => {
    let marked = "";
    let at = 0;
    for (const [start, end] of hit.matches) {
      marked += `${hit.snippet.slice(at, start)}[${hit.snippet.slice(start, end)}]`;
      at = end;
    }
    return { task: hit.task_id, snippet: marked + hit.snippet.slice(at) };
  });
}

describe("matchExpressions", () => {
  it.each([
    ["review", ['"review"', '"review"*']],
    ["flaky test", ['"flaky" "test"', '"flaky" "test"*']],
    ['say "hi"', ['"say" """hi"""', '"say" """hi"""*']],
    ["a OR b", ['"a" "OR" "b"']],
    ["NEAR(x yz)", ['"NEAR(x" "yz)"', '"NEAR(x" "yz)"*']],
    ["-x col:val", ['"-x" "col:val"', '"-x" "col:val"*']],
    ["x", ['"x"']],
    ["v1.0", ['"v1.0"']],
    ["v1.10", ['"v1.10"', '"v1.10"*']],
    ["x-", ['"x-"']],
    ["  spaced\n\tout  ", ['"spaced" "out"', '"spaced" "out"*']],
    ["日本", ['"日本"', '"日本"*']],
    ["a\u0000b", ['"a" "b"']],
    ['fix - it ( "', ['"fix" "it"', '"fix" "it"*']],
  ])("quotes %p as %p", (query, expressions) => {
    expect(matchExpressions(query)).toEqual(expressions);
  });

  it("refuses a blank query and has nothing to search for in NULs", () => {
    for (const blank of ["", "   ", "\n\t"]) expect(() => matchExpressions(blank)).toThrow(EMPTY_QUERY);
    for (const wordless of ["\u0000\u0000", '"', "- ( ) *", "^:"])
      expect(matchExpressions(wordless)).toBeNull();
  });
});

describe("buildSnippet", () => {
  const mark = (text: string) => text.replaceAll("[", OPEN_MARK).replaceAll("]", CLOSE_MARK);
  const plain = (text: string) => text.replaceAll("[", "").replaceAll("]", "");
  const snippet = (marked: string) => buildSnippet(plain(marked), mark(marked));

  it("keeps a short body whole, on one line, with the offsets of each match", () => {
    expect(snippet("fix the [flaky]\n\ntest  [now]")).toEqual({
      snippet: "fix the flaky test now",
      matches: [
        [8, 13],
        [19, 22],
      ],
    });
  });

  it("cuts a long body to four words before the first match and ten words of context", () => {
    const words = Array.from({ length: 30 }, (_, n) => `w${n}`);
    words[12] = "[hit]";
    words[14] = "[hit]";
    words[25] = "[hit]";
    expect(snippet(words.join(" "))).toEqual({
      snippet: "…w8 w9 w10 w11 hit w13 hit w15 w16 w17 w18…",
      matches: [
        [15, 18],
        [23, 26],
      ],
    });
  });

  it("takes the ten words after a match in the first words, and before one in the last", () => {
    const words = Array.from({ length: 20 }, (_, n) => (n === 1 ? "[hit]" : `w${n}`));
    expect(snippet(words.join(" "))).toEqual({
      snippet: "w0 hit w2 w3 w4 w5 w6 w7 w8 w9 w10…",
      matches: [[3, 6]],
    });
    const late = Array.from({ length: 20 }, (_, n) => (n === 18 ? "[hit]" : `w${n}`));
    expect(snippet(late.join(" "))).toEqual({
      snippet: "…w9 w10 w11 w12 w13 w14 w15 w16 w17 hit w19",
      matches: [[36, 39]],
    });
  });

  it("marks a match inside a word and one that spans words", () => {
    expect(snippet("call send_[message] or [send\nmessage] here")).toEqual({
      snippet: "call send_message or send message here",
      matches: [
        [10, 17],
        [21, 33],
      ],
    });
  });

  it("cuts a body without spaces around its match", () => {
    const blob = `${"x".repeat(500)}[needle]${"y".repeat(500)}`;
    const { snippet: text, matches } = snippet(blob);
    expect(text).toBe(`…${"x".repeat(60)}needle${"y".repeat(174)}…`);
    expect(matches).toEqual([[61, 67]]);
  });

  it("never splits a surrogate pair at a cut", () => {
    const body = `${"😀".repeat(200)}`;
    const { snippet: text } = buildSnippet(body, body);
    expect(text.startsWith("😀")).toBe(true);
    expect(text.endsWith("😀…")).toBe(true);
    expect(text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
  });

  it("shows the start of the body unmarked when it holds a marker character itself", () => {
    const body = `odd ${OPEN_MARK} text`;
    expect(buildSnippet(body, `${OPEN_MARK}odd${CLOSE_MARK} ${OPEN_MARK} text`)).toEqual({
      snippet: body,
      matches: [],
    });
  });

  it("is empty for an empty body", () => {
    expect(buildSnippet("", "")).toEqual({ snippet: "", matches: [] });
  });
});

describeEachBackend("searchMessages", (backend) => {
  eachWithSession(backend);

  it("finds the session's messages newest first, with snippets", () => {
    const first = send(alice, bob, "Please review the flaky test in src/broker/tasks.ts");
    const second = send(bob, alice, "Review done:\nsend_message looks good");
    send(alice, bob, "nothing to see here");
    expect(found("review")).toEqual([
      { task: second.id, snippet: "[Review] done: send_message looks good" },
      { task: first.id, snippet: "Please [review] the flaky test in src/broker/tasks.ts" },
    ]);
    expect(found("tasks.ts")).toEqual([
      { task: first.id, snippet: "Please review the flaky test in src/broker/[tasks.ts]" },
    ]);
    expect(found("message")).toEqual([
      { task: second.id, snippet: "Review done: send_[message] looks good" },
    ]);
    expect(found("send_message")).toEqual([
      { task: second.id, snippet: "Review done: [send_message] looks good" },
    ]);
  });

  it("matches the last word as a prefix, every word, accents folded", () => {
    const task = send(alice, bob, "Le café est prêt, naïve reviewers");
    expect(found("revi")).toEqual([{ task: task.id, snippet: "Le café est prêt, naïve [reviewers]" }]);
    expect(found("cafe pret")).toEqual([{ task: task.id, snippet: "Le [café] est [prêt], naïve reviewers" }]);
    expect(found("cafe absent")).toEqual([]);
    // A one-letter last word is a whole word, not every word starting with it.
    expect(found("c")).toEqual([]);
  });

  it("returns the Message keys of the timeline plus snippet and matches", () => {
    const task = send(alice, bob, "keys please");
    const [hit] = searchMessages(db, sessionId, "keys");
    expect(hit).toEqual({
      task_id: task.id,
      from_agent_id: alice,
      from_agent_name: "alice",
      to_agent_id: bob,
      to_agent_name: "bob",
      type: "unicast",
      status: "input_required",
      created_at: task.status.timestamp,
      status_timestamp: task.status.timestamp,
      origin_task_id: null,
      body: "keys please",
      reply_to_task_id: null,
      notified_at: null,
      notify_failed_at: null,
      notify_error: null,
      fetched_at: null,
      nudge_count: 0,
      held_at: null,
      held_reason: null,
      last_nudged_at: null,
      snippet: "keys please",
      matches: [[0, 4]],
    });
  });

  it("never finds another session's messages", () => {
    const other = seedSession(db, "other");
    const stranger = registerAgent(db, {
      sessionId: other.sessionId,
      name: "dave",
      description: "d",
      skills: [],
    }).agent_id;
    const theirs = sendUnicast(db, {
      sessionId: other.sessionId,
      fromAgentId: stranger,
      toAgentId: other.directorId,
      text: "secret plan",
    });
    expect(found("secret")).toEqual([]);
    expect(found("secret", {}, other.sessionId)).toEqual([{ task: theirs.id, snippet: "[secret] plan" }]);
  });

  it("filters to messages from or to one agent", () => {
    const fromAlice = send(alice, bob, "status one");
    const toAlice = send(carol, alice, "status two");
    send(bob, carol, "status three");
    expect(found("status", { agentId: alice }).map((hit) => hit.task)).toEqual([toAlice.id, fromAlice.id]);
    expect(found("status", { agentId: directorId })).toEqual([]);
  });

  it("shows a broadcast once, as the filtered agent's own delivery when filtered", () => {
    const broadcast = sendBroadcast(db, { sessionId, fromAgentId: alice, text: "release at noon" });
    const hits = searchMessages(db, sessionId, "release");
    expect(hits.map((hit) => hit.origin_task_id)).toEqual([broadcast.summary.id]);
    const toCarol = broadcast.taskIds[broadcast.recipientIds.indexOf(carol)]!;
    expect(found("release", { agentId: carol })).toEqual([{ task: toCarol, snippet: "[release] at noon" }]);
    // The summary's own text is not indexed.
    expect(found("recipients")).toEqual([]);
  });

  it("folds the case of every script and Latin accents, and never matches inside a word", () => {
    const task = send(alice, bob, "ÉCOLE Привет, preview reviewers");
    expect(found("ecole")).toEqual([{ task: task.id, snippet: "[ÉCOLE] Привет, preview reviewers" }]);
    expect(found("école")).toEqual([{ task: task.id, snippet: "[ÉCOLE] Привет, preview reviewers" }]);
    expect(found("ПРИВЕТ")).toEqual([{ task: task.id, snippet: "ÉCOLE [Привет], preview reviewers" }]);
    expect(found("view")).toEqual([]);
    expect(found("eviewers")).toEqual([]);
  });

  it("matches a term's words across any separators, in order and adjacent", () => {
    const task = send(alice, bob, "call send\n\n-- message now, then message send");
    expect(found("send_message")).toEqual([
      { task: task.id, snippet: "call [send -- message] now, then message send" },
    ]);
    expect(found("message.send")).toEqual([
      { task: task.id, snippet: "call send -- message now, then [message send]" },
    ]);
    expect(found("sendmessage")).toEqual([]);
    expect(found("call_message")).toEqual([]);
  });

  it("shows a broadcast once even when its deliveries fill more than a page", () => {
    const older = send(bob, alice, "release notes");
    const broadcast = sendBroadcast(db, { sessionId, fromAgentId: alice, text: "release at noon" });
    expect(broadcast.taskIds.length).toBeGreaterThan(2);
    const hits = searchMessages(db, sessionId, "release", { limit: 2 });
    expect(hits.map((hit) => hit.origin_task_id ?? hit.task_id)).toEqual([broadcast.summary.id, older.id]);
    // The newest delivery stands for the broadcast.
    expect(hits[0]!.task_id).toBe(broadcast.taskIds.at(-1)!);
  });

  it("matches a long word whole, though PostgreSQL is given only its first letters", () => {
    const long = "k".repeat(70);
    const exact = send(alice, bob, `${long} end`);
    const longer = send(alice, bob, `${long}x end`);
    expect(found(long, { limit: 1 }).map((hit) => hit.task)).toEqual([exact.id]);
    expect(found(`${long}_end`).map((hit) => hit.task)).toEqual([exact.id]);
    expect(found(long).map((hit) => hit.task)).toEqual([longer.id, exact.id]);
  });

  it("takes the last word as a prefix only when the whole word does not fill the page", () => {
    const whole = [send(alice, bob, "merge now"), send(alice, bob, "merge later")];
    const longer = send(alice, bob, "merged already");
    expect(found("merge", { limit: 2 }).map((hit) => hit.task)).toEqual([whole[1]!.id, whole[0]!.id]);
    expect(found("merge", { limit: 3 }).map((hit) => hit.task)).toEqual([
      longer.id,
      whole[1]!.id,
      whole[0]!.id,
    ]);
  });

  it("stops at the limit, newest first", () => {
    const ids = Array.from({ length: 5 }, (_, n) => send(alice, bob, `batch ${n}`).id);
    expect(found("batch", { limit: 2 }).map((hit) => hit.task)).toEqual(ids.slice(3).reverse());
    expect(found("batch", { limit: 0 })).toEqual([]);
  });

  it("answers hostile queries without an error", () => {
    send(alice, bob, 'quote " star * minus -x col:val NEAR(a b) a OR b ( ) 日本語');
    for (const query of [
      '"',
      "*",
      "a OR",
      "NEAR(",
      "-x",
      "col:val",
      "(",
      ")",
      "^",
      "AND",
      "x".repeat(10_000),
    ])
      expect(() => searchMessages(db, sessionId, query)).not.toThrow();
    expect(found('"').length).toBe(0);
    expect(found("-x").length).toBe(1);
    expect(found("col:val").length).toBe(1);
    expect(found("a OR").length).toBe(1);
    expect(found("日本語").length).toBe(1);
    expect(found("word ".repeat(2_000)).length).toBe(0);
  });
});

// FTS5's own index (its rows, its words, its triggers): SQLite's alone; PostgreSQL has no index.
describe("the index", () => {
  eachWithSession("sqlite");
  const taskJson = (taskId: string) =>
    JSON.parse(
      (db.query("SELECT task_json FROM tasks WHERE task_id = ?").get(taskId) as { task_json: string })
        .task_json,
    );
  const integrityCheck = () =>
    db.run("INSERT INTO message_search (message_search, rank) VALUES ('integrity-check', 0)");

  it("keeps acked and retracted messages, and unindexes a deleted row", () => {
    const acked = send(alice, bob, "acked words");
    const canceled = send(alice, bob, "canceled words");
    ackTask(db, { sessionId, agentId: bob, taskId: acked.id });
    cancelTask(db, { sessionId, agentId: alice, taskId: canceled.id });
    expect(found("words").map((hit) => hit.task)).toEqual([canceled.id, acked.id]);
    integrityCheck();
    const indexed = (word: string) =>
      db.query("SELECT rowid FROM message_search WHERE message_search MATCH ?").all(word).length;
    expect([indexed("canceled"), indexed("acked")]).toEqual([1, 1]);
    db.query("DELETE FROM tasks WHERE task_id = ?").run(canceled.id);
    // Read from the index alone: a deleted row's entry would not survive the join to tasks.
    expect([indexed("canceled"), indexed("acked")]).toEqual([0, 1]);
    expect(found("words").map((hit) => hit.task)).toEqual([acked.id]);
    integrityCheck();
  });

  it("holds a word for the sender's session and for each party, so a search skips other sessions", () => {
    const other = seedSession(db, "other");
    const theirs = sendUnicast(db, {
      sessionId: other.sessionId,
      fromAgentId: other.directorId,
      toAgentId: other.administratorId,
      text: "shared word",
    });
    const ours = send(alice, bob, "shared word");
    const rowidOf = (taskId: string) =>
      (db.query("SELECT rowid FROM tasks WHERE task_id = ?").get(taskId) as { rowid: number }).rowid;
    const hex = (id: string) => Buffer.from(id).toString("hex");
    const matching = (expression: string) =>
      (
        db
          .query("SELECT rowid FROM message_search WHERE message_search MATCH ? ORDER BY rowid")
          .all(expression) as { rowid: number }[]
      ).map((row) => row.rowid);
    expect(matching(`body : shared AND session : s${hex(sessionId)}`)).toEqual([rowidOf(ours.id)]);
    expect(matching(`body : shared AND session : s${hex(other.sessionId)}`)).toEqual([rowidOf(theirs.id)]);
    expect(matching(`body : shared AND parties : a${hex(bob)}`)).toEqual([rowidOf(ours.id)]);
    expect(matching(`body : shared AND parties : a${hex(other.administratorId)}`)).toEqual([
      rowidOf(theirs.id),
    ]);
  });

  it("refuses a write that would change a stored message's text or type", () => {
    const task = send(alice, bob, "original words");
    const rewritten = taskJson(task.id);
    rewritten.artifacts[0].parts[0].text = "entirely different";
    expect(() =>
      db.query("UPDATE tasks SET task_json = ? WHERE task_id = ?").run(JSON.stringify(rewritten), task.id),
    ).toThrow("a message's text and type never change once stored");
    expect(() =>
      db.query("UPDATE tasks SET type = 'broadcast_summary' WHERE task_id = ?").run(task.id),
    ).toThrow("a message's text and type never change once stored");
    expect(found("original").map((hit) => hit.task)).toEqual([task.id]);
    expect(found("entirely")).toEqual([]);
  });

  it("indexes the first non-empty text part, as the timeline shows it", () => {
    const model = send(alice, bob, "model");
    const json = {
      ...taskJson(model.id),
      id: "multi-part",
      artifacts: [
        { artifactId: "a", parts: [{ kind: "text", text: "" }] },
        { artifactId: "b", parts: [{ kind: "data" }, { kind: "text", text: "second artifact words" }] },
      ],
    };
    db.query(
      `INSERT INTO tasks (task_id, context_id, from_agent_id, to_agent_id, type, created_at, status_state,
         status_timestamp, task_json) VALUES ('multi-part', ?, ?, ?, 'unicast', ?, 'input_required', ?, ?)`,
    ).run(bob, alice, bob, model.status.timestamp, model.status.timestamp, JSON.stringify(json));
    expect(found("artifact")).toEqual([{ task: "multi-part", snippet: "second [artifact] words" }]);
    db.query(
      "INSERT INTO tasks (task_id, context_id, from_agent_id, to_agent_id, type, created_at, status_state, status_timestamp, task_json) VALUES ('not-json', ?, ?, ?, 'unicast', 'x', 'input_required', 'x', '{oops')",
    ).run(bob, alice, bob);
    integrityCheck();
  });
});
