// What a file is, in words, for messages that refuse it: reading a spec or a
// dataset, writing an output. One wording everywhere.

import type { Stats } from "node:fs";

/** "a directory", "a FIFO (named pipe)", "a character device", ... */
export function kindOf(s: Pick<Stats, "isFile" | "isDirectory" | "isCharacterDevice" | "isBlockDevice" | "isFIFO" | "isSocket" | "isSymbolicLink">): string {
  if (s.isFile()) return "a regular file";
  if (s.isDirectory()) return "a directory";
  if (s.isCharacterDevice()) return "a character device";
  if (s.isBlockDevice()) return "a block device";
  if (s.isFIFO()) return "a FIFO (named pipe)";
  if (s.isSocket()) return "a socket";
  if (s.isSymbolicLink()) return "a symbolic link";
  return "not a regular file";
}
