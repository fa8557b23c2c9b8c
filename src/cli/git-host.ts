// `git:REF:path` operands (netc diff): a spec as it is in a commit, read with
// `git cat-file blob REF:path` (what `git show REF:path` prints for a file,
// without pagers, text conversion filters or tree listings), run with
// execFileSync and no shell. Imports resolve inside the same commit: the spec
// stands at its path under the repository's top folder, and every file the
// checker asks for there is read from REF too.

import { execFileSync } from "node:child_process";
import { isAbsolute, relative, resolve, sep } from "node:path";
import type { FileHost, ReadProblem } from "../check/program.js";
import { MAX_FILE_BYTES } from "../util/read-file.js";

export interface GitSpec {
  ref: string;
  /** The repository's top folder. */
  top: string;
  /** Absolute path the spec stands for: the repository's top folder joined with its path in REF. */
  file: string;
  /** How to name it to people: git:REF:path. */
  label: string;
  host: FileHost;
}

const GIT_PREFIX = "git:";

export const isGitOperand = (operand: string): boolean => operand.startsWith(GIT_PREFIX);

function git(args: string[], cwd: string): Buffer {
  return execFileSync("git", args, { cwd, stdio: ["ignore", "pipe", "pipe"], maxBuffer: MAX_FILE_BYTES + 1 });
}

/** The spec named by `git:REF:path`, or why it cannot be used (a usage error). */
export function gitSpec(operand: string, cwd = process.cwd()): GitSpec | string {
  const rest = operand.slice(GIT_PREFIX.length);
  const colon = rest.indexOf(":");
  const ref = colon < 0 ? "" : rest.slice(0, colon);
  const path = colon < 0 ? "" : rest.slice(colon + 1);
  if (!ref || !path) return `'${operand}' is not git:REF:path (for example git:HEAD~1:specs/net.net)`;
  // An argument starting with '-' would be read as an option by git.
  if (ref.startsWith("-")) return `'${ref}' is not a git revision`;
  let top: string;
  try {
    top = git(["rev-parse", "--show-toplevel"], cwd).toString("utf8").trim();
  } catch (e) {
    return `${operand}: not inside a git repository (${firstLine(e)})`;
  }
  try {
    git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], cwd);
  } catch {
    return `${operand}: '${ref}' names no commit in ${top}`;
  }
  // As git reads REF:path: from the top folder, or from the working folder when it
  // starts with ./ or ../ (through git's own prefix, so a symlinked working folder agrees with top).
  let prefix = "";
  if (path.startsWith("./") || path.startsWith("../")) {
    try {
      prefix = git(["rev-parse", "--show-prefix"], cwd).toString("utf8").trim();
    } catch (e) {
      return `${operand}: ${firstLine(e)}`;
    }
  }
  const file = resolve(top, prefix, path);
  const host: FileHost = {
    readFile(abs: string): string | ReadProblem | undefined {
      const rel = relative(top, abs);
      if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) return { problem: "missing", reason: `it is outside the repository ${top}, which ${ref} holds` };
      const name = rel.split(sep).join("/");
      let type: string;
      try {
        type = git(["cat-file", "-t", `${ref}:${name}`], top).toString("utf8").trim();
      } catch {
        return undefined;
      }
      if (type !== "blob") return { problem: type === "tree" ? "directory" : "not-regular", reason: `it is a ${type} in ${ref}, not a file` };
      let bytes: Buffer;
      try {
        bytes = git(["cat-file", "blob", `${ref}:${name}`], top);
      } catch (e) {
        return { problem: "unreadable", reason: `git cannot read it from ${ref} (${firstLine(e)})` };
      }
      if (bytes.length > MAX_FILE_BYTES) return { problem: "too-large", reason: `it is ${bytes.length} bytes in ${ref}, more than ${MAX_FILE_BYTES}` };
      if (bytes.includes(0)) return { problem: "not-text", reason: "it is binary, not text" };
      try {
        return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
      } catch {
        return { problem: "not-text", reason: "it is not UTF-8 text" };
      }
    },
  };
  return { ref, top, file, label: operand, host };
}

function firstLine(e: unknown): string {
  const stderr = (e as { stderr?: Buffer }).stderr?.toString("utf8").trim();
  return (stderr || (e as Error).message).split("\n")[0]!;
}
