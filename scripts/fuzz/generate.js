// Grammar-aware generation of .net programs, following grammar/README.md:
// imports, blocks with parameters and annotations, networks with input,
// defaults, train, sections, statements (ops, block calls, seq, concat, add,
// repeat, if), attributes of every form, annotations and expressions. Most
// output is valid or nearly so, so that the checker, the formatter and the
// backends all get exercised; some choices are deliberately hostile (odd
// names, extreme numbers, names of Object.prototype members).

const OPS = ["conv", "conv2d", "dwconv", "sepconv", "bn", "lrn", "maxpool", "avgpool", "globalavgpool", "gap", "globalmaxpool",
  "adaptiveavgpool", "dropout", "flatten", "dense", "fc", "relu", "relu6", "sigmoid", "tanh", "softmax", "identity"];
const FLAGS = ["relu", "relu6", "sigmoid", "tanh", "softmax", "linear", "same", "valid", "ceil", "floor", "global", "bn", "nobias"];
const KEYS = ["pad", "stride", "groups", "dilation", "bias", "act", "eps", "momentum", "alpha", "beta", "size", "out", "units", "rate", "multiplier", "k", "s", "kernel", "count_include_pad"];
/** Names that are members of Object.prototype or otherwise special to JavaScript. */
export const HOSTILE_NAMES = ["__proto__", "constructor", "toString", "valueOf", "hasOwnProperty", "prototype", "then", "length", "NaN", "Infinity", "undefined", "default", "new", "eval"];
const PLAIN_NAMES = ["a", "b", "c", "x", "y", "c1", "r3", "k", "s", "i", "classes", "width", "größe", "x_2", "_", "cin", "stride", "expand"];
/** String names: quotes, slashes, comment terminators, escapes, line separators, template syntax. */
export const ODD_NAMES = ['"a/b"', '"x */ y"', '"/* c"', '"a\\nb"', '"\\u{2028}"', '"\\u{2029}"', '"${x}"', '"`"', '"\\\\"', '"\\""', '"\\u{0}"', '"\\u{D800}"', '"\\u{1F600}"', '"<img src=x>"', '"[l](command:x)"', '"n m"', '""', '"x\\ty"', '"output"', '"input"'];
export const EXTREME_NUMBERS = ["0", "1", "-1", "2", "3", "4", "8", "16", "64", "1000", "0.5", ".5", "1e-4", "1e308", "1e309", "1e999", "1e-324", "4.9e-324", "2147483647", "2147483648", "4294967296", "9007199254740993", "99999999999999999999", "1e300G", "1G", "1.5M", "159K", "0.0", "00", "1e+1", "1E-1"];
const DIMS = ["1x1", "3x3", "5x5", "7x7", "1x7", "7x1", "2x2", "3x224x224", "0x0", "1x1x1", "99999x99999"];

export class ProgramGenerator {
  constructor(rng, opts = {}) {
    this.r = rng;
    this.hostile = opts.hostile ?? 0.05;
    this.names = [...PLAIN_NAMES];
    this.blocks = [];
    this.depth = 0;
  }

  name() {
    const r = this.r;
    if (r.chance(this.hostile)) return r.pick(HOSTILE_NAMES);
    return r.pick(this.names);
  }

  statementName() {
    const r = this.r;
    if (r.chance(this.hostile)) return r.pick(ODD_NAMES);
    if (r.chance(this.hostile)) return r.pick(HOSTILE_NAMES);
    const n = `${r.pick(["l", "x", "m", "inception", "aux", "a", "b"])}${r.int(20)}`;
    this.names.push(n);
    return n;
  }

  number() {
    const r = this.r;
    if (r.chance(this.hostile * 2)) return r.pick(EXTREME_NUMBERS);
    return r.pick(["1", "2", "3", "4", "8", "16", "32", "64", "0.5", "0.3", "1e-3", "10", "2.5", "1K"]);
  }

  dims() {
    return this.r.chance(this.hostile) ? this.r.pick(DIMS) : this.r.pick(["1x1", "3x3", "3x3", "5x5", "2x2", "1x3", "3x1"]);
  }

  expr(depth = 0) {
    const r = this.r;
    if (depth > 3 || r.chance(0.55)) return this.atom(depth);
    const op = r.pick(["+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "and", "or"]);
    if (r.chance(0.1)) return `not ${this.atom(depth + 1)}`;
    if (r.chance(0.1)) return `-${this.atom(depth + 1)}`;
    return `${this.atom(depth + 1)} ${op} ${this.expr(depth + 1)}`;
  }

  atom(depth = 0) {
    const r = this.r;
    switch (r.int(9)) {
      case 0:
      case 1:
      case 2:
        return this.number();
      case 3:
      case 4:
        return this.name();
      case 5:
        return `(${this.expr(depth + 1)})`;
      case 6:
        return `${r.pick(["min", "max", "abs", "floor", "ceil", "f", "toString"])}(${Array.from({ length: r.int(3) }, () => this.expr(depth + 1)).join(", ")})`;
      case 7:
        return `(${Array.from({ length: r.range(2, 3) }, () => this.expr(depth + 1)).join(", ")})`;
      default:
        return r.pick(["true", "false", '"s"', '"same"']);
    }
  }

  attr() {
    const r = this.r;
    switch (r.int(7)) {
      case 0:
        return this.dims() + (r.chance(0.3) ? `/${r.pick(["1", "2", "s", "(k + 1)", "0"])}` : "");
      case 1:
        return `${r.chance(this.hostile) ? r.pick(HOSTILE_NAMES) : r.pick(KEYS)}=${r.chance(0.3) ? r.pick(["same", "valid", "relu", "none", "true", "false"]) : this.expr(1)}`;
      case 2:
        return `${r.pick(["alpha", "beta", "kernel", "size"])} ${r.chance(0.5) ? this.number() : this.dims()}`;
      case 3:
        return r.chance(this.hostile) ? r.pick(HOSTILE_NAMES) : r.pick(FLAGS);
      case 4:
        return `(${this.expr(1)})`;
      default:
        return this.number();
    }
  }

  annotation() {
    const r = this.r;
    if (r.chance(0.6)) {
      const v = r.pick([() => this.dims(), () => this.number(), () => this.name(), () => `(${this.expr(1)}, ${this.number()}, ${this.number()})`])();
      return `${r.pick(["->", "<-"])} ${v}`;
    }
    return `${r.pick(["params", "macs"])} ${r.pick(["=", "~"])} ${this.number()}${r.chance(0.4) ? ` tol ${this.number()}%` : ""}`;
  }

  layer() {
    const r = this.r;
    this.depth++;
    try {
      const k = this.depth > 4 ? 0 : r.int(12);
      if (k <= 5) {
        const op = r.chance(this.hostile) ? r.pick([...HOSTILE_NAMES, "convv", "Conv", "pool"]) : r.pick(OPS);
        return [op, ...Array.from({ length: r.int(4) }, () => this.attr())].join(" ");
      }
      if (k === 6 && this.blocks.length) {
        const b = r.pick(this.blocks);
        const args = Array.from({ length: r.int(b.params + 2) }, (_, i) => (r.chance(0.2) ? `${r.pick(["c", "k", "x", "cout"])}=${this.expr(1)}` : i < 2 ? this.number() : this.expr(1)));
        return `${b.name}(${args.join(", ")})`;
      }
      if (k === 7) return `seq ${this.body()}`;
      if (k === 8) return `${r.pick(["concat", "add", "add relu", "concat relu"])} ${this.body()}`;
      if (k === 9) return `repeat ${r.chance(this.hostile) ? r.pick(["0", "10000", "10001", "1e9", "-1", "2.5", "k"]) : r.range(0, 3)}${r.chance(0.4) ? " as i" : ""} ${this.body()}`;
      if (k === 10) return `if ${this.expr(1)} ${this.body()}${r.chance(0.5) ? ` else ${this.body()}` : ""}`;
      return r.pick(OPS);
    } finally {
      this.depth--;
    }
  }

  body() {
    const r = this.r;
    const n = r.int(4);
    const statements = Array.from({ length: n }, () => this.statement());
    return r.chance(0.5) ? `{ ${statements.join("; ")} }` : `{\n${statements.map((s) => `  ${s}\n`).join("")}}`;
  }

  statement() {
    const r = this.r;
    let s = "";
    if (r.chance(0.4)) s += `${this.statementName()} = `;
    s += this.layer();
    if (r.chance(0.1)) s += ` from ${this.name()}`;
    if (r.chance(0.05)) s += ` weight ${this.number()}`;
    for (let i = r.int(3); i > 0 && r.chance(0.4); i--) s += ` ${this.annotation()}`;
    if (r.chance(0.1)) s += r.pick([" // note", " /// doc?", " // */ x"]);
    return s;
  }

  block(i) {
    const r = this.r;
    const name = r.chance(this.hostile) ? r.pick(["__proto__", "constructor", "Inception", "B"]) : `B${i}`;
    const params = Array.from({ length: r.int(4) }, (_, j) => `${r.pick(["c", "k", "cout", "stride", "x"])}${j}${r.chance(0.3) ? ` = ${this.number()}` : ""}`);
    this.blocks.push({ name, params: params.length });
    const ann = r.chance(0.3) ? ` <- ${r.pick(["cin", "(c, h, w)", "64", this.dims()])}` : "";
    const doc = r.chance(0.3) ? `/// Block ${i}: ${r.pick(["doc", "*/ x", "<b>", "[x](command:y)"])}\n` : "";
    const lines = Array.from({ length: r.range(1, 5) }, () => `  ${this.statement()}`);
    return `${doc}block ${name}(${params.join(", ")})${ann} {\n${lines.join("\n")}\n}\n`;
  }

  network(i) {
    const r = this.r;
    const lines = [];
    const c = r.pick(["1", "3", "8", "16"]);
    const hw = r.pick(["8x8", "16x16", "28x28", "32x32", "7x7", "1x1", "224x224"]);
    if (!r.chance(0.05)) lines.push(r.pick([`input ${c}x${hw}`, `input image ${c}x${hw}`, `input (${c}, 8, 8)`, "input 10", `input ${this.dims()}`]));
    if (r.chance(0.3)) lines.push(`defaults { ${r.pick(["conv", "pool", "dense", "bn", "conv:", "maxpool", "frob"])} ${this.attr()}${r.chance(0.5) ? `, ${this.attr()}` : ""} }`);
    if (r.chance(0.2)) {
      const settings = Array.from({ length: r.range(1, 3) }, () => r.pick([`optimizer ${r.pick(["sgd", "adam", "rmsprop", "__proto__", "toString"])} momentum=0.9`, `lr ${this.number()} decay=0.96 every=8`, `batch ${this.number()}`, `epochs ${this.number()}`, `validation 0.1`, `${r.pick(HOSTILE_NAMES)} 1`]));
      lines.push(`train {\n    ${settings.join("\n    ")}\n  }`);
    }
    const n = r.range(1, 8);
    for (let j = 0; j < n; j++) {
      if (r.chance(0.1)) lines.push(`${r.pick(["stem", "body", "head"])} {\n    ${Array.from({ length: r.range(1, 3) }, () => this.statement()).join("\n    ")}\n  }`);
      else lines.push(this.statement());
    }
    if (r.chance(0.6)) lines.push(r.pick(["flatten\n  dense 10", "avgpool global\n  flatten\n  dense classes", "gap\n  flatten\n  fc 10 softmax"]));
    const params = r.chance(0.4) ? `(classes = ${this.number()})` : "";
    const doc = r.chance(0.2) ? `/// Network ${i}\n` : "";
    return `${doc}network ${r.chance(this.hostile) ? r.pick(HOSTILE_NAMES) : `N${i}`}${params} {\n  ${lines.join("\n  ")}\n}\n`;
  }

  /** A file: optional imports, blocks, networks. */
  file(imports = []) {
    const r = this.r;
    const parts = [];
    if (r.chance(0.2)) parts.push("// generated\n");
    for (const i of imports) parts.push(`import "${i}"\n`);
    for (let i = r.int(3); i > 0; i--) parts.push(this.block(this.blocks.length));
    for (let i = r.range(0, 2); i > 0; i--) parts.push(this.network(i));
    return parts.join("\n");
  }
}

/**
 * Programs that check clean by construction (shapes kept consistent), so that
 * the formatter and both backends see real graphs, with names drawn from the
 * odd ones now and then: those reach generated code and ONNX strings.
 */
export function validProgram(r) {
  const odd = r.chance(0.3);
  const name = (i) => (odd && r.chance(0.3) ? r.pick(ODD_NAMES.filter((n) => n !== '""')) : `l${i}`);
  const lines = [];
  const blocks = [];
  let c = r.pick([1, 3, 4, 8]);
  let hw = r.pick([4, 8, 12, 16, 28]);
  let n = 0;
  const c0 = c;
  const hw0 = hw;
  let lastNamed = "image";
  if (r.chance(0.4)) {
    blocks.push(`/// A residual block${odd ? " */ ${x} `y` \u2028 <img>" : ""}.\nblock Res(cout, stride = 1) <- cin {\n  add relu {\n    seq { conv 3x3/stride cout pad=1 bn relu; conv 3x3 cout pad=1 bn }\n    if stride != 1 or cin != cout { conv 1x1/stride cout bn } else { identity }\n  }\n}\n`);
    blocks.push(`block Mix(a, b) {\n  concat {\n    conv 1x1 a\n    seq { conv 1x1 b; conv 3x3 b pad=same }\n    seq { maxpool 3x3/1 pad=1; conv 1x1 a }\n  }\n}\n`);
  }
  const steps = r.range(1, 7);
  let aux = 0;
  for (let s = 0; s < steps; s++) {
    const k = r.int(blocks.length ? 9 : 7);
    const stName = r.chance(0.5) ? name(n++) : undefined;
    const prefix = stName ? `${stName} = ` : "";
    if (stName && !stName.startsWith('"')) lastNamed = stName;
    if (k === 0) {
      const out = r.pick([4, 8, 16]);
      lines.push(`${prefix}conv ${r.pick(["1x1", "3x3"])} ${out} pad=same${r.chance(0.5) ? " relu" : ""}${r.chance(0.3) ? " bn" : ""} -> ${out}x${hw}x${hw}`);
      c = out;
    } else if (k === 1 && hw >= 4) {
      lines.push(`${prefix}${r.pick(["maxpool", "avgpool"])} 2x2/2${r.chance(0.5) ? " ceil" : ""}`);
      hw = Math.ceil(hw / 2);
    } else if (k === 2) {
      const a = r.pick([2, 4]);
      const b = r.pick([2, 4]);
      lines.push(`${prefix}concat {\n    ${name(n++)} = conv 1x1 ${a}\n    seq { conv 1x1 ${b}; conv 3x3 ${b} pad=same }\n  }`);
      c = a + b;
    } else if (k === 3) {
      lines.push(`${prefix}add relu {\n    conv 3x3 ${c} pad=same\n    identity\n  }`);
    } else if (k === 4) {
      lines.push(`${prefix}repeat ${r.range(1, 3)}${r.chance(0.5) ? " as i" : ""} { conv 3x3 ${c} pad=same ${r.pick(["relu", "relu6", "sigmoid", "tanh"])} }`);
    } else if (k === 5) {
      lines.push(`${prefix}${r.pick(["bn", "lrn 5", "dropout 0.2", "relu", "identity", "dwconv 3x3 pad=1"])}`);
    } else if (k === 6 && s > 0) {
      lines.push(`${odd ? r.pick(['"aux x */ y"', '"aux\\n1"', "aux" + aux]) : "aux" + aux} = seq { gap; flatten; dense 3 } from ${lastNamed} weight 0.3`);
      aux++;
    } else if (k === 7) {
      lines.push(`${prefix}Res(${c * 2}, stride=${hw >= 2 ? 2 : 1})`);
      if (hw >= 2) hw = Math.ceil(hw / 2);
      c *= 2;
    } else if (k === 8) {
      lines.push(`${prefix}Mix(${r.pick([2, 4])}, 2)`);
      c = -1; // not tracked: only ops that take any channel count follow
    }
    if (c < 0) {
      lines.push(`conv 1x1 8`);
      c = 8;
    }
  }
  const head = r.pick([`gap\n  flatten\n  dense classes`, `flatten\n  dense 10 softmax`, `adaptiveavgpool 2x2\n  flatten\n  dense classes`, `globalmaxpool`]);
  const train = r.chance(0.3) ? `  train {\n    optimizer sgd momentum=0.9\n    lr 0.01 decay=0.96 every=8\n    batch 32\n    epochs 3\n  }\n` : "";
  const doc = odd && r.chance(0.5) ? `/// ${r.pick(["*/ console.log(1) /*", "${x}", "`y`", "<img src=x>", "[l](command:z)"])}\n` : "";
  return `${blocks.join("\n")}${doc}network ${r.pick(["N", "Net", "Ünï"])}(classes = 10) {\n  input image ${c0}x${hw0}x${hw0}\n${train}  ${lines.join("\n  ")}\n  ${head}\n}\n`;
}
