import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { version } from "../../package.json" with { type: "json" };
import { isolatedEnv, makeTempDir, ROOT, runCafleet } from "../support/cli.ts";

const temp = makeTempDir("cafleet-skills-");
afterAll(() => temp.cleanup());

function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((entry) => {
      const path = join(dir, entry);
      return statSync(path).isDirectory() ? filesUnder(path) : [path];
    })
    .sort();
}

/** The skills the repository ships: relative path → bytes. */
const SOURCE = join(ROOT, "skills");
const EXPECTED = filesUnder(SOURCE).map((path) => relative(SOURCE, path));

function expectedStdout(target: string): string {
  const lines = EXPECTED.map((path) => `wrote ${join(target, path)}`);
  return `${lines.join("\n")}\nInstalled 5 skills (${EXPECTED.length} files) into ${target}.\n`;
}

/** A file as the repository has it; a SKILL.md also records the binary's version in its front matter. */
function expectedBytes(path: string): Buffer {
  const source = readFileSync(join(SOURCE, path));
  if (!path.endsWith("/SKILL.md")) return source;
  const text = source.toString("utf8");
  const end = text.indexOf("\n---\n", 4) + 1;
  return Buffer.from(`${text.slice(0, end)}metadata:\n  cafleet-version: "${version}"\n${text.slice(end)}`);
}

function expectSameBytes(target: string): void {
  for (const path of EXPECTED)
    expect([path, Buffer.compare(readFileSync(join(target, path)), expectedBytes(path))]).toEqual([path, 0]);
}

describe("cafleet skills install", () => {
  const home = join(temp.dir, "home");
  mkdirSync(home);
  const env = isolatedEnv(home);

  test("writes every embedded skill file into --dir, byte for byte, creating folders", () => {
    const target = join(temp.dir, "nested", "skills");
    const result = runCafleet(["skills", "install", "--dir", target], env);
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(expectedStdout(target));
    expect(filesUnder(target).map((path) => relative(target, path))).toEqual(EXPECTED);
    expectSameBytes(target);
  });

  test("records the binary's version in each SKILL.md's front matter, after name and description", () => {
    const target = join(temp.dir, "stamped");
    expect(runCafleet(["skills", "install", "--dir", target], env).exitCode).toBe(0);
    const skills = EXPECTED.filter((path) => path.endsWith("/SKILL.md"));
    expect(skills).toHaveLength(5);
    for (const path of skills) {
      const lines = readFileSync(join(target, path), "utf8").split("\n");
      const name = path.split("/")[0];
      expect(lines.slice(0, 2)).toEqual(["---", `name: ${name}`]);
      expect(lines[2]).toStartWith("description: ");
      expect(lines.slice(3, 6)).toEqual(["metadata:", `  cafleet-version: "${version}"`, "---"]);
    }
  });

  test("overwrites its own files, leaves other files alone, and is idempotent", () => {
    const target = join(temp.dir, "existing");
    mkdirSync(join(target, "cafleet"), { recursive: true });
    mkdirSync(join(target, "my-own-skill"), { recursive: true });
    writeFileSync(join(target, "cafleet", "SKILL.md"), "stale copy\n");
    writeFileSync(join(target, "cafleet", "notes.md"), "kept\n");
    writeFileSync(join(target, "my-own-skill", "SKILL.md"), "mine\n");

    const first = runCafleet(["skills", "install", `--dir=${target}`], env);
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toBe(expectedStdout(target));
    expectSameBytes(target);
    expect(readFileSync(join(target, "cafleet", "notes.md"), "utf8")).toBe("kept\n");
    expect(readFileSync(join(target, "my-own-skill", "SKILL.md"), "utf8")).toBe("mine\n");

    const before = filesUnder(target).map((path) => [path, readFileSync(path, "utf8")]);
    const second = runCafleet(["skills", "install", "--dir", target], env);
    expect(second.exitCode).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    expect(filesUnder(target).map((path) => [path, readFileSync(path, "utf8")])).toEqual(before);
  });

  test("defaults to $HOME/.claude/skills and needs no session id", () => {
    const result = runCafleet(["skills", "install"], env);
    const target = join(home, ".claude", "skills");
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(expectedStdout(target));
    expectSameBytes(target);
  });

  test("defaults to $CLAUDE_CONFIG_DIR/skills when that moves Claude Code's folder", () => {
    const config = join(temp.dir, "claude-config");
    const result = runCafleet(["skills", "install"], { ...env, CLAUDE_CONFIG_DIR: config });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(expectedStdout(join(config, "skills")));
    expectSameBytes(join(config, "skills"));
  });

  test("a relative --dir is taken from the current directory", () => {
    const cwd = join(temp.dir, "cwd");
    mkdirSync(cwd);
    const result = runCafleet(["skills", "install", "--dir", "out"], env, { cwd });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(expectedStdout(join(cwd, "out")));
    expectSameBytes(join(cwd, "out"));
  });

  test("a target that cannot be written fails with one Error line", () => {
    const blocker = join(temp.dir, "a-file");
    writeFileSync(blocker, "not a folder\n");
    const result = runCafleet(["skills", "install", "--dir", blocker], env);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe("");
    const lines = result.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]!.startsWith(`Error: cannot write ${join(blocker, EXPECTED[0]!)}: `)).toBe(true);
  });
});
