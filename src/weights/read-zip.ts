// A small ZIP reader for PyTorch checkpoints (torch.save writes a ZIP of stored,
// uncompressed entries, ZIP64 when large). It reads the central directory and
// hands out entries as views of the file's bytes; every offset and size is
// checked against the file before use, and deflated entries (a re-zipped
// checkpoint) inflate with their declared size as the hard output limit.

import { inflateRawSync } from "node:zlib";
import { WeightsError } from "./tensor.js";

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  dataOffset: number;
}

const MAX_ENTRIES = 1_000_000;
/** The largest entry netc inflates (stored entries are views and need no limit). */
const MAX_INFLATED = 2 ** 30;

export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

export class ZipFile {
  readonly entries = new Map<string, ZipEntry>();
  private readonly view: DataView;

  constructor(
    readonly file: string,
    readonly bytes: Uint8Array,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.readDirectory();
  }

  private fail(what: string): never {
    throw new WeightsError(`${this.file}: not a readable ZIP (PyTorch checkpoint): ${what}`);
  }

  private u16(at: number): number {
    if (at < 0 || at + 2 > this.bytes.length) this.fail(`a record at byte ${at} runs past the end of the file`);
    return this.view.getUint16(at, true);
  }

  private u32(at: number): number {
    if (at < 0 || at + 4 > this.bytes.length) this.fail(`a record at byte ${at} runs past the end of the file`);
    return this.view.getUint32(at, true);
  }

  private u64(at: number): number {
    const lo = this.u32(at);
    const hi = this.u32(at + 4);
    if (hi >= 2 ** 21) this.fail(`a 64-bit size at byte ${at} is beyond any file`);
    return hi * 2 ** 32 + lo;
  }

  private readDirectory(): void {
    const len = this.bytes.length;
    // The end record is the last 22 bytes plus a comment of up to 65535 bytes.
    let eocd = -1;
    for (let at = len - 22; at >= Math.max(0, len - 22 - 65535); at--) {
      if (this.view.getUint32(at, true) === 0x06054b50) {
        eocd = at;
        break;
      }
    }
    if (eocd < 0) this.fail("no end-of-central-directory record (the file is truncated or not a ZIP)");
    let count = this.u16(eocd + 10);
    let dirSize = this.u32(eocd + 12);
    let dirOffset = this.u32(eocd + 16);
    if (count === 0xffff || dirSize === 0xffffffff || dirOffset === 0xffffffff) {
      const loc = eocd - 20;
      if (loc < 0 || this.u32(loc) !== 0x07064b50)
        this.fail("a ZIP64 end record is announced but its locator is missing");
      const rec = this.u64(loc + 8);
      if (this.u32(rec) !== 0x06064b50) this.fail("the ZIP64 end record is not where its locator says");
      count = this.u64(rec + 32);
      dirSize = this.u64(rec + 40);
      dirOffset = this.u64(rec + 48);
    }
    if (count > MAX_ENTRIES) this.fail(`${count} entries declared; netc reads at most ${MAX_ENTRIES}`);
    if (dirOffset + dirSize > len)
      this.fail(
        `the central directory (${dirSize} bytes at ${dirOffset}) runs past the end of the file (${len} bytes)`,
      );
    let at = dirOffset;
    const end = dirOffset + dirSize;
    for (let i = 0; i < count; i++) {
      if (at + 46 > end || this.u32(at) !== 0x02014b50) this.fail(`central directory entry ${i} is malformed`);
      const flags = this.u16(at + 8);
      const method = this.u16(at + 10);
      let compressedSize = this.u32(at + 20);
      let size = this.u32(at + 24);
      const nameLen = this.u16(at + 28);
      const extraLen = this.u16(at + 30);
      const commentLen = this.u16(at + 32);
      let local = this.u32(at + 42);
      if (at + 46 + nameLen + extraLen + commentLen > end)
        this.fail(`central directory entry ${i} runs past the directory`);
      const name = new TextDecoder().decode(this.bytes.subarray(at + 46, at + 46 + nameLen));
      // ZIP64 extra field: the 64-bit values of the fields set to 0xFFFFFFFF, in this order.
      let x = at + 46 + nameLen;
      const xEnd = x + extraLen;
      while (x + 4 <= xEnd) {
        const id = this.u16(x);
        const n = this.u16(x + 2);
        if (id === 0x0001) {
          let p = x + 4;
          if (size === 0xffffffff) ((size = this.u64(p)), (p += 8));
          if (compressedSize === 0xffffffff) ((compressedSize = this.u64(p)), (p += 8));
          if (local === 0xffffffff) local = this.u64(p);
        }
        x += 4 + n;
      }
      if (flags & 1) this.fail(`entry '${name}' is encrypted`);
      if (method !== 0 && method !== 8)
        this.fail(`entry '${name}' uses compression method ${method}; netc reads stored and deflated entries`);
      if (this.u32(local) !== 0x04034b50) this.fail(`entry '${name}' has no local header at byte ${local}`);
      const dataOffset = local + 30 + this.u16(local + 26) + this.u16(local + 28);
      if (dataOffset + compressedSize > len)
        this.fail(
          `entry '${name}' (${compressedSize} bytes at ${dataOffset}) runs past the end of the file (${len} bytes)`,
        );
      if (method === 0 && size !== compressedSize)
        this.fail(`stored entry '${name}' declares ${size} bytes but holds ${compressedSize}`);
      if (this.entries.has(name)) this.fail(`entry '${name}' appears twice`);
      this.entries.set(name, { name, method, compressedSize, size, dataOffset });
      at += 46 + nameLen + extraLen + commentLen;
    }
  }

  /** An entry's bytes: a view for stored entries, inflated (at most its declared size) for deflated ones. */
  read(name: string): Uint8Array {
    const e = this.entries.get(name);
    if (!e) this.fail(`entry '${name}' is missing`);
    const raw = this.bytes.subarray(e.dataOffset, e.dataOffset + e.compressedSize);
    if (e.method === 0) return raw;
    if (e.size > MAX_INFLATED)
      this.fail(`entry '${name}' declares ${e.size} bytes uncompressed; netc inflates at most ${MAX_INFLATED}`);
    let out: Buffer;
    try {
      out = inflateRawSync(raw, { maxOutputLength: Math.max(1, e.size) });
    } catch (err) {
      this.fail(`entry '${name}' does not inflate to its declared ${e.size} bytes (${(err as Error).message})`);
    }
    if (out.length !== e.size) this.fail(`entry '${name}' inflates to ${out.length} bytes, not the declared ${e.size}`);
    return out;
  }
}
