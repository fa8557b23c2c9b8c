// A restricted unpickler for the data.pkl inside a PyTorch checkpoint. It knows
// the opcodes a state_dict uses and exactly the globals such a pickle names
// (collections.OrderedDict, torch._utils._rebuild_tensor_v2 and
// _rebuild_parameter, torch.*Storage as persistent-id tags); any other global,
// any other callable, any other opcode is refused. Nothing in the file is ever
// executed: REDUCE only builds the handful of records below. Each opcode
// consumes at least one byte, so work and memory are bounded by the pickle's size.

import { WeightsError } from "./tensor.js";

/** A storage reference from a persistent id: ('storage', torch.FloatStorage, key, location, numel). */
export interface StorageRef {
  kind: "storage";
  dtype: string;
  key: string;
  numel: number;
}

/** What _rebuild_tensor_v2 would build: a view of a storage. */
export interface TensorRef {
  kind: "tensor";
  storage: StorageRef;
  offset: number;
  shape: number[];
  stride: number[];
}

/** An OrderedDict (or dict): insertion-ordered entries. */
export interface DictValue {
  kind: "dict";
  entries: [PickleValue, PickleValue][];
}

interface GlobalRef {
  kind: "global";
  name: string;
}

export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | PickleValue[]
  | { kind: "tuple"; items: PickleValue[] }
  | DictValue
  | StorageRef
  | TensorRef
  | GlobalRef;

/** torch's storage classes and the dtypes their elements have. */
const STORAGES: Record<string, string> = {
  FloatStorage: "float32",
  HalfStorage: "float16",
  BFloat16Storage: "bfloat16",
  DoubleStorage: "float64",
  LongStorage: "int64",
  IntStorage: "int32",
  ShortStorage: "int16",
  CharStorage: "int8",
  ByteStorage: "uint8",
  BoolStorage: "bool",
};

const GLOBALS = new Set([
  "collections.OrderedDict",
  "torch._utils._rebuild_tensor_v2",
  "torch._utils._rebuild_parameter",
  ...Object.keys(STORAGES).map((s) => `torch.${s}`),
]);

const MARK = Symbol("mark");
type Slot = PickleValue | typeof MARK;

export function unpickle(bytes: Uint8Array, file: string): PickleValue {
  const fail = (what: string, at: number): never => {
    throw new WeightsError(`${file}: data.pkl is not a state_dict netc can read: ${what} (byte ${at})`);
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: Slot[] = [];
  const memo = new Map<number, PickleValue>();
  const text = new TextDecoder("utf-8", { fatal: true });
  let pc = 0;
  const need = (n: number, at: number) => {
    if (n < 0 || pc + n > bytes.length) fail(`an argument of ${n} bytes runs past the end of the pickle`, at);
  };
  const u8 = (at: number) => (need(1, at), bytes[pc++]!);
  const u16 = (at: number) => (need(2, at), (pc += 2), view.getUint16(pc - 2, true));
  const u32 = (at: number) => (need(4, at), (pc += 4), view.getUint32(pc - 4, true));
  const i32 = (at: number) => (need(4, at), (pc += 4), view.getInt32(pc - 4, true));
  const str = (n: number, at: number) => {
    need(n, at);
    try {
      return text.decode(bytes.subarray(pc, (pc += n)));
    } catch {
      return fail("a string is not valid UTF-8", at);
    }
  };
  const line = (at: number) => {
    const end = bytes.indexOf(0x0a, pc);
    if (end < 0 || end - pc > 256) fail("a GLOBAL name is not terminated", at);
    return str(end - pc, at) + (pc++, "");
  };
  const pop = (at: number): PickleValue => {
    const v = stack.pop();
    if (v === undefined || v === MARK) fail("the stack is empty where a value was expected", at);
    return v as PickleValue;
  };
  const top = (at: number): PickleValue => {
    const v = stack[stack.length - 1];
    if (v === undefined || v === MARK) fail("the stack is empty where a value was expected", at);
    return v as PickleValue;
  };
  const popMark = (at: number): PickleValue[] => {
    const i = stack.lastIndexOf(MARK);
    if (i < 0) fail("no MARK before a multi-item opcode", at);
    const items = stack.splice(i) as PickleValue[];
    items.shift();
    return items;
  };
  const tuple = (items: PickleValue[]): PickleValue => ({ kind: "tuple", items });
  const global = (name: string, at: number): PickleValue => {
    if (!GLOBALS.has(name))
      fail(`it names the global '${name}', which a state_dict never needs (refused: loading it could run code)`, at);
    return { kind: "global", name };
  };
  const setItems = (target: PickleValue, items: PickleValue[], at: number) => {
    if (!isDict(target)) return fail("SETITEM on something that is not a dict", at);
    if (items.length % 2) fail("SETITEMS with an odd number of items", at);
    for (let i = 0; i < items.length; i += 2) target.entries.push([items[i]!, items[i + 1]!]);
  };

  while (pc < bytes.length) {
    const at = pc;
    const op = bytes[pc++]!;
    switch (op) {
      case 0x80: // PROTO
        u8(at);
        break;
      case 0x95: // FRAME (protocol 4): a length hint only
        need(8, at);
        pc += 8;
        break;
      case 0x2e: // STOP
        if (stack.length !== 1) fail(`STOP with ${stack.length} values on the stack`, at);
        return pop(at);
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4b: // BININT1
        stack.push(u8(at));
        break;
      case 0x4d: // BININT2
        stack.push(u16(at));
        break;
      case 0x4a: // BININT
        stack.push(i32(at));
        break;
      case 0x8a: {
        // LONG1: little-endian two's complement, at most 8 bytes here
        const n = u8(at);
        if (n > 8) fail(`a ${n}-byte integer`, at);
        need(n, at);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[pc + i]!);
        if (n > 0 && bytes[pc + n - 1]! & 0x80) v -= 1n << BigInt(8 * n);
        pc += n;
        stack.push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
        break;
      }
      case 0x47: // BINFLOAT (big-endian)
        need(8, at);
        stack.push(view.getFloat64(pc, false));
        pc += 8;
        break;
      case 0x58: // BINUNICODE
        stack.push(str(u32(at), at));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(str(u8(at), at));
        break;
      case 0x8d: {
        // BINUNICODE8
        need(8, at);
        const lo = view.getUint32(pc, true);
        const hi = view.getUint32(pc + 4, true);
        pc += 8;
        if (hi) fail("a string longer than the file", at);
        stack.push(str(lo, at));
        break;
      }
      case 0x55: // SHORT_BINSTRING (protocol 2 bytes-as-str)
        stack.push(str(u8(at), at));
        break;
      case 0x54: // BINSTRING
        stack.push(str(u32(at), at));
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push(tuple([]));
        break;
      case 0x85: // TUPLE1
        stack.push(tuple([pop(at)]));
        break;
      case 0x86: {
        // TUPLE2
        const b = pop(at);
        stack.push(tuple([pop(at), b]));
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop(at);
        const b = pop(at);
        stack.push(tuple([pop(at), b, c]));
        break;
      }
      case 0x74: // TUPLE
        stack.push(tuple(popMark(at)));
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x61: {
        // APPEND
        const v = pop(at);
        const list = top(at);
        if (!Array.isArray(list)) fail("APPEND to something that is not a list", at);
        (list as PickleValue[]).push(v);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark(at);
        const list = top(at);
        if (!Array.isArray(list)) fail("APPENDS to something that is not a list", at);
        for (const v of items) (list as PickleValue[]).push(v);
        break;
      }
      case 0x7d: // EMPTY_DICT
        stack.push({ kind: "dict", entries: [] });
        break;
      case 0x73: {
        // SETITEM
        const v = pop(at);
        const k = pop(at);
        setItems(top(at), [k, v], at);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark(at);
        setItems(top(at), items, at);
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(at), top(at));
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(at), top(at));
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top(at));
        break;
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const k = op === 0x68 ? u8(at) : u32(at);
        if (!memo.has(k)) fail(`memo entry ${k} is read before it is written`, at);
        stack.push(memo.get(k)!);
        break;
      }
      case 0x63: {
        // GLOBAL "module\nname\n"
        const module = line(at);
        stack.push(global(`${module}.${line(at)}`, at));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop(at);
        const module = pop(at);
        if (typeof name !== "string" || typeof module !== "string") fail("STACK_GLOBAL without two strings", at);
        stack.push(global(`${module as string}.${name as string}`, at));
        break;
      }
      case 0x51: // BINPERSID
        stack.push(persistent(pop(at), at, fail));
        break;
      case 0x52: {
        // REDUCE: only the allowed constructors, built here, never called
        const args = pop(at);
        const fn = pop(at);
        stack.push(reduce(fn, args, at, fail));
        break;
      }
      case 0x62: {
        // BUILD: OrderedDict's __dict__ (state_dict's _metadata) is dropped
        pop(at);
        if (!isDict(top(at))) fail("BUILD on something that is not a dict", at);
        break;
      }
      default:
        fail(`opcode 0x${op.toString(16).padStart(2, "0")} is not one a state_dict uses (refused)`, at);
    }
  }
  return fail("the pickle ends without STOP", pc);
}

function isDict(v: PickleValue | undefined): v is DictValue {
  return typeof v === "object" && v !== null && !Array.isArray(v) && v.kind === "dict";
}

function items(v: PickleValue): PickleValue[] | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) && v.kind === "tuple" ? v.items : undefined;
}

function ints(v: PickleValue): number[] | undefined {
  const xs = items(v);
  return xs && xs.every((x) => typeof x === "number" && Number.isSafeInteger(x) && x >= 0)
    ? (xs as number[])
    : undefined;
}

function persistent(pid: PickleValue, at: number, fail: (what: string, at: number) => never): StorageRef {
  const t = items(pid);
  const cls = t?.[1];
  if (
    !t ||
    t[0] !== "storage" ||
    t.length < 5 ||
    typeof cls !== "object" ||
    cls === null ||
    Array.isArray(cls) ||
    cls.kind !== "global"
  ) {
    return fail("a persistent id that is not ('storage', torch.*Storage, key, location, size)", at);
  }
  const dtype = STORAGES[cls.name.replace(/^torch\./, "")];
  const key = t[2];
  const numel = t[4];
  if (!dtype) return fail(`a storage of class ${cls.name}`, at);
  if (typeof key !== "string" || !/^[A-Za-z0-9_.-]{1,64}$/.test(key))
    return fail("a storage key that is not a plain name", at);
  if (typeof numel !== "number" || !Number.isSafeInteger(numel) || numel < 0)
    return fail("a storage size that is not a whole number", at);
  return { kind: "storage", dtype, key, numel };
}

function reduce(
  fn: PickleValue,
  args: PickleValue,
  at: number,
  fail: (what: string, at: number) => never,
): PickleValue {
  const name =
    typeof fn === "object" && fn !== null && !Array.isArray(fn) && fn.kind === "global" ? fn.name : undefined;
  const a = items(args);
  if (!name || !a) return fail("REDUCE of something other than an allowed global and a tuple", at);
  switch (name) {
    case "collections.OrderedDict":
      if (a.length !== 0) return fail("OrderedDict built from arguments", at);
      return { kind: "dict", entries: [] };
    case "torch._utils._rebuild_tensor_v2": {
      const [storage, offset, size, stride] = a;
      const shape = size === undefined ? undefined : ints(size);
      const strides = stride === undefined ? undefined : ints(stride);
      if (typeof storage !== "object" || storage === null || Array.isArray(storage) || storage.kind !== "storage")
        return fail("a tensor without a storage", at);
      if (typeof offset !== "number" || !Number.isSafeInteger(offset) || offset < 0)
        return fail("a tensor with an invalid storage offset", at);
      if (!shape || !strides || shape.length !== strides.length)
        return fail("a tensor whose size and stride are not tuples of one length", at);
      return { kind: "tensor", storage, offset, shape, stride: strides };
    }
    case "torch._utils._rebuild_parameter": {
      const t = a[0];
      if (typeof t !== "object" || t === null || Array.isArray(t) || t.kind !== "tensor")
        return fail("a parameter without a tensor", at);
      return t;
    }
    default:
      return fail(`REDUCE of ${name}, which builds no state_dict part`, at);
  }
}
