import { describe, expect, test } from "bun:test";
import { freshness, stampedVersion, stampVersion } from "./version.ts";

const SKILL = "---\nname: cafleet\ndescription: Use the broker.\n---\n\n# cafleet\n\n---\n";

describe("the version stamp in SKILL.md front matter", () => {
  test("goes under metadata, after the skill's own fields, and leaves the body alone", () => {
    expect(stampVersion(SKILL, "0.1.0")).toBe(
      '---\nname: cafleet\ndescription: Use the broker.\nmetadata:\n  cafleet-version: "0.1.0"\n---\n\n# cafleet\n\n---\n',
    );
  });

  test("reads back what it wrote, and null from a file without one", () => {
    expect(stampedVersion(stampVersion(SKILL, "1.2.3-rc.1"))).toBe("1.2.3-rc.1");
    expect(stampedVersion(SKILL)).toBeNull();
    expect(stampedVersion("# no front matter\n")).toBeNull();
    expect(stampedVersion("---\nname: x\n---\nmetadata:\n  cafleet-version: 1.0.0\n")).toBeNull();
  });

  test("reads an unquoted value among other metadata keys", () => {
    const text = "---\nname: x\nmetadata:\n  author: me\n  cafleet-version: 0.2.0\n---\n";
    expect(stampedVersion(text)).toBe("0.2.0");
  });

  test("refuses a file without front matter", () => {
    expect(() => stampVersion("# bare\n", "0.1.0")).toThrow("has no front matter");
  });
});

describe("freshness against the binary's version", () => {
  test.each([
    ["0.1.0", "0.1.0", "current"],
    ["0.0.9", "0.1.0", "older"],
    ["0.9.0", "0.10.0", "older"],
    ["0.1.0-rc.1", "0.1.0", "older"],
    ["0.1.0", "0.1.0-rc.1", "newer"],
    ["1.0.0", "0.1.0", "newer"],
    [null, "0.1.0", "unrecorded"],
  ] as const)("%p against %p is %p", (recorded, binary, expected) => {
    expect(freshness(recorded, binary)).toBe(expected);
  });
});
