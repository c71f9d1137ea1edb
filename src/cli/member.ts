import { CafleetError } from "../errors.ts";

// Placeholder until this command group lands; it fails loudly rather than pretending.
export function memberCreate(): never {
  throw new CafleetError("this command is not built yet");
}
export function memberDelete(): never {
  throw new CafleetError("this command is not built yet");
}
export function memberList(): never {
  throw new CafleetError("this command is not built yet");
}
export function memberCapture(): never {
  throw new CafleetError("this command is not built yet");
}
export function memberSendInput(): never {
  throw new CafleetError("this command is not built yet");
}
