// Tiny PyTorch-format files built by hand for the readers' tests: a stored ZIP
// and the pickle of a state_dict, opcode by opcode, so the tests need no
// PyTorch and can break any part on purpose.

export function zip(entries: [string, Uint8Array][]): Uint8Array {
  const parts: Uint8Array[] = [];
  const dir: Uint8Array[] = [];
  let off = 0;
  for (const [name, data] of entries) {
    const n = new TextEncoder().encode(name);
    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, 0x04034b50, true);
    local.setUint32(18, data.length, true);
    local.setUint32(22, data.length, true);
    local.setUint16(26, n.length, true);
    const central = new DataView(new ArrayBuffer(46));
    central.setUint32(0, 0x02014b50, true);
    central.setUint32(20, data.length, true);
    central.setUint32(24, data.length, true);
    central.setUint16(28, n.length, true);
    central.setUint32(42, off, true);
    parts.push(new Uint8Array(local.buffer), n, data);
    dir.push(new Uint8Array(central.buffer), n);
    off += 30 + n.length + data.length;
  }
  const dirSize = dir.reduce((a, b) => a + b.length, 0);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, entries.length, true);
  end.setUint16(10, entries.length, true);
  end.setUint32(12, dirSize, true);
  end.setUint32(16, off, true);
  return concat([...parts, ...dir, new Uint8Array(end.buffer)]);
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, b) => a + b.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const enc = (s: string) => new TextEncoder().encode(s);
const str = (s: string) => concat([Uint8Array.of(0x8c, enc(s).length), enc(s)]);
const global = (module: string, name: string) => concat([Uint8Array.of(0x63), enc(`${module}\n${name}\n`)]);
const int = (v: number) =>
  v < 256
    ? Uint8Array.of(0x4b, v)
    : v < 2 ** 31
      ? concat([Uint8Array.of(0x4a), new Uint8Array(Int32Array.of(v).buffer)])
      : concat([Uint8Array.of(0x8a, 8), new Uint8Array(BigInt64Array.of(BigInt(v)).buffer)]);
const tuple = (items: Uint8Array[]) => concat([Uint8Array.of(0x28), ...items, Uint8Array.of(0x74)]);
const orderedDict = concat([global("collections", "OrderedDict"), Uint8Array.of(0x29, 0x52)]);

export interface PickledTensor {
  name: string;
  key: string;
  storage?: string;
  /** Elements the storage declares. */
  numel: number;
  offset?: number;
  shape: number[];
  stride?: number[];
}

/** data.pkl of an OrderedDict of tensors, as torch.save writes it (protocol 2). */
export function statePickle(tensors: PickledTensor[]): Uint8Array {
  const items = tensors.map((t) => {
    const stride = t.stride ?? t.shape.map((_, i) => t.shape.slice(i + 1).reduce((a, b) => a * b, 1));
    const pid = concat([
      tuple([str("storage"), global("torch", t.storage ?? "FloatStorage"), str(t.key), str("cpu"), int(t.numel)]),
      Uint8Array.of(0x51),
    ]);
    const args = tuple([
      pid,
      int(t.offset ?? 0),
      tuple(t.shape.map(int)),
      tuple(stride.map(int)),
      Uint8Array.of(0x89),
      orderedDict,
    ]);
    return concat([str(t.name), global("torch._utils", "_rebuild_tensor_v2"), args, Uint8Array.of(0x52)]);
  });
  return concat([Uint8Array.of(0x80, 0x02), orderedDict, Uint8Array.of(0x28), ...items, Uint8Array.of(0x75, 0x2e)]);
}

/** A whole checkpoint: the pickle and each storage's float32 values. */
export function torchFile(
  tensors: PickledTensor[],
  storages: Record<string, Float32Array | Uint8Array>,
  pickle = statePickle(tensors),
): Uint8Array {
  return zip([
    ["archive/data.pkl", pickle],
    ...Object.entries(storages).map(([k, v]): [string, Uint8Array] => [
      `archive/data/${k}`,
      new Uint8Array(v.buffer, v.byteOffset, v.byteLength),
    ]),
    ["archive/version", enc("3\n")],
  ]);
}

/** A safetensors file from a header object and the data bytes. */
export function safetensors(header: unknown, data: Uint8Array, declared?: number): Uint8Array {
  const text = enc(JSON.stringify(header));
  const len = new DataView(new ArrayBuffer(8));
  len.setUint32(0, declared ?? text.length, true);
  return concat([new Uint8Array(len.buffer), text, data]);
}
