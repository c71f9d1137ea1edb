/**
 * Lays out the npm distribution in the style of esbuild: one package per platform
 * (`@cafleet/linux-x64` holding bin/cafleet) and the `cafleet` package, whose `bin` is the shim in
 * npm/cafleet/bin/cafleet.js and whose optionalDependencies name every platform package; npm
 * installs only the one whose `os`/`cpu` match. `npm pack` turns each folder into a tarball.
 *
 * bun run scripts/npm-packages.ts: package the dist/cafleet-<os>-<arch> files that exist into
 * dist/npm/, then pack them there.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { description, license, version } from "../package.json" with { type: "json" };
import { binaryName, npmPackageName, PLATFORMS, type Platform, platformKey } from "./platforms.ts";

const root = join(import.meta.dir, "..");
const SHIM = join(root, "npm/cafleet/bin/cafleet.js");
const README = join(root, "npm/cafleet/README.md");
const LICENSE = join(root, "LICENSE");

const OS_NAMES: Record<Platform["os"], string> = { linux: "Linux", darwin: "macOS" };

function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** A fresh folder `outDir/<name>` holding a package for `platform` with `binary` as bin/cafleet. */
export function writePlatformPackage(platform: Platform, binary: string, outDir: string): string {
  const dir = join(outDir, platformKey(platform));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "bin"), { recursive: true });
  copyFileSync(binary, join(dir, "bin/cafleet"));
  chmodSync(join(dir, "bin/cafleet"), 0o755);
  copyFileSync(LICENSE, join(dir, "LICENSE"));
  writeJson(join(dir, "package.json"), {
    name: npmPackageName(platform),
    version,
    description: `The cafleet binary for ${OS_NAMES[platform.os]} ${platform.arch}.`,
    license,
    os: [platform.os],
    cpu: [platform.arch],
    // Bun's Linux builds link against glibc; npm skips this package on musl.
    ...(platform.os === "linux" ? { libc: ["glibc"] } : {}),
    files: ["bin/cafleet"],
    preferUnplugged: true,
  });
  writeFileSync(
    join(dir, "README.md"),
    `# ${npmPackageName(platform)}\n\nThe prebuilt \`cafleet\` binary for ${OS_NAMES[platform.os]} ${platform.arch}. Install \`cafleet\` instead; it picks this package when it fits the machine.\n`,
  );
  return dir;
}

/** A fresh folder `outDir/cafleet`: the shim, its README, and every platform package as optional. */
export function writeMainPackage(outDir: string): string {
  const dir = join(outDir, "cafleet");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "bin"), { recursive: true });
  copyFileSync(SHIM, join(dir, "bin/cafleet.js"));
  chmodSync(join(dir, "bin/cafleet.js"), 0o755);
  copyFileSync(README, join(dir, "README.md"));
  copyFileSync(LICENSE, join(dir, "LICENSE"));
  writeJson(join(dir, "package.json"), {
    name: "cafleet",
    version,
    description,
    license,
    bin: { cafleet: "bin/cafleet.js" },
    files: ["bin/cafleet.js"],
    optionalDependencies: Object.fromEntries(
      PLATFORMS.map((platform) => [npmPackageName(platform), version]),
    ),
    engines: { node: ">=16" },
  });
  return dir;
}

/** `npm pack` of a package folder into `destination`; returns the tarball's path. */
export function npmPack(
  dir: string,
  destination: string,
  env: Record<string, string | undefined> = process.env,
): string {
  const result = Bun.spawnSync(["npm", "pack", "--json", "--pack-destination", destination], {
    cwd: dir,
    env,
    stdout: "pipe",
    stderr: "pipe",
  });
  if (result.exitCode !== 0) throw new Error(`npm pack ${dir} failed: ${result.stderr.toString()}`);
  const [packed] = JSON.parse(result.stdout.toString()) as { filename: string }[];
  if (!packed) throw new Error(`npm pack ${dir} printed no tarball`);
  return join(destination, packed.filename);
}

/** Every platform package whose binary is in `distDir`, plus the main package; all packed. */
export function buildNpmPackages(distDir: string, outDir: string): string[] {
  mkdirSync(outDir, { recursive: true });
  const dirs: string[] = [];
  for (const platform of PLATFORMS) {
    const binary = join(distDir, binaryName(platform));
    if (existsSync(binary)) dirs.push(writePlatformPackage(platform, binary, outDir));
  }
  if (dirs.length === 0)
    throw new Error(`no dist/cafleet-<os>-<arch> binaries in ${distDir}: run bun run release`);
  dirs.push(writeMainPackage(outDir));
  return dirs.map((dir) => npmPack(dir, outDir));
}

if (import.meta.main) {
  for (const tarball of buildNpmPackages(join(root, "dist"), join(root, "dist/npm"))) console.log(tarball);
}
