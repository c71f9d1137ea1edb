import { type Env, runCafleet } from "../support/cli.ts";

export type Seeded = {
  sessionId: string;
  administratorId: string;
  directorId: string;
  claudeId: string;
  reviewerId: string;
};

function cafleet(args: string[], env: Env): string {
  const result = runCafleet(args, env);
  if (result.exitCode !== 0) throw new Error(`cafleet ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

/** A session made the way a user makes it: `session create` in a tmux pane, then `register`. */
export function seedSession(paneEnv: Env): Seeded {
  const created = JSON.parse(cafleet(["session", "create", "--label", "demo", "--json"], paneEnv));
  const sessionId: string = created.session_id;
  const register = (name: string, description: string) =>
    JSON.parse(
      cafleet(
        ["--session-id", sessionId, "--json", "register", "--name", name, "--description", description],
        paneEnv,
      ),
    ).agent_id as string;
  return {
    sessionId,
    administratorId: created.administrator_agent_id,
    directorId: created.director.agent_id,
    claudeId: register("Claude-A", "writes code"),
    reviewerId: register("reviewer-bot", "reviews pull requests"),
  };
}

export function cliSend(env: Env, seeded: Seeded, from: string, to: string, text: string): string {
  return JSON.parse(
    cafleet(
      ["--session-id", seeded.sessionId, "--json", "send", "--agent-id", from, "--to", to, "--text", text],
      env,
    ),
  ).task.id;
}

export function cliBroadcast(env: Env, seeded: Seeded, from: string, text: string): string {
  return JSON.parse(
    cafleet(
      ["--session-id", seeded.sessionId, "--json", "broadcast", "--agent-id", from, "--text", text],
      env,
    ),
  )[0].task.id;
}

export function cliAck(env: Env, seeded: Seeded, agent: string, taskId: string): void {
  cafleet(["--session-id", seeded.sessionId, "ack", "--agent-id", agent, "--task-id", taskId], env);
}

export function cliCancel(env: Env, seeded: Seeded, agent: string, taskId: string): void {
  cafleet(["--session-id", seeded.sessionId, "cancel", "--agent-id", agent, "--task-id", taskId], env);
}
