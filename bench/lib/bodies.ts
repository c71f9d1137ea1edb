/**
 * Message bodies that read like a team of coding agents talking: English words and code
 * (identifiers, paths, flags, numbers) drawn with a Zipf-like skew, so a few words are in most
 * messages and most words in few, as in real traffic. Seeded: the same history every run.
 */

const WORDS = `the a to and of in is for on it that this with be as at by from or not are was have has
please can will done need review fix test tests run build failing passed merged branch commit push pull
change changes file files function module error errors warning bug issue issues check checked update
updated add added remove removed rename moved looks good thanks ok now next then after before again
still works working broken slow fast missing found see saw read write wrote line lines code style lint
typecheck schema migration query index table column row rows database server client page endpoint route
request response status header body message messages task tasks agent agents member director session
poll send ack cancel broadcast inbox timeline search snippet match matches offset offsets token tokens
deploy release version bump tag note notes docs readme comment comments reply question answer blocked
waiting idle stalled pane window tmux socket pid exit signal timeout retry lock busy wal journal vacuum
benchmark median p95 latency throughput memory cpu disk cache hit miss plan scan sort limit order group
agreed disagree maybe probably definitely tomorrow today later soon first second third last final draft
refactor cleanup split extract inline rename simplify duplicate shared single source truth contract shape`
  .split(/\s+/)
  .filter(Boolean);

const CODE = `sendUnicast sendBroadcast listInbox ackTask cancelTask getTask openDatabase bringSchemaToHead
searchMessages listTimelineMessages requireAgentInSession taskText writeTask deliverUnicast pushLine
send_message poll_inbox ack_task task_json status_state created_at origin_task_id reply_to_task_id
fetched_at notified_at from_agent_id to_agent_id context_id agent_placements user_version busy_timeout
src/broker/tasks.ts src/broker/db.ts src/server/app.ts src/cli/commands.ts web/src/App.tsx migrations.sql
test/cli/messages.test.ts bench/index.ts package.json bun.lock README.md --json --agent-id --session-id
--page-size --wait SQLITE_BUSY SQLITE_FULL ENOENT EACCES TypeError ReferenceError HTTP_404 HTTP_500
#42 #108 #311 #1024 v0.1.0 v0.2.0 1.4.4 127.0.0.1:8000 0x7fff ✓ ✗ café naïve résumé 日本語 über`
  .split(/\s+/)
  .filter(Boolean);

/** Index `n` of `list` with probability falling as 1/(n+1): r^2.5 crowds draws at the front. */
function skewed<T>(list: readonly T[], random: () => number): T {
  return list[Math.floor(random() ** 2.5 * list.length)]!;
}

export function messageBody(random: () => number): string {
  const words = 6 + Math.floor(random() * 50);
  const out: string[] = [];
  for (let n = 0; n < words; n++) {
    out.push(random() < 0.2 ? skewed(CODE, random) : skewed(WORDS, random));
    if (random() < 0.04) out.push(".\n");
  }
  return out.join(" ").replaceAll(" .\n ", ".\n");
}

export const VOCABULARY = { words: WORDS, code: CODE };
