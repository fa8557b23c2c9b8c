// Reads LSP messages (`Content-Length: N\r\n\r\n` + N bytes of JSON) from a
// byte stream without trusting it. vscode-jsonrpc's own reader stops for good
// at the first header it cannot use (the server stays alive and never answers
// again); this one drops what it cannot use, says so, and resynchronises at the
// next `Content-Length:` header.
//
// Resynchronising is safe because `Content-Length: <digits>` followed by CRLF
// can never occur inside a JSON body: outside strings it is not JSON, and
// inside strings CR and LF must be escaped. So wherever that pattern shows up,
// even in the middle of a declared body, a new message starts there (the body
// before it was cut short).
//
// Memory is bounded: a header block is at most MAX_HEADER_BYTES, a body at
// most MAX_BODY_BYTES; a larger declared body is skipped as it streams by,
// never buffered.

import { AbstractMessageReader, type DataCallback, type Disposable, type Message, type MessageReader } from "vscode-jsonrpc";
import type { Readable } from "node:stream";

const MAX_HEADER_BYTES = 8 * 1024;
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** A header line that starts a message, up to its CRLF (latin1 view of the bytes). */
const HEADER_LINE = /content-length:[ \t]*\d{1,16}[ \t]*$/i;
/** Enough of a tail to hold a header start split across two chunks. */
const TAIL = 64;
/** Problems logged one by one; after that, one line per thousand. */
const LOGGED_PROBLEMS = 50;

export interface FramingOptions {
  /** Where problems with the byte stream are reported (one line each). */
  log: (message: string) => void;
  /** Sees every well-formed message before the connection does. */
  peek?: (message: Message) => void;
  maxBodyBytes?: number;
}

export class FramedMessageReader extends AbstractMessageReader implements MessageReader {
  private callback: DataCallback | undefined;
  /** Bytes of the header being read (bounded by MAX_HEADER_BYTES plus one chunk). */
  private buffer: Buffer = Buffer.alloc(0);
  /** Bytes of the body (or skipped body) still to come; -1 while reading headers. */
  private remaining = -1;
  private declared = 0;
  /** Whether the body is kept (false: too large, skipped as it streams by). */
  private keeping = false;
  private chunks: Buffer[] = [];
  /** The last bytes of the body so far, so a header start split across chunks is found. */
  private tail: Buffer = Buffer.alloc(0);
  private readonly maxBody: number;
  private problems = 0;

  constructor(
    private readonly readable: Readable,
    private readonly options: FramingOptions,
  ) {
    super();
    this.maxBody = options.maxBodyBytes ?? MAX_BODY_BYTES;
  }

  listen(callback: DataCallback): Disposable {
    this.callback = callback;
    const onData = (chunk: Buffer) => this.onData(chunk);
    const onError = (e: Error) => this.fireError(e);
    const onClose = () => this.fireClose();
    this.readable.on("data", onData);
    this.readable.on("error", onError);
    this.readable.on("close", onClose);
    return {
      dispose: () => {
        this.readable.off("data", onData);
        this.readable.off("error", onError);
        this.readable.off("close", onClose);
      },
    };
  }

  /** Feeds bytes as they arrive (public so tests can drive the parser without a stream). */
  onData(chunk: Buffer): void {
    try {
      let data = chunk;
      while (data.length > 0) {
        if (this.remaining >= 0) {
          data = this.body(data);
          continue;
        }
        this.buffer = this.buffer.length === 0 ? data : Buffer.concat([this.buffer, data]);
        data = this.headers();
      }
    } catch (e) {
      // A bug here must not stop reading: drop what is buffered and start afresh.
      this.problem(`framing error (${e instanceof Error ? e.message : String(e)}): buffered bytes dropped`);
      this.buffer = Buffer.alloc(0);
      this.remaining = -1;
      this.chunks = [];
    }
  }

  /** Reads header blocks from `buffer`; returns the bytes after a complete one (the body), or none. */
  private headers(): Buffer {
    for (;;) {
      // Blank lines between messages are harmless: drop them silently.
      let lead = 0;
      while (lead < this.buffer.length && (this.buffer[lead] === 0x0d || this.buffer[lead] === 0x0a)) lead++;
      this.buffer = this.buffer.subarray(lead);
      if (this.buffer.length === 0) return this.buffer;
      const end = this.buffer.indexOf("\r\n\r\n");
      if (end < 0 && this.buffer.length <= MAX_HEADER_BYTES) return Buffer.alloc(0); // wait for more
      if (end < 0 || end > MAX_HEADER_BYTES) {
        // Without an end in sight, keep a tail that may be the start of the next header.
        this.resync(`a header longer than ${MAX_HEADER_BYTES} bytes`, end < 0 ? this.buffer.length - TAIL : end + 4);
        continue;
      }
      const headers = parseHeaders(this.buffer.toString("latin1", 0, end));
      if (typeof headers === "string") {
        this.resync(headers, end + 4);
        continue;
      }
      const rest = this.buffer.subarray(end + 4);
      this.buffer = Buffer.alloc(0);
      this.declared = this.remaining = headers.contentLength;
      this.keeping = headers.contentLength <= this.maxBody;
      if (!this.keeping) this.problem(`a message of ${headers.contentLength} bytes (more than ${this.maxBody}) is skipped`);
      this.chunks = [];
      this.tail = Buffer.alloc(0);
      if (this.remaining === 0) this.finish();
      return rest;
    }
  }

  /** Takes body bytes from `data`; returns what follows the body. */
  private body(data: Buffer): Buffer {
    const take = Math.min(data.length, this.remaining);
    // A header start inside the body means the body was cut short there: look
    // across the boundary with the previous chunk, then in this one (no copies).
    let rest: Buffer | undefined;
    let at = -1;
    if (this.tail.length > 0) {
      const seam = Buffer.concat([this.tail, data.subarray(0, Math.min(data.length, TAIL))]);
      at = findHeaderStart(seam, this.tail.length);
      if (at >= 0) rest = Buffer.concat([seam.subarray(at), data.subarray(seam.length - this.tail.length)]);
      else at = -1;
    }
    if (!rest) {
      const i = findHeaderStart(data, take);
      if (i >= 0) ((at = this.tail.length + i), (rest = data.subarray(i)));
    }
    if (rest) {
      const got = this.declared - this.remaining - this.tail.length + at;
      this.problem(`a message body cut short after ${got} of ${this.declared} bytes is dropped`);
      this.remaining = -1;
      this.chunks = [];
      return rest;
    }
    if (this.keeping) this.chunks.push(data.subarray(0, take));
    this.tail =
      take >= TAIL ? Buffer.from(data.subarray(take - TAIL, take)) : Buffer.concat([this.tail, data.subarray(0, take)]).subarray(-TAIL);
    this.remaining -= take;
    if (this.remaining === 0) this.finish();
    return data.subarray(take);
  }

  private finish(): void {
    const bytes = this.keeping ? Buffer.concat(this.chunks) : undefined;
    const tail = this.tail;
    this.remaining = -1;
    this.chunks = [];
    this.tail = Buffer.alloc(0);
    if (bytes && this.deliver(bytes)) return;
    // A body that is not a message may end inside the first line of the next
    // header (declared too long, the rest of the line not yet arrived): read
    // that part again as a header.
    const end = bytes ?? tail;
    const at = partialHeaderStart(end);
    if (at >= 0) this.buffer = Buffer.from(end.subarray(at));
  }

  /** Drops `dropTo` bytes (or up to the next header start, if that comes first) after a malformed header. */
  private resync(what: string, dropTo: number): void {
    const next = findHeaderStart(this.buffer.subarray(1), dropTo - 1);
    const cut = next >= 0 ? Math.min(next + 1, dropTo) : dropTo;
    this.problem(`malformed message (${what}): ${cut} bytes dropped`);
    this.buffer = this.buffer.subarray(cut);
  }

  /** Hands a body to the connection; false when it is not a JSON-RPC message. */
  private deliver(bytes: Buffer): boolean {
    let message: unknown;
    try {
      message = JSON.parse(bytes.toString("utf8"));
    } catch (e) {
      this.problem(`a message body of ${bytes.length} bytes is not JSON (${e instanceof Error ? e.message : String(e)}): dropped`);
      return false;
    }
    if (typeof message !== "object" || message === null || Array.isArray(message) || (message as { jsonrpc?: unknown }).jsonrpc !== "2.0") {
      this.problem(`a message body of ${bytes.length} bytes is not a JSON-RPC 2.0 message: dropped`);
      return false;
    }
    try {
      this.options.peek?.(message as Message);
    } catch {
      /* peeking is advisory */
    }
    this.callback?.(message as Message);
    return true;
  }

  private problem(what: string): void {
    // A flood of garbage must not become a flood of log lines.
    this.problems++;
    if (this.problems > LOGGED_PROBLEMS && this.problems % 1000 !== 0) return;
    if (this.problems > LOGGED_PROBLEMS) what = `${this.problems} malformed messages so far; the latest: ${what}`;
    try {
      this.options.log(`netc lsp: ${what}`);
    } catch {
      /* logging must not stop reading */
    }
  }
}

/** Content-Length from a header block, or what is wrong with it. */
function parseHeaders(block: string): { contentLength: number } | string {
  let contentLength: number | undefined;
  for (const line of block.split("\r\n")) {
    const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*$/.exec(line);
    if (!m) return `expected 'Name: value' header lines, found ${JSON.stringify(line.slice(0, 40))}`;
    const name = m[1]!.toLowerCase();
    const value = m[2]!;
    // Content-Length anywhere but at the start of a line is a header glued to garbage: resynchronise there.
    if (name !== "content-length" && /content-length/i.test(line)) return `expected Content-Length at the start of a line, found ${JSON.stringify(line.slice(0, 40))}`;
    if (name === "content-length") {
      if (contentLength !== undefined) return "two Content-Length headers";
      if (!/^\d{1,16}$/.test(value)) return `expected a byte count in Content-Length, found ${JSON.stringify(value.slice(0, 40))}`;
      contentLength = Number(value);
    } else if (name === "content-type") {
      const charset = /charset=([^;\s]+)/i.exec(value)?.[1]?.replace(/"/g, "").toLowerCase();
      if (charset && charset !== "utf-8" && charset !== "utf8") return `expected charset utf-8, found ${JSON.stringify(charset.slice(0, 40))}`;
    }
  }
  if (contentLength === undefined) return "no Content-Length header";
  return { contentLength };
}

const PARTIAL_HEADER = /^c(?:o(?:n(?:t(?:e(?:n(?:t(?:-(?:l(?:e(?:n(?:g(?:t(?:h(?::[ \t]*\d{0,16}[ \t]*\r?)?)?)?)?)?)?)?)?)?)?)?)?)?)?$/i;

/** Offset in the last TAIL bytes where a header's first line may have begun and been cut off by the end, or -1. */
function partialHeaderStart(bytes: Buffer): number {
  const from = Math.max(0, bytes.length - TAIL);
  const text = bytes.toString("latin1", from);
  for (let i = 0; i < text.length; i++) {
    if ((text[i] === "C" || text[i] === "c") && PARTIAL_HEADER.test(text.slice(i))) return from + i;
  }
  return -1;
}

/** Offset of the first header start beginning before `upTo` (it may extend past it), or -1. */
function findHeaderStart(bytes: Buffer, upTo: number): number {
  if (upTo <= 0) return -1;
  // Every header line ends in CRLF, which a compact JSON body never contains:
  // look for CRLF natively, then test the few bytes before it.
  const view = bytes.subarray(0, Math.min(bytes.length, upTo + TAIL));
  for (let crlf = view.indexOf("\r\n"); crlf >= 0; crlf = view.indexOf("\r\n", crlf + 1)) {
    const from = Math.max(0, crlf - TAIL);
    const m = HEADER_LINE.exec(view.toString("latin1", from, crlf));
    if (m) return from + m.index < upTo ? from + m.index : -1;
    if (crlf >= upTo) return -1;
  }
  return -1;
}
