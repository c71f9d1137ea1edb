import { openDatabase } from "../broker/db.ts";
import { HEAD_VERSION } from "../broker/schema.ts";
import { printLine } from "../output.ts";

export async function dbInit(): Promise<void> {
  const { db, path, outcome } = openDatabase();
  db.close();
  switch (outcome.kind) {
    case "created":
      return printLine(`Created ${path} and applied migrations to head (${HEAD_VERSION}).`);
    case "at-head":
      return printLine(`Already at head (${HEAD_VERSION}); nothing to do.`);
    case "upgraded":
      return printLine(`Upgraded from ${outcome.from} to ${HEAD_VERSION}.`);
    case "adopted":
      return printLine(
        `Adopted the existing CAFleet database at ${path} (revision 0008) and brought it to head (${HEAD_VERSION}).`,
      );
  }
}
