import { join } from "node:path";
import { ROOT } from "../support/cli.ts";
import type { PrivateTmux } from "../support/tmux.ts";

/** The project's fake REPL (test/fixtures/fake-agent.sh): a prompt that records what is typed into it. */
const FAKE_AGENT_SCRIPT = join(ROOT, "test/fixtures/fake-agent.sh");

/** The command that runs the fake REPL as `name`. */
export function fakeAgentCommand(name: string): string[] {
  return ["env", `FAKE_AGENT_NAME=${name}`, "bash", FAKE_AGENT_SCRIPT];
}

/** A new background window of `tmux` running the fake REPL as `name`; returns its pane. */
export function openFakeWindow(tmux: PrivateTmux, name: string): string {
  return tmux.tmux(["new-window", "-d", "-P", "-F", "#{pane_id}", ...fakeAgentCommand(name)]).trim();
}
