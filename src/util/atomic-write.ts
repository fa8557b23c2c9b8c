// Every file netc writes goes through here (compile, checkpoints, fmt --write,
// npm run generate). A write is all or nothing, for one file or several:
//  1. every target is checked first (output-target.ts: only regular files are
//     replaced, symbolic links are written through), before anything is created;
//  2. each file is written to a temporary sibling `.NAME.netc-PID-RANDOM.tmp`
//     and flushed to disk;
//  3. when there are several files, each one being replaced gets a hard-linked
//     backup, then all temporaries are renamed into place; if a rename fails,
//     the files already renamed are put back from their backups.
// Any failure, SIGINT/SIGTERM/SIGHUP or process.exit() during the write removes
// the temporaries (interrupt.ts); leftovers of a run killed outright are
// removed by the next write to the same file (leftovers.ts).

import { closeSync, copyFileSync, constants, fchmodSync, fchownSync, fsyncSync, linkSync, lstatSync, openSync, renameSync, statSync, unlinkSync, writeSync, type Stats } from "node:fs";
import { basename, dirname } from "node:path";
import { guard, type Undoable } from "./interrupt.js";
import { inProgress, removeLeftovers, scratchName } from "./leftovers.js";
import { kindOf } from "./file-kind.js";
import { errnoOf, ioError, OutputError } from "./output-error.js";
import { ensureDir, ONLY_REGULAR, resolveTarget, type Target } from "./output-target.js";

export { ensureDir } from "./output-target.js";
export { OutputError } from "./output-error.js";

export interface OutputFile {
  path: string;
  data: string | Uint8Array;
}

export interface WriteHooks {
  /** For tests: runs before each file is renamed into place. */
  beforeRename?: (path: string, index: number) => void | Promise<void>;
}

/**
 * Writes the files together or not at all. Between chunks it lets the event
 * loop run, so that a signal arriving mid-write is handled: the write is undone
 * and the process ends as the signal demands.
 */
export async function writeFilesAtomic(files: OutputFile[], hooks: WriteHooks = {}): Promise<void> {
  let wake = (): void => {};
  const undone = new Promise<void>((done) => (wake = done));
  const steps = write(files, hooks, wake);
  let r = steps.next();
  while (!r.done) {
    try {
      await Promise.race([r.value ?? nextPoll(), undone]);
    } catch (e) {
      r = steps.throw(e);
      continue;
    }
    r = steps.next();
  }
}

/**
 * The same write without yielding, for synchronous callers (the library's
 * writeOnnx). A signal cannot be handled while it runs: a process killed
 * mid-write leaves a temporary file, which the next write removes.
 */
export function writeFilesAtomicSync(files: OutputFile[]): void {
  const steps = write(files, {}, undefined);
  while (!steps.next().done);
}

const CHUNK = 4 << 20;

/**
 * Resolves after the event loop has polled once, which is when a signal that
 * arrived is handed to its handler: the first immediate can run before the
 * poll phase, the one it schedules runs after it.
 */
function nextPoll(): Promise<void> {
  return new Promise((done) => setImmediate(() => setImmediate(done)));
}

/**
 * Yields where the asynchronous version lets other work run (undefined) or must
 * wait (a promise). `onUndo` (asynchronous version only) is called when a signal
 * undoes the write, to stop the wait.
 */
function* write(files: OutputFile[], hooks: WriteHooks, onUndo: (() => void) | undefined): Generator<Promise<void> | void, void, void> {
  const names = files.map((f) => f.path);
  let job: Job | undefined;
  let release = (): void => {};
  try {
    const targets = files.map((f) => resolveTarget(f.path));
    sameFile(targets);
    job = new Job(targets, onUndo);
    if (onUndo) release = guard(job);
    for (const t of targets) ensureDir(dirname(t.real));
    for (const t of targets) removeLeftovers(t.real);
    for (let i = 0; i < targets.length; i++) {
      const fd = job.openTemp(i);
      try {
        const data = typeof files[i]!.data === "string" ? Buffer.from(files[i]!.data) : (files[i]!.data as Uint8Array);
        for (let off = 0; off < data.byteLength; ) {
          off += writeSync(fd, data, off, Math.min(CHUNK, data.byteLength - off));
          yield;
          job.check();
        }
        fsyncSync(fd);
      } catch (e) {
        throw ioError(targets[i]!.path, `cannot write ${targets[i]!.path}`, e);
      } finally {
        closeSync(fd);
      }
    }
    if (targets.length > 1) for (let i = 0; i < targets.length; i++) job.backUp(i);
    for (let i = 0; i < targets.length; i++) {
      if (hooks.beforeRename) yield hooks.beforeRename(targets[i]!.path, i);
      job.check();
      job.rename(i);
    }
    job.done();
  } catch (e) {
    const notes = job?.rollback() ?? [];
    // Not a file-system failure (a hook's, or a bug): undone, and passed on as it is.
    if (!(e instanceof OutputError) && !errnoOf(e)) throw e;
    const err = e instanceof OutputError ? e : ioError(names[0] ?? "", `cannot write ${names.join(", ")}`, e);
    const untouched = names.length > 1 ? `; none of ${names.map((n) => basename(n)).join(", ")} was written` : "";
    throw new OutputError(err.path, [err.message + untouched, ...notes].join("; "), err.code);
  } finally {
    release();
  }
}

function tryLstat(p: string): Stats | undefined {
  try {
    return lstatSync(p);
  } catch {
    return undefined;
  }
}

function tryStat(p: string): unknown {
  try {
    statSync(p);
    return undefined;
  } catch (e) {
    return e;
  }
}

function sameFile(targets: Target[]): void {
  const seen = new Map<string, string>();
  for (const t of targets) {
    const other = seen.get(t.real);
    if (other !== undefined) throw new OutputError(t.path, `cannot write ${other} and ${t.path}: both are ${t.real}`, "EINVAL");
    seen.set(t.real, t.path);
  }
}

/** The state of one write, enough to undo it from a signal handler. */
class Job implements Undoable {
  private readonly temps: (string | undefined)[] = [];
  private readonly backups: (string | undefined)[] = [];
  private renamed = 0;
  private stopped?: string;

  constructor(
    private readonly targets: Target[],
    private readonly onUndo?: () => void,
  ) {}

  openTemp(i: number): number {
    const t = this.targets[i]!;
    const tmp = scratchName(t.real, "tmp");
    this.temps[i] = tmp;
    inProgress.add(tmp);
    let fd: number;
    try {
      // wx: never follow or reuse something planted under the temporary name.
      fd = openSync(tmp, "wx", 0o666);
    } catch (e) {
      throw ioError(t.path, `cannot write ${t.path}: cannot create ${tmp}`, e);
    }
    if (t.existing) {
      try {
        fchmodSync(fd, t.existing.mode & 0o7777);
        if (process.getuid?.() === 0) fchownSync(fd, t.existing.uid, t.existing.gid);
      } catch {
        // keeping mode and owner is a courtesy, not a reason to fail
      }
    }
    return fd;
  }

  backUp(i: number): void {
    const t = this.targets[i]!;
    if (!t.existing) return;
    const bak = scratchName(t.real, "bak");
    this.backups[i] = bak;
    inProgress.add(bak);
    try {
      linkSync(t.real, bak);
    } catch (e) {
      if (errnoOf(e) === "ENOENT" && errnoOf(tryStat(t.real)) === "ENOENT") {
        // removed since it was checked: nothing to put back
        this.backups[i] = undefined;
        inProgress.delete(bak);
        return;
      }
      try {
        copyFileSync(t.real, bak, constants.COPYFILE_EXCL);
      } catch (e) {
        throw ioError(t.path, `cannot keep a backup of ${t.path} while replacing it`, e);
      }
    }
  }

  rename(i: number): void {
    const t = this.targets[i]!;
    // Checked again just before: a device or folder put there meanwhile is not replaced either.
    const now = tryLstat(t.real);
    if (now && !now.isFile()) throw new OutputError(t.path, `cannot write ${t.path}: it is now ${kindOf(now)}; ${ONLY_REGULAR}`, "ENOTREG");
    try {
      renameSync(this.temps[i]!, t.real);
    } catch (e) {
      throw ioError(t.path, `cannot write ${t.path}`, e);
    }
    inProgress.delete(this.temps[i]!);
    this.temps[i] = undefined;
    this.renamed = i + 1;
  }

  check(): void {
    if (this.stopped) throw new OutputError(this.targets[0]!.path, `writing ${this.targets.map((t) => t.path).join(", ")} was ${this.stopped}`, "EINTR");
  }

  undo(reason: string): void {
    this.stopped ??= reason;
    for (const note of this.rollback()) process.stderr.write(`netc: ${note}\n`);
    this.onUndo?.();
  }

  /** Puts back what was renamed and removes temporaries and backups; says what could not be restored. */
  rollback(): string[] {
    const notes: string[] = [];
    for (let i = this.renamed - 1; i >= 0; i--) {
      const t = this.targets[i]!;
      const bak = this.backups[i];
      try {
        if (bak) renameSync(bak, t.real);
        else unlinkSync(t.real);
        this.backups[i] = undefined;
        if (bak) inProgress.delete(bak);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? String(e);
        notes.push(bak ? `could not restore ${t.path} (${code}); its previous content is in ${bak}` : `could not remove the new ${t.path} (${code})`);
        if (bak) inProgress.delete(bak);
        this.backups[i] = undefined;
      }
    }
    this.renamed = 0;
    this.done();
    return notes;
  }

  /** Removes temporaries and backups (after success, or after rollback). */
  done(): void {
    for (const list of [this.temps, this.backups]) {
      for (let i = 0; i < list.length; i++) {
        const p = list[i];
        if (!p) continue;
        try {
          unlinkSync(p);
        } catch {
          // already gone
        }
        inProgress.delete(p);
        list[i] = undefined;
      }
    }
  }
}
