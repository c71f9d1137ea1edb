import { describe, expect, it } from "bun:test";
import { markSegments } from "./search.ts";

describe("markSegments", () => {
  it("marks the matched ranges and keeps the text between them", () => {
    expect(
      markSegments("fix the flaky test now", [
        [8, 13],
        [14, 18],
      ]),
    ).toEqual([
      { text: "fix the ", marked: false },
      { text: "flaky", marked: true },
      { text: " ", marked: false },
      { text: "test", marked: true },
      { text: " now", marked: false },
    ]);
  });

  it("sorts, merges overlaps and clamps ranges outside the snippet", () => {
    expect(
      markSegments("abcdef", [
        [4, 99],
        [0, 2],
        [1, 3],
        [5, 5],
        [-3, 0],
      ]),
    ).toEqual([
      { text: "abc", marked: true },
      { text: "d", marked: false },
      { text: "ef", marked: true },
    ]);
    expect(markSegments("plain", [])).toEqual([{ text: "plain", marked: false }]);
  });
});
