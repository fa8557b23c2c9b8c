// Why a file could not be written, naming the path: the CLI prints the message
// as it is and exits 2, like any other I/O error.

export class OutputError extends Error {
  /** An errno code (ENOSPC, EACCES, ...) or ENOTREG for a target netc refuses to replace. */
  readonly code: string;
  readonly path: string;
  constructor(path: string, message: string, code: string) {
    super(message);
    this.name = "OutputError";
    this.path = path;
    this.code = code;
  }
}


const REASONS: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EFBIG: "file too large",
  EIO: "input/output error",
  ENOENT: "no such file or directory",
  ENOTDIR: "a parent is not a directory",
  EISDIR: "it is a directory",
  ENAMETOOLONG: "file name too long",
  ELOOP: "too many levels of symbolic links",
  EMFILE: "too many open files",
  EXDEV: "crosses file systems",
};

export function errnoOf(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

/** An OutputError for an fs failure: "what: reason (CODE)"; an OutputError passes through. */
export function ioError(path: string, what: string, e: unknown): OutputError {
  if (e instanceof OutputError) return e;
  const code = errnoOf(e);
  if (!code) return new OutputError(path, `${what}: ${e instanceof Error ? e.message : String(e)}`, "EIO");
  return new OutputError(path, `${what}: ${REASONS[code] ?? (e as Error).message} (${code})`, code);
}
