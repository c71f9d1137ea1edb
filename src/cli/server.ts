import { CafleetError } from "../errors.ts";

// Placeholder until this command group lands; it fails loudly rather than pretending.
export function serve(): never {
  throw new CafleetError("this command is not built yet");
}
