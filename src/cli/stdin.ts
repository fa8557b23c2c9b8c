// A spec on stdin (`netc check -`, `netc fmt --stdin`): read whole, with the same
// limits as a spec file (8 MiB of UTF-8), so `cat /dev/zero | netc check -` stops.

import { MAX_FILE_BYTES } from "../util/read-file.js";

export async function readStdin(stream: NodeJS.ReadableStream = process.stdin): Promise<string | { reason: string }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    size += b.length;
    if (size > MAX_FILE_BYTES) return { reason: `stdin is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB, the limit for a spec` };
    chunks.push(b);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(Buffer.concat(chunks));
  } catch {
    return { reason: "stdin is not UTF-8 text" };
  }
}
