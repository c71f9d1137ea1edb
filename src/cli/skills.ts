import { CafleetError } from "../errors.ts";

// Placeholder until this command group lands; it fails loudly rather than pretending.
export function skillsInstall(): never {
  throw new CafleetError("this command is not built yet");
}
