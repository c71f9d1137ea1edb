/**
 * The ad-hoc signer against Bun's own: a tiny program cross-compiled for darwin-arm64 (which Bun
 * signs ad hoc) and darwin-x64 (which keeps the runtime's stale signature). Uses the Bun runtimes
 * `bun run release` already fetched; the first run anywhere fetches them from the npm registry.
 */
import { afterAll, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { hasValidSignature, signAdhoc, signatureOffset } from "../../scripts/macho-sign.ts";
import { makeTempDir } from "../support/cli.ts";

const temp = makeTempDir("cafleet-macho-");
afterAll(() => temp.cleanup());
const entry = join(temp.dir, "hello.ts");
writeFileSync(entry, 'console.log("hello");\n');

function compileFor(target: string, source = entry): string {
  const outfile = join(temp.dir, `${target}-${source.split("/").pop()}`);
  const result = Bun.spawnSync(
    [process.execPath, "build", "--compile", `--target=${target}`, source, "--outfile", outfile],
    { stdout: "pipe", stderr: "pipe" },
  );
  if (result.exitCode !== 0) throw new Error(`bun build failed: ${result.stderr.toString()}`);
  return outfile;
}

test("re-signing Bun's ad-hoc darwin-arm64 output reproduces it byte for byte", () => {
  const binary = compileFor("bun-darwin-arm64");
  const bunSigned = readFileSync(binary);
  expect(hasValidSignature(binary)).toBe(true);
  signAdhoc(binary);
  expect(readFileSync(binary).equals(bunSigned)).toBe(true);
}, 120_000);

test("darwin-x64: the stale signature is detected and replaced by a valid ad-hoc one", () => {
  const binary = compileFor("bun-darwin-x64");
  expect(hasValidSignature(binary)).toBe(false);
  const before = readFileSync(binary);
  signAdhoc(binary);
  expect(hasValidSignature(binary)).toBe(true);
  const after = readFileSync(binary);
  // Past the load commands only the signature changes, and it now ends the file.
  const offset = signatureOffset(after);
  expect(offset).toBe(signatureOffset(before));
  expect(after.subarray(4096, offset).equals(before.subarray(4096, offset))).toBe(true);
  expect(after.readUInt32BE(offset + 4)).toBe(after.length - offset);
  // One flipped byte of code breaks it again.
  after[offset - 1] = (after[offset - 1] ?? 0) ^ 0xff;
  writeFileSync(binary, after);
  expect(hasValidSignature(binary)).toBe(false);
}, 120_000);

test("darwin-x64 grown past the space Bun reserved: __LINKEDIT grows with the signature", () => {
  // 40 MB of incompressible bytes push the file past what the runtime's signature space covers.
  writeFileSync(join(temp.dir, "blob.bin"), crypto.getRandomValues(new Uint8Array(40 * 1024 * 1024)));
  const big = join(temp.dir, "big.ts");
  writeFileSync(big, 'import blob from "./blob.bin" with { type: "file" };\nconsole.log(blob);\n');
  const binary = compileFor("bun-darwin-x64", big);
  const reserved = readFileSync(binary);
  const offset = signatureOffset(reserved);
  signAdhoc(binary);
  const signed = readFileSync(binary);
  expect(signed.length - offset).toBeGreaterThan(reserved.length - offset);
  expect(hasValidSignature(binary)).toBe(true);
}, 120_000);
