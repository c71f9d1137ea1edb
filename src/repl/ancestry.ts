import { readFileSync } from "node:fs";

/**
 * Which REPL runs the calling process: `cafleet session create` is usually run by the root
 * Director's own Claude Code or Codex (its Bash tool), so that REPL is an ancestor. Read from
 * /proc (Linux); elsewhere, or when nothing matches, the REPL is `unknown` and the push holds
 * for any screen it does not recognise.
 */
export type DetectedRepl = "claude" | "codex" | "unknown";

const MAX_DEPTH = 16;

function readProc(pid: number): { ppid: number; argv: string[] } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name sits in parentheses and may itself hold spaces or ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    return { ppid: Number(fields[1]), argv };
  } catch {
    return null;
  }
}

const INTERPRETERS = new Set(["node", "bun", "bash", "sh"]);

/**
 * A process is Claude Code or Codex by its program name (both ship native binaries), by the
 * script an interpreter runs (a launcher or wrapper named after it), or by the npm package a
 * node runs.
 */
export function replOfArgv(argv: string[]): DetectedRepl {
  const [program, script] = argv.slice(0, 2).map((word) => word.split("/").at(-1) ?? word);
  const name = program && INTERPRETERS.has(program) ? script : program;
  const joined = argv.slice(0, 2).join(" ");
  // The native installer runs ~/.local/share/claude/versions/<version>.
  if (name === "claude" || /@anthropic-ai\/claude-code\/|\/claude\/versions\//.test(joined)) return "claude";
  if (name === "codex" || name === "codex.js" || /@openai\/codex\//.test(joined)) return "codex";
  return "unknown";
}

export function detectAncestorRepl(startPid: number = process.ppid): DetectedRepl {
  let pid = startPid;
  for (let depth = 0; depth < MAX_DEPTH && pid > 1; depth++) {
    const proc = readProc(pid);
    if (!proc) return "unknown";
    const repl = replOfArgv(proc.argv);
    if (repl !== "unknown") return repl;
    pid = proc.ppid;
  }
  return "unknown";
}
