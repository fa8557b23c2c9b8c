// Where the bytes for one output path go. netc replaces only regular files: a
// device, FIFO, socket or directory in the way is refused (renaming over
// /dev/null as root would replace the device node). A symbolic link is written
// through: the new file is renamed over the file it points to, so the link
// survives; a dangling link is refused rather than guessing what to create.

import { lstatSync, mkdirSync, readlinkSync, realpathSync, statSync, type Stats } from "node:fs";
import { dirname, resolve } from "node:path";
import { kindOf } from "./file-kind.js";
import { errnoOf, ioError, OutputError } from "./output-error.js";

export interface Target {
  /** The path as the caller gave it, for messages. */
  path: string;
  /** The regular file that is replaced or created (symbolic links resolved). */
  real: string;
  /** The file being replaced, if any: its mode and owner are kept. */
  existing?: Stats;
}

export const ONLY_REGULAR = "netc writes only regular files and never replaces anything else";

export function resolveTarget(path: string): Target {
  const abs = resolve(path);
  let st: Stats;
  try {
    st = lstatSync(abs);
  } catch (e) {
    const code = errnoOf(e);
    if (code === "ENOENT" || code === "ENOTDIR") {
      checkParents(path, dirname(abs));
      return { path, real: abs };
    }
    throw ioError(path, `cannot write ${path}`, e);
  }
  if (st.isFile()) return { path, real: abs, existing: st };
  if (!st.isSymbolicLink()) throw new OutputError(path, `cannot write ${path}: it is ${kindOf(st)}; ${ONLY_REGULAR}`, "ENOTREG");
  let real: string;
  try {
    real = realpathSync(abs);
  } catch (e) {
    if (errnoOf(e) === "ENOENT") {
      throw new OutputError(
        path,
        `cannot write ${path}: it is a symbolic link to ${readLink(abs)}, which does not exist; ` +
          "netc writes through symbolic links but does not create their targets",
        "ENOENT",
      );
    }
    throw ioError(path, `cannot write ${path}: it is a symbolic link that cannot be resolved`, e);
  }
  const target = statSync(real);
  if (!target.isFile()) {
    throw new OutputError(path, `cannot write ${path}: it is a symbolic link to ${real}, which is ${kindOf(target)}; ${ONLY_REGULAR}`, "ENOTREG");
  }
  return { path, real, existing: target };
}

/** undefined when `p` is a directory, else the reason it is not. */
function tryDir(p: string): unknown {
  try {
    return statSync(p).isDirectory() ? undefined : { code: "ENOTDIR" };
  } catch (e) {
    return e;
  }
}

function readLink(p: string): string {
  try {
    return readlinkSync(p);
  } catch {
    return "a missing file";
  }
}

/** The nearest existing ancestor of a file to be created must be a directory. */
function checkParents(path: string, dir: string): void {
  for (let d = dir; ; d = dirname(d)) {
    let st: Stats;
    try {
      st = statSync(d);
    } catch (e) {
      const code = errnoOf(e);
      if ((code === "ENOENT" || code === "ENOTDIR") && dirname(d) !== d) continue;
      throw ioError(path, `cannot write ${path}: cannot look at ${d}`, e);
    }
    if (!st.isDirectory()) throw new OutputError(path, `cannot write ${path}: ${d} is ${kindOf(st)}, not a directory`, "ENOTDIR");
    return;
  }
}

/**
 * mkdir -p, one level at a time. Node 20's `mkdirSync(dir, { recursive: true })`
 * spins forever where mkdir answers ENOENT for an existing parent (inside
 * /proc, for one); this version fails with the error instead.
 */
export function ensureDir(dir: string): void {
  const dirs: string[] = [];
  for (let d = resolve(dir); ; d = dirname(d)) {
    let st: Stats | undefined;
    try {
      st = statSync(d);
    } catch {
      // missing: created below
    }
    if (st) {
      if (!st.isDirectory()) throw new OutputError(dir, `cannot create directory ${dir}: ${d} is ${kindOf(st)}`, "ENOTDIR");
      break;
    }
    dirs.push(d);
    if (dirname(d) === d) break;
  }
  for (const d of dirs.reverse()) {
    try {
      mkdirSync(d);
    } catch (e) {
      if (errnoOf(e) === "EEXIST" && errnoOf(tryDir(d)) === undefined) continue;
      throw ioError(dir, `cannot create directory ${d}`, e);
    }
  }
}
