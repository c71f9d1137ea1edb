import { describe, expect, it } from "bun:test";
import { normalizeSince, nowIso } from "./time.ts";

describe("nowIso", () => {
  it("prints six fractional digits and +00:00, close to the wall clock", () => {
    const stamp = nowIso();
    expect(stamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/);
    expect(
      Math.abs(Date.parse(stamp.replace("+00:00", "Z").replace(/(\.\d{3})\d{3}/, "$1")) - Date.now()),
    ).toBeLessThan(50);
  });

  it("is strictly increasing within a process", () => {
    const stamps = Array.from({ length: 2000 }, () => nowIso());
    for (let index = 1; index < stamps.length; index++)
      expect(stamps[index]! > stamps[index - 1]!).toBe(true);
  });
});

describe("normalizeSince", () => {
  it.each([
    ["2026-03-28T12:00:00Z", "2026-03-28T12:00:00.000000+00:00"],
    ["2026-03-28T12:00:00", "2026-03-28T12:00:00.000000+00:00"],
    ["2026-03-28T12:00:00+00:00", "2026-03-28T12:00:00.000000+00:00"],
    ["2026-03-28T21:00:00+09:00", "2026-03-28T12:00:00.000000+00:00"],
    ["2026-03-28T01:30:00-02:00", "2026-03-28T03:30:00.000000+00:00"],
    ["2026-03-28T00:30:00.5+01:00", "2026-03-27T23:30:00.500000+00:00"],
    ["2026-03-28T12:00:00.123456789Z", "2026-03-28T12:00:00.123456+00:00"],
    ["2026-04-16T08:50:00.123456+00:00", "2026-04-16T08:50:00.123456+00:00"],
    ["2026-04-16T08:50:00.999999+00:00", "2026-04-16T08:50:00.999999+00:00"],
    ["2026-03-28 12:00:00z", "2026-03-28T12:00:00.000000+00:00"],
    ["2026-03-28T12:00Z", "2026-03-28T12:00:00.000000+00:00"],
    ["2026-03-28T12:00:00+0530", "2026-03-28T06:30:00.000000+00:00"],
    ["2024-02-29T23:59:59.5-00:30", "2024-03-01T00:29:59.500000+00:00"],
    [" 2026-03-28T12:00:00Z ", "2026-03-28T12:00:00.000000+00:00"],
  ])("normalises %s", (input, expected) => {
    expect(normalizeSince(input)).toBe(expected);
  });

  it.each([
    "yesterday",
    "",
    "0",
    "2026",
    "2026-13-45T99:00:00Z",
    "2026-02-30T00:00:00Z",
    "2025-02-29T00:00:00Z",
    "2026-03-28T24:00:00Z",
    "2026-03-28T12:60:00Z",
    "2026-03-28T12:00:60Z",
    "2026-03-28T12:00:00+25:00",
    "2026-03-28T12:00:00.Z",
  ])("compares %p raw", (input) => {
    expect(normalizeSince(input)).toBe(input);
  });
});
