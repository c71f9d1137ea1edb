/** dist/SHA256SUMS must be what `sha256sum -c` verifies after a download. */
import { afterAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { checksumLines } from "../../release.ts";
import { makeTempDir } from "../support/cli.ts";

const temp = makeTempDir("cafleet-sums-");
afterAll(() => temp.cleanup());

test("sha256sum format: verifies, and a changed file fails", () => {
  const a = join(temp.dir, "cafleet-linux-x64");
  const b = join(temp.dir, "cafleet-darwin-arm64");
  writeFileSync(a, "abc");
  writeFileSync(b, "");
  const sums = checksumLines([a, b]);
  expect(sums).toBe(
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  cafleet-linux-x64\n" +
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  cafleet-darwin-arm64\n",
  );
  writeFileSync(join(temp.dir, "SHA256SUMS"), sums);
  const check = () =>
    Bun.spawnSync(["sha256sum", "-c", "SHA256SUMS"], { cwd: temp.dir, stdout: "pipe", stderr: "pipe" });
  const ok = check();
  expect(ok.exitCode).toBe(0);
  expect(ok.stdout.toString()).toBe("cafleet-linux-x64: OK\ncafleet-darwin-arm64: OK\n");
  writeFileSync(b, "tampered");
  expect(check().exitCode).toBe(1);
});
