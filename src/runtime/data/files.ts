// Reading dataset files that someone else made: only regular files, size checked
// before reading, and every failure a DatasetError that names the file.

import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, statSync, type Stats } from "node:fs";
import { kindOf } from "../../util/file-kind.js";
import { DatasetError } from "./errors.js";

/**
 * Caps on what a dataset may make the loader allocate. Each is checked against a
 * header or the file size before the bytes are read or decompressed.
 */
export const LIMITS = {
  /** One IDX file's data, after decompression (EMNIST, the largest IDX set, is 0.55 GB). */
  idxBytes: 2 * 1024 ** 3,
  /** One image file on disk. */
  imageFileBytes: 256 * 1024 ** 2,
  /** One decoded image: width x height. */
  imagePixels: 50_000_000,
};

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${n} bytes`;
}


/** The file's stats after following symlinks; a broken link or an unreadable path is a DatasetError. */
export function statFollow(path: string): Stats {
  try {
    return statSync(path);
  } catch (e) {
    throw fsError(path, e);
  }
}

/** Turns a Node fs error into a DatasetError naming `path`. */
export function fsError(path: string, e: unknown): DatasetError {
  if (e instanceof DatasetError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  // stat follows links: ENOENT on a path that lstat finds is a link to nothing.
  const broken = code === "ENOENT" && isLink(path);
  const what =
    broken ? "a broken symbolic link (its target does not exist)"
    : code === "ENOENT" ? "no such file"
    : code === "EACCES" || code === "EPERM" ? "permission denied"
    : code === "ELOOP" ? "a symbolic link loop"
    : code === "EISDIR" ? "a directory, expected a file"
    : `cannot read: ${(e as Error).message}`;
  return new DatasetError(`${path}: ${what}`);
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink() ?? false;
  } catch {
    return false;
  }
}

/** An open regular file: stat before open (a FIFO is never opened), then fstat of what was opened. */
export class RegularFile {
  private constructor(
    readonly path: string,
    private fd: number,
    readonly size: number,
  ) {}

  /** Opens `path` for reading if it is a regular file of at most `maxBytes`. */
  static open(path: string, maxBytes: number): RegularFile {
    const before = statFollow(path);
    if (!before.isFile()) throw new DatasetError(`${path}: is ${kindOf(before)}, expected a regular file`);
    let fd: number;
    try {
      // O_NONBLOCK: if the path was swapped for a FIFO after the stat, opening it still returns at once.
      fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    } catch (e) {
      throw fsError(path, e);
    }
    const after = fstatSync(fd);
    if (!after.isFile()) {
      closeSync(fd);
      throw new DatasetError(`${path}: is ${kindOf(after)}, expected a regular file`);
    }
    if (after.size > maxBytes) {
      closeSync(fd);
      throw new DatasetError(`${path}: is ${formatBytes(after.size)}, more than the limit of ${formatBytes(maxBytes)}`);
    }
    return new RegularFile(path, fd, after.size);
  }

  /** Exactly `length` bytes from `position`, or fewer at the end of the file. */
  read(position: number, length: number): Buffer {
    const buf = Buffer.allocUnsafe(length);
    let got = 0;
    try {
      while (got < length) {
        const n = readSync(this.fd, buf, got, length - got, position + got);
        if (n === 0) break;
        got += n;
      }
    } catch (e) {
      throw fsError(this.path, e);
    }
    return got === length ? buf : buf.subarray(0, got);
  }

  readAll(): Buffer {
    return this.read(0, this.size);
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

/** The whole of a regular file of at most `maxBytes`. */
export function readRegular(path: string, maxBytes: number): Buffer {
  const f = RegularFile.open(path, maxBytes);
  try {
    return f.readAll();
  } finally {
    f.close();
  }
}
