/**
 * Concurrent writers: WRITERS processes at once, each running `cafleet send` UNICASTS times and
 * `cafleet broadcast` BROADCASTS times in a row, into one session of TEAM agents. Every text is
 * unique, so the stored rows show what was lost or duplicated; every command's exit code and
 * stderr show whether SQLITE_BUSY (or anything else) reached the user.
 */
import type { Backend } from "../test/support/backends.ts";
import { createTeam, makeWorkspace, openWorkspaceDb } from "./lib/fixture.ts";
import { BINARY } from "./lib/run.ts";
import { sized } from "./lib/stats.ts";
import type { Row } from "./lib/table.ts";

const TEAM = 50;
const WRITERS = 16;

type Failure = { argv: string[]; exitCode: number; stderr: string };

async function runCommand(argv: string[], env: Record<string, string>): Promise<Failure | null> {
  const proc = Bun.spawn(argv, { env, stdout: "ignore", stderr: "pipe" });
  const [exitCode, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
  return exitCode === 0 && stderr === "" ? null : { argv, exitCode, stderr };
}

export async function concurrentWriters(
  backend: Backend = "sqlite",
  size: { unicasts: number; broadcasts: number } = { unicasts: sized(500, 40), broadcasts: sized(50, 4) },
  figure = "concurrent writers",
): Promise<Row[]> {
  const { unicasts, broadcasts } = size;
  const workspace = makeWorkspace("writers", backend);
  try {
    const db = openWorkspaceDb(workspace);
    const team = createTeam(db, TEAM - 1);
    const agents = [team.directorId, ...team.agentIds];
    db.close();

    const failures: Failure[] = [];
    let sentUnicasts = 0;
    let sentBroadcasts = 0;
    const every = Math.floor((unicasts + broadcasts) / broadcasts);
    const writer = async (index: number) => {
      const from = agents[index % agents.length]!;
      const base = [BINARY, "--session-id", team.sessionId];
      for (let n = 0; n < unicasts + broadcasts; n++) {
        // Broadcasts spread through the unicasts rather than bunched at the end.
        const isBroadcast = n % every === every - 1;
        const text = `w${index}-${n}`;
        const to = agents[(index + n + 1) % agents.length]!;
        const argv = isBroadcast
          ? [...base, "broadcast", "--agent-id", from, "--text", text]
          : [...base, "send", "--agent-id", from, "--to", to === from ? agents[0]! : to, "--text", text];
        if (isBroadcast) sentBroadcasts++;
        else sentUnicasts++;
        const failure = await runCommand(argv, workspace.env);
        if (failure) failures.push(failure);
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: WRITERS }, (_, index) => writer(index)));
    const seconds = (performance.now() - started) / 1000;

    const check = openWorkspaceDb(workspace);
    type Count = { kind: string; texts: number; rows: number };
    const counts = check
      .query(
        `SELECT type AS kind, COUNT(DISTINCT json_extract(task_json, '$.artifacts[0].parts[0].text')) AS texts,
           COUNT(*) AS rows FROM tasks GROUP BY type`,
      )
      .all() as Count[];
    // Unicast rows: direct sends plus one per broadcast recipient (TEAM - 1 peers, Administrator excluded).
    const broadcastCount = check
      .query("SELECT COUNT(*) AS n FROM tasks WHERE type = 'broadcast_summary'")
      .get() as { n: number };
    const duplicated = check
      .query(
        `SELECT COUNT(*) AS n FROM (SELECT context_id, json_extract(task_json, '$.artifacts[0].parts[0].text') AS text
           FROM tasks WHERE type = 'unicast' GROUP BY context_id, text HAVING COUNT(*) > 1) AS repeated`,
      )
      .get() as { n: number };
    check.close();
    const unicastRows = counts.find((count) => count.kind === "unicast")?.rows ?? 0;
    const storedBroadcasts = broadcastCount.n;
    const expectedBroadcasts = sentBroadcasts;
    // Each broadcast reaches every peer but the sender (the Administrator is never a recipient).
    const expectedUnicastRows = sentUnicasts + sentBroadcasts * (TEAM - 1);
    const lost =
      Math.max(0, expectedUnicastRows - unicastRows) + Math.max(0, expectedBroadcasts - storedBroadcasts);
    const busy = failures.filter((failure) => /BUSY|LOCKED|locked/i.test(failure.stderr)).length;
    const commands = WRITERS * (unicasts + broadcasts);
    const sizeNote = `${WRITERS} processes, ${sentUnicasts} sends + ${sentBroadcasts} broadcasts in all, ${TEAM} agents`;
    const firstFailure = failures[0] ? `; first failure: ${failures[0].stderr.trim().slice(0, 120)}` : "";
    return [
      {
        figure,
        measure: "lost deliveries",
        value: lost,
        unit: "",
        target: "0",
        holds: lost === 0,
        note: `${unicastRows} deliveries + ${storedBroadcasts} broadcasts stored, ${expectedUnicastRows} + ${expectedBroadcasts} expected; ${sizeNote}`,
      },
      {
        figure,
        measure: "duplicated deliveries",
        value: duplicated.n + Math.max(0, unicastRows - expectedUnicastRows),
        unit: "",
        target: "0",
        holds: duplicated.n === 0 && unicastRows <= expectedUnicastRows,
      },
      {
        figure,
        measure: "SQLITE_BUSY / failed commands",
        value: failures.length,
        unit: "",
        target: "0",
        holds: failures.length === 0,
        note: `${busy} busy/locked among ${failures.length} failures${firstFailure}`,
      },
      {
        figure,
        measure: "aggregate commands/s",
        value: commands / seconds,
        unit: "cmd/s",
        target: "report",
        holds: null,
        note: `${commands} commands in ${seconds.toFixed(1)} s; ${(unicastRows / seconds).toFixed(0)} deliveries/s`,
      },
    ];
  } finally {
    workspace.dispose();
  }
}
