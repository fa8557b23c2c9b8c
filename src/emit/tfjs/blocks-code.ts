// The body of model.ts's buildModel with the spec's blocks as functions (issue
// 14): each block call that src/emit/blocks.ts finds usable becomes one call of
// a function defined once per block (per structure: instances whose layer
// statements differ, an `if` on a parameter, get `Name_2`), which takes the
// tensor, the call's path as a name prefix and the numbers that differ between
// its calls. Layer names stay the plan's (`${prefix}/b2/conv1` is
// "inception3a/b2/conv1"), so checkpoints, --init and --weights see the same
// model as before; only the text is shorter.
//
// Each statement is one line where it fits: a layer is `apply(layer, x)` (a
// helper written into model.ts, typed so no cast is needed), and a convolution
// with the BatchNorm and activation after it, which the spec writes as one
// statement, is one call of a helper written once per kind (`convBnRelu(tf, x,
// name, config)`: the same three layers, named `name`, `name/bn`,
// `name/bn/relu` as the plan names them; fusedLayers says when that holds).

import type { IrGraph } from "../../ir/graph.js";
import { blockInstances, type BlockInstance, type BlockInstances } from "../blocks.js";
import { commentText, docLine, lineComment } from "./escape.js";
import { identifier, reservedWord } from "./names.js";
import type { LayerPlan, PlannedLayer } from "./plan.js";
import { describe, literal, snippet } from "./source.js";
import { ROW_FUNCTIONS } from "./state-dict-code.js";

const NUMBER = /(?<![\w."$])\d+(?:\.\d+)?(?:e[-+]?\d+)?(?![\w."])/g;
/** A call's path as the plan's layer names spell it (src/runtime/layer-names.ts: other characters are '_'). */
const tfPath = (path: string): string => {
  const s = path.replace(/[^-A-Za-z0-9._/]/g, "_");
  return /^[A-Za-z0-9]/.test(s) ? s : `x${s}`;
};

export interface BlockCode {
  /** The helpers (`apply`, conv + BatchNorm + activation) and the block functions, each a list of lines (before prettier). */
  functions: string[][];
  /** buildModel's statements from the input to the last layer. */
  body: string[];
}

interface Unit {
  lines: string[];
  /** Numbers in the lines, as \u0000 in `template`. */
  template: string;
  values: { text: string; key: string }[];
}

/**
 * The statements of buildModel and the block functions they call. `header(layer)`
 * gives the comment lines the network-level code prints before a layer.
 */
export function blockCode(plan: LayerPlan, ts: boolean, header: (layer: PlannedLayer, index: number, call: boolean) => string[]): BlockCode {
  const g: IrGraph = plan.graph;
  const cast = ts ? " as tfjs.SymbolicTensor" : "";
  const layersOf = new Map<number, number[]>();
  plan.layers.forEach((l, i) => layersOf.set(l.node.id, [...(layersOf.get(l.node.id) ?? []), i]));
  const definedBy = new Map<string, number>();
  plan.layers.forEach((l, i) => definedBy.set(l.output, i));
  const exits = new Set([plan.output, ...plan.aux.map((a) => a.variable)]);

  // A call is a function call when its layers are named under its path and it has one tensor in, one out.
  const shape = new Map<number, { input: string; output: string; layers: number[] }>();
  const all: BlockInstances = blockInstances(g, (inst) => {
    const idx = inst.nodes.flatMap((id) => layersOf.get(id) ?? []).sort((a, b) => a - b);
    if (idx.length === 0 || !idx.every((v, i) => v === idx[0]! + i)) return true;
    const own = new Set(idx.map((i) => plan.layers[i]!.output));
    const names = idx.map((i) => String(plan.layers[i]!.config.name));
    // Every layer named under the call's path (a name made unique with "_2" is not): the function names them so.
    const p = tfPath(inst.path);
    if (!names.every((n) => n === p || n.startsWith(`${p}/`))) return true;
    const inputs = new Set(idx.flatMap((i) => plan.layers[i]!.inputs).filter((v) => !own.has(v)));
    const used = new Set<string>();
    plan.layers.forEach((l, i) => {
      if (i < idx[0]! || i > idx[idx.length - 1]!) for (const v of l.inputs) if (own.has(v)) used.add(v);
    });
    for (const v of exits) if (own.has(v)) used.add(v);
    if (inputs.size !== 1 || used.size !== 1) return true;
    shape.set(inst.origin, { input: [...inputs][0]!, output: [...used][0]!, layers: idx });
    return false;
  });
  const infoOf = (inst: BlockInstance) => shape.get(inst.origin)!;

  // Module-level names: the helpers below, the block functions, the runtime's imports.
  const taken = new Set(["buildModel", "inputShape", "stateDict", "tf", "tfjs", "x", "prefix", ...ROW_FUNCTIONS, ...plan.layers.filter((l) => l.from === "netc").map((l) => l.fn)]);
  const planVars = new Set([plan.input.variable, ...plan.layers.map((l) => l.output)]);
  const moduleName = (base: string) => {
    let name = base;
    for (let k = 2; taken.has(name) || planVars.has(name) || reservedWord(name); k++) name = `${base}${k}`;
    taken.add(name);
    return name;
  };
  const apply = moduleName("apply");
  const helpers: string[][] = [
    [
      "",
      docLine("Applies a layer to the tensor before it (to the list of tensors for a merge)."),
      ts
        ? `function ${apply}(layer: tfjs.layers.Layer, x: tfjs.SymbolicTensor | tfjs.SymbolicTensor[]): tfjs.SymbolicTensor {`
        : `function ${apply}(layer, x) {`,
      `return layer.apply(x)${cast};`,
      "}",
    ],
  ];
  const fused = fusedLayers(plan, all.unitOf, exits);
  const fusedHelpers = new Map<string, string>();
  const configTypes = new Map<string, string>();
  const fusedHelper = (chain: number[]): string => {
    const [conv, ...rest] = chain.map((i) => plan.layers[i]!);
    const useBias = conv!.config.useBias;
    const without = (l: PlannedLayer) => Object.fromEntries(Object.entries(l.config).filter(([k]) => k !== "name"));
    const suffixes = chain.slice(1).map((i) => String(plan.layers[i]!.config.name).slice(String(plan.layers[i - 1]!.config.name).length));
    const key = JSON.stringify([conv!.from, conv!.fn, useBias, ...rest.map((l, k) => [l.from, l.fn, without(l), suffixes[k]])]);
    const known = fusedHelpers.get(key);
    if (known) return known;
    const kind = { conv2d: "conv", depthwiseConv2d: "depthwise", groupConv2d: "groupConv" }[conv!.fn] ?? conv!.fn;
    const act = rest[1] ? String(rest[1].config.activation ?? rest[1].config.fn ?? rest[1].fn) : "";
    const name = moduleName(`${kind}Bn${act.charAt(0).toUpperCase()}${act.slice(1)}`.replace(/[^A-Za-z0-9]/g, ""));
    fusedHelpers.set(key, name);
    const factory = (l: PlannedLayer) => (l.from === "tf" ? `tf.layers.${l.fn}` : l.fn);
    let configType = "";
    if (ts) {
      const source = `${conv!.from === "tf" ? "tfjs.layers." : ""}${conv!.fn}`;
      let alias = configTypes.get(source);
      if (!alias) {
        alias = moduleName(`${conv!.fn.charAt(0).toUpperCase()}${conv!.fn.slice(1)}Args`);
        configTypes.set(source, alias);
        helpers.push(["", `type ${alias} = Parameters<typeof ${source}>[0];`]);
      }
      configType = `: ${alias}`;
    }
    const baked = useBias === undefined ? "...config, name" : `...config, useBias: ${literal(useBias)}, name`;
    const vars = ["conv", "bn", "act"];
    const body = [`const conv = ${apply}(${factory(conv!)}({ ${baked} }), x);`];
    rest.forEach((l, k) => {
      const cfg = literal({ ...without(l), name: "@NAME@" }).replace(`"@NAME@"`, `name + ${literal(suffixes.slice(0, k + 1).join(""))}`);
      const call = `${apply}(${factory(l)}(${cfg}), ${vars[k]})`;
      body.push(k === rest.length - 1 ? `return ${call};` : `const ${vars[k + 1]} = ${call};`);
    });
    const names = ["`name`", ...suffixes.map((_, k) => `\`name${suffixes.slice(0, k + 1).join("")}\``)];
    const what = [conv!.fn, ...rest.map((l) => (l.fn === "activation" || l.fn === "torchActivation" ? act : l.fn))];
    const t = (type: string) => (ts ? `: ${type}` : "");
    helpers.push([
      "",
      docLine(`${what.join(", ")}: one statement's layers ${names.join(", ")}.`),
      `function ${name}(tf${t("typeof tfjs")}, x${t("tfjs.SymbolicTensor")}, name${t("string")}, config${configType})${t("tfjs.SymbolicTensor")} {`,
      ...body,
      "}",
    ]);
    return name;
  };
  const inChain = new Set<number>();
  for (const [, chain] of fused) {
    fusedHelper(chain);
    for (const i of chain.slice(1)) inChain.add(i);
  }
  const moduleNames = [...taken];
  const childHolding = (layer: number, unit: number | undefined): BlockInstance | undefined => {
    let u = all.unitOf[plan.layers[layer]!.node.id];
    if (u === unit) return undefined;
    while (all.instances[u!]!.parent !== unit) u = all.instances[u!]!.parent;
    return all.instances[u!]!;
  };

  /** The statements of a unit; `call` prints a block call's function and arguments. */
  function render(unit: number | undefined, call: (c: BlockInstance) => string): Unit {
    const inst = unit === undefined ? undefined : all.instances[unit]!;
    const range = inst ? infoOf(inst).layers : plan.layers.map((_, i) => i);
    const local = new Map<string, string>();
    const taken = new Set(moduleNames);
    if (inst) local.set(infoOf(inst).input, "x");
    const v = (name: string) => local.get(name) ?? name;
    const nameText = (full: string) => {
      if (!inst) return literal(full);
      const rest = full.slice(tfPath(inst.path).length);
      return rest === "" ? "prefix" : `\`\${prefix}${rest}\``;
    };
    const names: string[] = [];
    const lines: string[] = [];
    const done = new Set<number>();
    let lastWhere = "";
    let comment: { line: string; text: string; at: number } | undefined;
    for (const i of range) {
      const layer = plan.layers[i]!;
      const child = childHolding(i, unit);
      if (child) {
        if (done.has(child.index)) continue;
        done.add(child.index);
        const info = infoOf(child);
        if (!inst) lines.push(...header(layer, i, true));
        const variable = inst ? identifier(child.path.slice(inst.path.length + 1), taken) : info.output;
        if (inst) local.set(info.output, variable);
        names.push(tfPath(child.path));
        lines.push(`const ${variable} = ${call(child)}(tf, ${v(info.input)}, "@NAME_${names.length - 1}_@"${callArgs.get(child.index) ?? ""});`);
        lastWhere = "";
        comment = undefined;
        continue;
      }
      if (inChain.has(i)) continue;
      const chain = fused.get(i) ?? [i];
      for (const k of chain) {
        if (!inst) lines.push(...header(plan.layers[k]!, k, false));
        else {
          // One comment per spec line: the statements written on it, each once.
          const loc = plan.layers[k]!.node.loc;
          if (!loc) continue;
          const where = describe(loc, g.file);
          const statement = `${loc.file}:${loc.line}:${loc.column}`;
          if (statement === lastWhere) continue;
          const more = comment && comment.line === `${loc.file}:${loc.line}` ? `${comment.text}; ${snippet(loc)}` : undefined;
          if (more !== undefined && more.length <= 110) {
            comment!.text = more;
            lines[comment!.at] = lineComment(more);
          } else {
            comment = { line: `${loc.file}:${loc.line}`, text: where, at: lines.length };
            lines.push(lineComment(where));
          }
          lastWhere = statement;
        }
      }
      const last = plan.layers[chain[chain.length - 1]!]!;
      // A conv with its BatchNorm and activation is named after the conv.
      if (inst) local.set(last.output, identifier(String(layer.config.name).slice(tfPath(inst.path).length + 1) || "out", taken));
      else if (chain.length > 1 && !exits.has(last.output)) local.set(last.output, layer.output);
      const args = layer.inputs.map(v);
      const arg = args.length === 1 ? args[0]! : `[${args.join(", ")}]`;
      names.push(String(layer.config.name));
      if (chain.length > 1) {
        const { useBias: _, name: __, ...config } = layer.config;
        lines.push(`const ${v(last.output)} = ${fusedHelper(chain)}(tf, ${arg}, "@NAME_${names.length - 1}_@", ${literal(config)});`);
        continue;
      }
      const factory = layer.from === "tf" ? `tf.layers.${layer.fn}` : layer.fn;
      const config = literal({ ...layer.config, name: `@NAME_${names.length - 1}_@` });
      lines.push(`const ${v(layer.output)} = ${apply}(${factory}(${config}), ${arg});`);
    }
    if (inst) lines.push(`return ${v(infoOf(inst).output)};`);
    const values: { text: string; key: string }[] = [];
    const template = lines
      .map((line) =>
        line.startsWith("//")
          ? line
          : line.replace(NUMBER, (text, offset: number) => {
              const key = /(\w+): [-[\]\d., ]*$/.exec(line.slice(0, offset))?.[1] ?? "value";
              const variable = /^const (\w+) = /.exec(line)?.[1] ?? "";
              values.push({ text, key: `${variable}${key[0]!.toUpperCase()}${key.slice(1)}` });
              return "\u0000";
            }),
      )
      .join("\n");
    const named = (text: string) => text.replace(/"@NAME_(\d+)_@"/g, (_, k: string) => nameText(names[Number(k)]!));
    return { lines: returned(lines.map(named)), template: returned(named(template).split("\n")).join("\n"), values };
  }

  // Phase 1: each call's structure, deepest first (a call's structure names its inner calls').
  const callArgs = new Map<number, string>();
  const keyOf = new Map<number, string>();
  const keyIds = new Map<string, number>();
  const valuesOf = new Map<number, string[]>();
  for (const inst of [...all.instances].sort((a, b) => b.depth - a.depth || a.index - b.index)) {
    for (const c of all.instances.filter((c) => c.parent === inst.index)) callArgs.set(c.index, valuesOf.get(c.index)!.map((t) => `, ${t}`).join(""));
    const u = render(inst.index, (c) => `K${keyIds.get(keyOf.get(c.index)!)}K`);
    const key = `${inst.block}\n${u.template}`;
    if (!keyIds.has(key)) keyIds.set(key, keyIds.size);
    keyOf.set(inst.index, key);
    valuesOf.set(inst.index, u.values.map((x) => x.text));
  }

  interface Fn {
    name: string;
    block: string;
    instances: BlockInstance[];
    lines?: string[];
  }
  const fns = new Map<string, Fn>();
  for (const inst of all.instances) {
    const key = keyOf.get(inst.index)!;
    let fn = fns.get(key);
    if (!fn) {
      let base = inst.block.replace(/[^A-Za-z0-9_$]/g, "_");
      if (/^[0-9]/.test(base)) base = `block_${base}`;
      let name = base;
      for (let k = 2; taken.has(name) || name === "x" || name === "prefix"; k++) name = `${base}_${k}`;
      if (reservedWord(name)) name = `${name}Block`;
      taken.add(name);
      fn = { name, block: inst.block, instances: [] };
      fns.set(key, fn);
    }
    fn.instances.push(inst);
  }
  const fnOf = (inst: BlockInstance) => fns.get(keyOf.get(inst.index)!)!;
  const defined: string[][] = [];

  // Phase 2: each function with the numbers that differ between its calls as parameters.
  function finish(fn: Fn): Fn {
    if (fn.lines) return fn;
    for (const inst of fn.instances) for (const c of all.instances.filter((c) => c.parent === inst.index)) finish(fnOf(c));
    const rendered = fn.instances.map((inst) => ({ inst, u: render(inst.index, (c) => fnOf(c).name) }));
    const first = rendered[0]!;
    const slots = first.u.values;
    const varying = slots.map((_, k) => rendered.some((x) => x.u.values[k]!.text !== slots[k]!.text));
    const inChannels = rendered.map((x) => g.nodes[x.inst.input]!.shape[0]!);
    const bodyNames = new Set([...first.u.lines.join("\n").matchAll(/const (\w+) = /g)].map((m) => m[1]!));
    const nameOf: (string | undefined)[] = [];
    const exprOf: (string | undefined)[] = [];
    const used = new Set<string>();
    const signature = new Map<string, string>();
    const safe = (n: string) => {
      let id = n.replace(/[^A-Za-z0-9_$]/g, "_");
      if (/^[0-9]/.test(id)) id = `p${id}`;
      if (reservedWord(id)) id = `${id}Value`;
      while (bodyNames.has(id) || taken.has(id) || ["tf", "x", "prefix"].includes(id)) id = `${id}Value`;
      return id;
    };
    slots.forEach((slot, k) => {
      if (!varying[k]) return;
      const v = rendered.map((x) => Number(x.u.values[k]!.text));
      const spec = first.inst.params.findIndex((_, p) => rendered.every((x, i) => x.inst.args[p] === v[i]));
      if (spec < 0 && !v.every((x, i) => x === inChannels[i])) {
        const bases: [string, number[]][] = [["inChannels", inChannels], ...first.inst.params.map((p, j): [string, number[]] => [safe(p), rendered.map((x) => x.inst.args[j] ?? NaN)])];
        for (const [base, b] of bases) {
          const ratio = v[0]! / b[0]!;
          if (Number.isInteger(ratio) && ratio > 1 && v.every((x, i) => x === ratio * b[i]!)) {
            exprOf[k] = `${ratio} * ${base}`;
            used.add(base);
            break;
          }
        }
        if (exprOf[k]) return;
      }
      const name = safe(spec >= 0 ? first.inst.params[spec]! : v.every((x, i) => x === inChannels[i]) ? "inChannels" : slot.key);
      let unique = name;
      for (let n = 2; signature.has(unique) && signature.get(unique) !== v.join(); n++) unique = `${name}${n}`;
      signature.set(unique, v.join());
      nameOf[k] = unique;
    });
    const specOrder = (p: string) => (p === "inChannels" ? -1 : first.inst.params.map(safe).includes(p) ? first.inst.params.map(safe).indexOf(p) : first.inst.params.length);
    const params = [...new Set([...used, ...nameOf.filter((n): n is string => n !== undefined)])].sort((a, b) => specOrder(a) - specOrder(b));
    const valueOf = (p: string, x: (typeof rendered)[number], i: number) =>
      nameOf.includes(p) ? x.u.values[nameOf.indexOf(p)]!.text : p === "inChannels" ? String(inChannels[i]) : String(x.inst.args[first.inst.params.map(safe).indexOf(p)]);
    rendered.forEach((x, i) => callArgs.set(x.inst.index, params.map((p) => `, ${valueOf(p, x, i)}`).join("")));
    let k = 0;
    const body = first.u.template.split("\n").map((line) => line.replace(/\u0000/g, () => {
      const i = k++;
      return exprOf[i] ?? (varying[i] ? nameOf[i]! : slots[i]!.text);
    }));
    const t = (type: string) => (ts ? `: ${type}` : "");
    const sig = ["tf" + t("typeof tfjs"), "x" + t("tfjs.SymbolicTensor"), "prefix" + t("string"), ...params.map((p) => p + t("number"))].join(", ");
    const calls = fn.instances.length;
    fn.lines = [
      "",
      `/** The spec's block ${commentText(fn.block)}${calls > 1 ? `, called ${calls} times` : ""}: its layers, named under \`prefix\`. */`,
      `function ${fn.name}(${sig})${t("tfjs.SymbolicTensor")} {`,
      ...body,
      "}",
    ];
    defined.push(fn.lines);
    return fn;
  }
  for (const fn of fns.values()) finish(fn);
  const net = render(undefined, (c) => finish(fnOf(c)).name);
  return { functions: [...helpers, ...defined], body: net.lines };
}

/**
 * Layer index -> the layers one helper call builds: a convolution, the
 * BatchNorm after it and the activation after that (if any), each named under
 * the one before and read by nothing else, in one unit (the same block call).
 */
function fusedLayers(plan: LayerPlan, unitOf: (number | undefined)[], exits: Set<string>): Map<number, number[]> {
  const readers = new Map<string, number>();
  for (const l of plan.layers) for (const v of l.inputs) readers.set(v, (readers.get(v) ?? 0) + 1);
  const onlyInto = (a: PlannedLayer, b: PlannedLayer | undefined) =>
    b !== undefined &&
    b.inputs.length === 1 &&
    b.inputs[0] === a.output &&
    readers.get(a.output) === 1 &&
    !exits.has(a.output) &&
    unitOf[a.node.id] === unitOf[b.node.id] &&
    typeof b.config.name === "string" &&
    b.config.name.startsWith(String(a.config.name)) &&
    SUFFIX.test(b.config.name.slice(String(a.config.name).length));
  const out = new Map<number, number[]>();
  plan.layers.forEach((l, i) => {
    if (!CONVS.has(l.fn) || l.inputs.length !== 1 || typeof l.config.name !== "string") return;
    const bn = plan.layers[i + 1];
    if (bn?.fn !== "batchNormalization" || !onlyInto(l, bn)) return;
    const act = plan.layers[i + 2];
    const isAct = act !== undefined && (act.fn === "activation" || act.fn === "torchActivation");
    out.set(i, isAct && onlyInto(bn, act) ? [i, i + 1, i + 2] : [i, i + 1]);
  });
  return out;
}

/** `const v = E; return v;` at the end of a block's statements as `return E;`. */
function returned(lines: string[]): string[] {
  const ret = /^return (\w+);$/.exec(lines[lines.length - 1] ?? "");
  const last = lines[lines.length - 2] ?? "";
  if (!ret || !last.startsWith(`const ${ret[1]} = `)) return lines;
  return [...lines.slice(0, -2), `return ${last.slice(`const ${ret[1]} = `.length)}`];
}

const CONVS = new Set(["conv2d", "depthwiseConv2d", "groupConv2d"]);
/** A name's tail after the layer before it: "/bn", "/relu" (tfjs layer names' characters only). */
const SUFFIX = /^\/[-A-Za-z0-9._/]+$/;
