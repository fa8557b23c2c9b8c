// Reads a spec file someone else may have written: only regular files, at most
// MAX_FILE_BYTES, UTF-8 text. Never blocks on a FIFO or device and never reads
// more than the cap, so `import "/dev/zero"` or a named pipe answers at once.

import { kindOf } from "./file-kind.js";
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from "node:fs";

/** The largest spec netc reads or parses (the one constant for the whole program). */
export const MAX_FILE_BYTES = 8 * 1024 * 1024;

export type ReadProblemKind = "missing" | "directory" | "not-regular" | "too-large" | "unreadable" | "not-text";

/** Why a file could not be used as a spec; `reason` does not repeat the path. */
export interface ReadProblem {
  problem: ReadProblemKind;
  reason: string;
}

// O_NONBLOCK: should the path become a FIFO between stat and open, open returns
// at once instead of waiting for a writer (fstat then refuses it). Windows has
// neither flag; there a FIFO cannot appear under a regular path anyway.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The text of a spec file, or why it cannot be one. Never throws and never blocks. */
export function readSpecFile(path: string): string | ReadProblem {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (e) {
    return fromError(e);
  }
  const refused = refuse(st);
  if (refused) return refused;
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (e) {
    return fromError(e);
  }
  try {
    // The file may have been swapped since stat: judge what was actually opened.
    const again = refuse(fstatSync(fd));
    if (again) return again;
    const bytes = readCapped(fd, fstatSync(fd).size);
    if (bytes === undefined) return { problem: "too-large", reason: `it grew past ${limitText()} while being read` };
    return decode(bytes);
  } catch (e) {
    return fromError(e);
  } finally {
    try {
      closeSync(fd);
    } catch {
      /* nothing more to do with it */
    }
  }
}

/** Describes a file that is not a regular file of an acceptable size (the editor's import cache asks too). */
export function refuse(st: Pick<Stats, "isFile" | "size"> & Partial<Stats>): ReadProblem | undefined {
  if (st.isDirectory?.()) return { problem: "directory", reason: "it is a directory" };
  if (!st.isFile()) return { problem: "not-regular", reason: `it is ${kindOf(st as Stats)}, not a regular file` };
  if (st.size > MAX_FILE_BYTES) return { problem: "too-large", reason: `it is ${st.size} bytes, more than ${limitText()}` };
  return undefined;
}


function limitText(): string {
  return `the ${MAX_FILE_BYTES / (1024 * 1024)} MiB (${MAX_FILE_BYTES} bytes) a spec may have`;
}

/** At most MAX_FILE_BYTES + 1 bytes (undefined beyond the cap); sizes from stat are only a hint (/proc says 0). */
function readCapped(fd: number, hint: number): Buffer | undefined {
  let buf = Buffer.allocUnsafe(Math.min(Math.max(hint, 4096), MAX_FILE_BYTES) + 1);
  let length = 0;
  for (;;) {
    if (length === buf.length) {
      if (length > MAX_FILE_BYTES) return undefined;
      const bigger = Buffer.allocUnsafe(Math.min(buf.length * 2, MAX_FILE_BYTES + 1));
      buf.copy(bigger, 0, 0, length);
      buf = bigger;
    }
    const n = readSync(fd, buf, length, buf.length - length, null);
    if (n === 0) break;
    length += n;
  }
  return length > MAX_FILE_BYTES ? undefined : buf.subarray(0, length);
}

function decode(bytes: Buffer): string | ReadProblem {
  const nul = bytes.indexOf(0);
  if (nul >= 0) return { problem: "not-text", reason: `it is binary, not text (byte ${nul} is a NUL byte)` };
  try {
    return decoder.decode(bytes);
  } catch {
    return { problem: "not-text", reason: `it is not UTF-8 text (byte ${firstInvalidUtf8(bytes)} is not valid UTF-8)` };
  }
}

/** Offset where the first malformed UTF-8 sequence starts (only called once decoding failed). */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    const need = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    if (need === 0) return i;
    // The second byte's range excludes overlong forms, surrogates and code points above U+10FFFF.
    const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
    for (let k = 1; k <= need; k++) {
      const d = b[i + k];
      if (d === undefined || d < (k === 1 ? lo : 0x80) || d > (k === 1 ? hi : 0xbf)) return i;
    }
    i += need + 1;
  }
  return b.length;
}

function fromError(e: unknown): ReadProblem {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case "ENOENT":
      return { problem: "missing", reason: "no such file" };
    case "ENOTDIR":
      return { problem: "missing", reason: "no such file (a folder on its path is a file)" };
    case "EISDIR":
      return { problem: "directory", reason: "it is a directory" };
    case "EACCES":
    case "EPERM":
      return { problem: "unreadable", reason: "permission denied" };
    case "ELOOP":
      return { problem: "unreadable", reason: "too many levels of symbolic links" };
    case "ENAMETOOLONG":
      return { problem: "missing", reason: "the path is too long" };
    case "ERR_INVALID_ARG_VALUE":
    case "ERR_INVALID_ARG_TYPE":
      return { problem: "missing", reason: "the path contains a NUL character" };
    case "EAGAIN":
      return { problem: "not-regular", reason: "it would block (not a regular file)" };
    default:
      return { problem: "unreadable", reason: code ? `it cannot be read (${code})` : "it cannot be read" };
  }
}
