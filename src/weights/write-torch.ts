// A state_dict file as torch.save writes it (PyTorch >= 1.6, the zip format),
// so `torch.load(path)` returns an OrderedDict of tensors:
//   archive/data.pkl   pickle protocol 2: OrderedDict of
//                      torch._utils._rebuild_tensor_v2(storage, 0, size, stride, False, OrderedDict()),
//                      each storage a persistent id ('storage', torch.FloatStorage, key, 'cpu', numel)
//   archive/data/KEY   each storage's raw little-endian bytes, keys in sorted order as torch writes them
//   archive/version    "3\n"
// Entries are stored uncompressed with their CRC-32, and each one's data starts
// on a 64-byte boundary (an "FB" extra field of padding, as torch's writer
// does, so a loader can map tensors in place).

import type { OutTensor } from "./tensors.js";

const STORAGE = { float32: "FloatStorage", int64: "LongStorage" } as const;

class Pickler {
  private readonly parts: number[] = [];
  byte(...b: number[]): void {
    for (const x of b) this.parts.push(x);
  }
  bytes(b: Uint8Array): void {
    for (const x of b) this.parts.push(x);
  }
  global(module: string, name: string): void {
    this.byte(0x63); // GLOBAL
    this.bytes(Buffer.from(`${module}\n${name}\n`, "latin1"));
  }
  str(s: string): void {
    const b = Buffer.from(s, "utf8");
    this.byte(0x58); // BINUNICODE
    this.u32(b.byteLength);
    this.bytes(b);
  }
  int(n: number): void {
    if (n >= 0 && n < 256) this.byte(0x4b, n); // BININT1
    else if (n >= 0 && n < 65536) this.byte(0x4d, n & 0xff, n >> 8); // BININT2
    else if (n >= -(2 ** 31) && n < 2 ** 31) {
      this.byte(0x4a); // BININT
      this.u32(n >>> 0);
    } else {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setBigInt64(0, BigInt(n), true);
      this.byte(0x8a, 8); // LONG1
      this.bytes(b);
    }
  }
  tuple(items: number[]): void {
    if (items.length === 0) return this.byte(0x29); // EMPTY_TUPLE
    this.byte(0x28); // MARK
    for (const i of items) this.int(i);
    this.byte(0x74); // TUPLE
  }
  emptyOrderedDict(): void {
    this.global("collections", "OrderedDict");
    this.byte(0x29, 0x52); // EMPTY_TUPLE REDUCE
  }
  private u32(n: number): void {
    this.byte(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

function statePickle(tensors: OutTensor[]): Uint8Array {
  const p = new Pickler();
  p.byte(0x80, 2); // PROTO 2
  p.emptyOrderedDict();
  tensors.forEach((t, i) => {
    p.str(t.name);
    p.global("torch._utils", "_rebuild_tensor_v2");
    p.byte(0x28); // MARK: the arguments
    p.byte(0x28); // MARK: the persistent id
    p.str("storage");
    p.global("torch", STORAGE[t.dtype]);
    p.str(String(i));
    p.str("cpu");
    p.int(t.shape.reduce((a, b) => a * b, 1));
    p.byte(0x74, 0x51); // TUPLE BINPERSID
    p.int(0);
    p.tuple(t.shape);
    // Contiguous strides: each axis steps over the ones after it.
    p.tuple(t.shape.map((_, a) => t.shape.slice(a + 1).reduce((x, y) => x * y, 1)));
    p.byte(0x89); // NEWFALSE: requires_grad
    p.emptyOrderedDict(); // backward hooks
    p.byte(0x74, 0x52); // TUPLE REDUCE
    p.byte(0x73); // SETITEM
  });
  p.byte(0x2e); // STOP
  return p.finish();
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const ALIGN = 64;
const LOCAL = 30;
const CENTRAL = 46;
const END = 22;

interface Entry {
  name: Buffer;
  data: Uint8Array;
}

/** An uncompressed zip; dates are zero (torch's too), so the bytes depend only on the entries. */
function zip(entries: Entry[]): Uint8Array {
  let size = 0;
  const layout = entries.map((e) => {
    const start = size + LOCAL + e.name.byteLength + 4;
    const pad = (ALIGN - (start % ALIGN)) % ALIGN;
    const at = size;
    size = start + pad + e.data.byteLength;
    return { at, pad, crc: crc32(e.data) };
  });
  const centralAt = size;
  for (const e of entries) size += CENTRAL + e.name.byteLength;
  size += END;
  if (size > 0xffffffff || entries.length > 0xffff) throw new Error(`the state_dict is ${size} bytes; netc writes PyTorch files up to 4 GiB (no zip64)`);
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  entries.forEach((e, i) => {
    const { at, pad, crc } = layout[i]!;
    v.setUint32(at, 0x04034b50, true);
    // version needed 0, flags 0, method 0 (stored), time and date 0
    v.setUint32(at + 14, crc, true);
    v.setUint32(at + 18, e.data.byteLength, true);
    v.setUint32(at + 22, e.data.byteLength, true);
    v.setUint16(at + 26, e.name.byteLength, true);
    v.setUint16(at + 28, 4 + pad, true);
    out.set(e.name, at + LOCAL);
    const extra = at + LOCAL + e.name.byteLength;
    out[extra] = 0x46; // "FB": torch's padding field
    out[extra + 1] = 0x42;
    v.setUint16(extra + 2, pad, true);
    out.fill(0x5a, extra + 4, extra + 4 + pad); // "Z"
    out.set(e.data, extra + 4 + pad);
  });
  let c = centralAt;
  entries.forEach((e, i) => {
    const { at, crc } = layout[i]!;
    v.setUint32(c, 0x02014b50, true);
    v.setUint32(c + 16, crc, true);
    v.setUint32(c + 20, e.data.byteLength, true);
    v.setUint32(c + 24, e.data.byteLength, true);
    v.setUint16(c + 28, e.name.byteLength, true);
    v.setUint32(c + 42, at, true);
    out.set(e.name, c + CENTRAL);
    c += CENTRAL + e.name.byteLength;
  });
  v.setUint32(c, 0x06054b50, true);
  v.setUint16(c + 8, entries.length, true);
  v.setUint16(c + 10, entries.length, true);
  v.setUint32(c + 12, c - centralAt, true);
  v.setUint32(c + 16, centralAt, true);
  return out;
}

/** The bytes of `torch.save(state_dict, path)` for these tensors, in this order. */
export function torchStateDictBytes(tensors: OutTensor[], archive = "archive"): Uint8Array {
  const entries: Entry[] = [{ name: Buffer.from(`${archive}/data.pkl`), data: statePickle(tensors) }];
  // torch writes the storages by key in string order: 0, 1, 10, 11, ..., 2, ...
  const keys = tensors.map((_, i) => String(i)).sort();
  for (const k of keys) entries.push({ name: Buffer.from(`${archive}/data/${k}`), data: tensors[Number(k)]!.data });
  entries.push({ name: Buffer.from(`${archive}/version`), data: Buffer.from("3\n") });
  return zip(entries);
}
