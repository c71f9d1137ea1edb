/**
 * Ad-hoc code signatures of macOS executables, checked and rewritten without Apple's tools.
 *
 * `bun build --compile` appends the program to a copy of the Bun runtime. For darwin-arm64 Bun
 * 1.4.4 then writes a fresh ad-hoc signature; for darwin-x64 it keeps the runtime's own
 * Developer ID signature, whose page hashes no longer match the grown file, and macOS may kill
 * such a process. signAdhoc() writes the signature Bun writes for arm64 (one CodeDirectory,
 * SHA-256 over 4 KiB pages of everything before the signature) into the space
 * LC_CODE_SIGNATURE already reserves.
 */
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";

const MH_MAGIC_64 = 0xfeedfacf;
const LC_SEGMENT_64 = 0x19;
const LC_CODE_SIGNATURE = 0x1d;
const CSMAGIC_EMBEDDED_SIGNATURE = 0xfade0cc0;
const CSMAGIC_CODEDIRECTORY = 0xfade0c02;
const CS_ADHOC = 0x2;
const CS_LINKER_SIGNED = 0x20000;
const CS_EXECSEG_MAIN_BINARY = 0x1;
const CD_VERSION = 0x20400;
const CD_HEADER_SIZE = 88;
const IDENTIFIER = "a.out";
const PAGE_SHIFT = 12;
const PAGE_SIZE = 1 << PAGE_SHIFT;
const HASH_SIZE = 32;
/** Segment sizes in memory are whole pages: 16 KiB covers arm64 and x86_64 alike. */
const SEGMENT_ALIGNMENT = 16384;
const SHA256 = 2;

type Layout = {
  /** Offsets in the file of the fields rewritten when the signature's size changes. */
  signatureCommand: number;
  linkeditCommand: number;
  linkeditFileOffset: number;
  linkeditVmSize: number;
  linkeditFileSize: number;
  signatureOffset: number;
  signatureSpace: number;
  textFileOffset: number;
  textFileSize: number;
};

function readLayout(file: Buffer): Layout {
  if (file.readUInt32LE(0) !== MH_MAGIC_64) throw new Error("not a thin 64-bit Mach-O file");
  const commandCount = file.readUInt32LE(16);
  const layout: Partial<Layout> = {};
  let offset = 32;
  for (let index = 0; index < commandCount; index++) {
    const command = file.readUInt32LE(offset);
    if (command === LC_SEGMENT_64) {
      const name = file.toString("latin1", offset + 8, offset + 24).replace(/\0+$/, "");
      if (name === "__TEXT") {
        layout.textFileOffset = Number(file.readBigUInt64LE(offset + 40));
        layout.textFileSize = Number(file.readBigUInt64LE(offset + 48));
      }
      if (name === "__LINKEDIT") {
        layout.linkeditCommand = offset;
        layout.linkeditVmSize = Number(file.readBigUInt64LE(offset + 32));
        layout.linkeditFileOffset = Number(file.readBigUInt64LE(offset + 40));
        layout.linkeditFileSize = Number(file.readBigUInt64LE(offset + 48));
      }
    }
    if (command === LC_CODE_SIGNATURE) {
      layout.signatureCommand = offset;
      layout.signatureOffset = file.readUInt32LE(offset + 8);
      layout.signatureSpace = file.readUInt32LE(offset + 12);
    }
    offset += file.readUInt32LE(offset + 4);
  }
  const { signatureCommand, linkeditCommand, textFileSize } = layout;
  if (signatureCommand === undefined) throw new Error("no LC_CODE_SIGNATURE to fill");
  if (linkeditCommand === undefined || textFileSize === undefined) throw new Error("no __TEXT or __LINKEDIT");
  return layout as Layout;
}

function pageHash(file: Buffer, page: number, codeLimit: number): Buffer {
  const start = page * PAGE_SIZE;
  return createHash("sha256")
    .update(file.subarray(start, Math.min(start + PAGE_SIZE, codeLimit)))
    .digest();
}

const SUPERBLOB_HEADER_SIZE = 20;
const HASH_OFFSET = CD_HEADER_SIZE + IDENTIFIER.length + 1;

function signatureLength(codeLimit: number): number {
  return SUPERBLOB_HEADER_SIZE + HASH_OFFSET + Math.ceil(codeLimit / PAGE_SIZE) * HASH_SIZE;
}

/** The embedded signature: a SuperBlob holding one ad-hoc CodeDirectory for `file[0, codeLimit)`. */
function adhocSignature(file: Buffer, layout: Layout): Buffer {
  const codeLimit = layout.signatureOffset;
  const pages = Math.ceil(codeLimit / PAGE_SIZE);
  const hashOffset = HASH_OFFSET;
  const directory = Buffer.alloc(hashOffset + pages * HASH_SIZE);
  directory.writeUInt32BE(CSMAGIC_CODEDIRECTORY, 0);
  directory.writeUInt32BE(directory.length, 4);
  directory.writeUInt32BE(CD_VERSION, 8);
  directory.writeUInt32BE(CS_ADHOC | CS_LINKER_SIGNED, 12);
  directory.writeUInt32BE(hashOffset, 16);
  directory.writeUInt32BE(CD_HEADER_SIZE, 20);
  directory.writeUInt32BE(0, 24); // no special slots
  directory.writeUInt32BE(pages, 28);
  directory.writeUInt32BE(codeLimit, 32);
  directory.writeUInt8(HASH_SIZE, 36);
  directory.writeUInt8(SHA256, 37);
  directory.writeUInt8(PAGE_SHIFT, 39);
  directory.writeBigUInt64BE(BigInt(layout.textFileOffset), 64);
  directory.writeBigUInt64BE(BigInt(layout.textFileSize), 72);
  directory.writeBigUInt64BE(BigInt(CS_EXECSEG_MAIN_BINARY), 80);
  directory.write(IDENTIFIER, CD_HEADER_SIZE, "latin1");
  for (let page = 0; page < pages; page++)
    pageHash(file, page, codeLimit).copy(directory, hashOffset + page * HASH_SIZE);
  const header = Buffer.alloc(SUPERBLOB_HEADER_SIZE);
  header.writeUInt32BE(CSMAGIC_EMBEDDED_SIGNATURE, 0);
  header.writeUInt32BE(header.length + directory.length, 4);
  header.writeUInt32BE(1, 8);
  header.writeUInt32BE(0, 12); // slot 0: the CodeDirectory
  header.writeUInt32BE(header.length, 16);
  return Buffer.concat([header, directory]);
}

/** Where the file's code signature starts (everything before it is what the signature covers). */
export function signatureOffset(file: Buffer): number {
  return readLayout(file).signatureOffset;
}

/** Whether the signature lies inside __LINKEDIT, whose mapping covers its bytes in the file. */
function signatureFits(file: Buffer, layout: Layout): boolean {
  const linkeditEnd = layout.linkeditFileOffset + layout.linkeditFileSize;
  const blobLength = file.readUInt32BE(layout.signatureOffset + 4);
  return (
    blobLength <= layout.signatureSpace &&
    layout.signatureOffset + layout.signatureSpace <= linkeditEnd &&
    linkeditEnd <= file.length &&
    layout.linkeditFileSize <= layout.linkeditVmSize
  );
}

/** Whether the file's CodeDirectory covers all code, every page hash matches, and the layout holds. */
export function hasValidSignature(path: string): boolean {
  const file = readFileSync(path);
  const layout = readLayout(file);
  const base = layout.signatureOffset;
  if (file.readUInt32BE(base) !== CSMAGIC_EMBEDDED_SIGNATURE || !signatureFits(file, layout)) return false;
  const count = file.readUInt32BE(base + 8);
  for (let index = 0; index < count; index++) {
    const directory = base + file.readUInt32BE(base + 16 + index * 8);
    if (file.readUInt32BE(directory) !== CSMAGIC_CODEDIRECTORY) continue;
    const hashOffset = file.readUInt32BE(directory + 16);
    const pages = file.readUInt32BE(directory + 28);
    const codeLimit = file.readUInt32BE(directory + 32);
    const hashSize = file.readUInt8(directory + 36);
    if (file.readUInt8(directory + 37) !== SHA256 || file.readUInt8(directory + 39) !== PAGE_SHIFT)
      return false;
    if (codeLimit !== base || pages !== Math.ceil(codeLimit / PAGE_SIZE)) return false;
    for (let page = 0; page < pages; page++) {
      const stored = file.subarray(
        directory + hashOffset + page * hashSize,
        directory + hashOffset + (page + 1) * hashSize,
      );
      if (!pageHash(file, page, codeLimit).subarray(0, hashSize).equals(stored)) return false;
    }
    return true;
  }
  return false;
}

/** Replaces the signature of the Mach-O executable at `path` with a fresh ad-hoc one. */
export function signAdhoc(path: string): void {
  const original = readFileSync(path);
  const layout = readLayout(original);
  const length = signatureLength(layout.signatureOffset);
  // A bigger signature than the space reserved grows __LINKEDIT, which must then end the file.
  if (length > layout.signatureSpace && layout.signatureOffset + layout.signatureSpace < original.length)
    throw new Error("the code signature is not at the end of the file");
  // The load commands are hashed too, so they get the new sizes first. The file then ends with
  // the signature, as Bun's own ad-hoc signing leaves it.
  const code = Buffer.from(original.subarray(0, layout.signatureOffset));
  const linkeditFileSize = layout.signatureOffset + length - layout.linkeditFileOffset;
  code.writeUInt32LE(length, layout.signatureCommand + 12);
  code.writeBigUInt64LE(BigInt(linkeditFileSize), layout.linkeditCommand + 48);
  if (linkeditFileSize > layout.linkeditVmSize)
    code.writeBigUInt64LE(
      BigInt(Math.ceil(linkeditFileSize / SEGMENT_ALIGNMENT) * SEGMENT_ALIGNMENT),
      layout.linkeditCommand + 32,
    );
  writeFileSync(path, Buffer.concat([code, adhocSignature(code, layout)]));
}
