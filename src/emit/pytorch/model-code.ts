// IR graph -> `model.py`: one nn.Module for the network. Every layer with
// weights is a torch module at its netc path (`stem/conv1/bn` is
// `self.stem.conv1.bn`: a statement or block call is a Container, and a layer
// whose path others extend holds them, as a conv holds its `bn`), registered in
// the order `netc weights` lists the tensors, so the state_dict's keys and order
// are netc's and a torchvision checkpoint (by order) or netc's own weights load.
// Layers without weights are calls in `forward`, which runs the inference graph
// in the IR's order (auxiliary heads are registered, so their weights load, but
// not run). Each IR op maps to PyTorch in one exhaustive table (`OPS`).

import { basename } from "node:path";
import { diag } from "../../diagnostics/catalogue.js";
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import type { Activation, IrGraph, IrNode, NodeAttrs, OpKind } from "../../ir/graph.js";
import { preprocessSteps } from "../../ir/preprocess.js";
import { stateDictOrder } from "../../ir/state-dict.js";

/** The attributes of op K (pool and global-pool records serve two ops each). */
type Attrs<K extends OpKind> = NodeAttrs extends infer T ? (T extends { op: infer O } ? (K extends O ? T : never) : never) : never;

interface Ctx {
  graph: IrGraph;
  node: IrNode;
  /** The Python expressions of the inputs (variables). */
  inputs: string[];
  /** The module's access expression (`self.stem.conv1`). */
  module: string;
}

interface PyOp<K extends OpKind> {
  /** The torch module this layer is, when it holds weights (constructor call), or "" for none. */
  module(a: Attrs<K>, node: IrNode, graph: IrGraph): string;
  /** The expression computing the layer's output. */
  forward(a: Attrs<K>, c: Ctx): string;
  /** Why PyTorch cannot express this layer as written, if so. */
  unsupported?(a: Attrs<K>, node: IrNode, graph: IrGraph): string | undefined;
}

const num = (v: number): string => (Number.isInteger(v) ? String(v) : String(v));
const pair = (p: readonly [number, number]): string => (p[0] === p[1] ? String(p[0]) : `(${p[0]}, ${p[1]})`);
const inShape = (n: IrNode, g: IrGraph): number[] => g.nodes[n.inputs[0]!]!.shape;

const ACTS: { [K in Exclude<Activation, "none">]: (x: string, alpha: number | undefined) => string } = {
  relu: (x) => `F.relu(${x})`,
  relu6: (x) => `F.relu6(${x})`,
  sigmoid: (x) => `torch.sigmoid(${x})`,
  tanh: (x) => `torch.tanh(${x})`,
  softmax: (x) => `F.softmax(${x}, dim=1)`,
  silu: (x) => `F.silu(${x})`,
  gelu: (x) => `F.gelu(${x})`,
  hardswish: (x) => `F.hardswish(${x})`,
  hardsigmoid: (x) => `F.hardsigmoid(${x})`,
  leakyrelu: (x, a) => `F.leaky_relu(${x}, ${num(a ?? 0.01)})`,
  elu: (x, a) => `F.elu(${x}, ${num(a ?? 1)})`,
};
/**
 * `fresh`: x is a new tensor no one else reads (a layer's output, a sum), so a
 * ReLU may overwrite it, as torchvision's `F.relu(..., inplace=True)` does: one
 * allocation less per layer (2-3% of a small net's training step on CPU). No
 * layer netc emits before a ReLU keeps its output for the backward pass.
 */
const act = (x: string, fn: Activation, alpha?: number, fresh = false): string =>
  fn === "none" ? x : fresh && fn === "relu" ? `F.relu(${x}, inplace=True)` : ACTS[fn](x, alpha);

/** Whether pads are one value per axis that PyTorch's own padding argument takes (at most half the kernel). */
const symmetric = (pads: readonly number[], kernel: readonly [number, number]): boolean =>
  pads[0] === pads[2] && pads[1] === pads[3] && pads[0]! <= kernel[0] / 2 && pads[1]! <= kernel[1] / 2;

/** PyTorch's pooling output size (torch 1.13's pooling_output_shape): a ceil window must start inside the input or the left padding. */
function torchPoolSize(size: number, k: number, s: number, pad: number, ceil: boolean): number {
  let out = Math.floor((size + 2 * pad - k + (ceil ? s - 1 : 0)) / s) + 1;
  if (ceil && (out - 1) * s >= size + pad) out--;
  return out;
}

const none = () => "";
const channelsLast = (x: string, f: (y: string) => string): string => `${f(`${x}.permute(0, 2, 3, 1)`)}.permute(0, 3, 1, 2)`;

export const OPS = {
  input: { module: none, forward: (_a, c) => c.inputs[0] ?? "x" },
  conv: {
    module(a, n, g) {
      const pads = a.pads[0] === a.pads[2] && a.pads[1] === a.pads[3] ? pair([a.pads[0], a.pads[1]]) : "0";
      const extra = [
        a.stride[0] !== 1 || a.stride[1] !== 1 ? `stride=${pair(a.stride)}` : "",
        pads !== "0" ? `padding=${pads}` : "",
        a.dilation[0] !== 1 || a.dilation[1] !== 1 ? `dilation=${pair(a.dilation)}` : "",
        a.groups !== 1 ? `groups=${a.groups}` : "",
        a.bias ? "" : "bias=False",
      ].filter((s) => s !== "");
      return `nn.Conv2d(${[inShape(n, g)[0], a.outChannels, pair(a.kernel), ...extra].join(", ")})`;
    },
    forward(a, c) {
      const [t, l, b, r] = a.pads;
      const x = t === b && l === r ? c.inputs[0]! : `F.pad(${c.inputs[0]}, (${l}, ${r}, ${t}, ${b}))`;
      return act(`${c.module}(${x})`, a.act, a.actAlpha, true);
    },
  },
  batchnorm: {
    module: (a, n, g) => `nn.BatchNorm${inShape(n, g).length === 3 ? 2 : 1}d(${inShape(n, g)[0]}, eps=${num(a.eps)}, momentum=${num(a.momentum)})`,
    forward: (a, c) => act(`${c.module}(${c.inputs[0]})`, a.act, a.actAlpha, true),
  },
  lrn: { module: none, forward: (a, c) => `F.local_response_norm(${c.inputs[0]}, ${a.size}, alpha=${num(a.alpha)}, beta=${num(a.beta)}, k=${num(a.bias)})` },
  maxpool: {
    module: none,
    forward(a, c) {
      const x = c.inputs[0]!;
      const ceil = a.ceil ? ", ceil_mode=True" : "";
      if (symmetric(a.pads, a.kernel)) return `F.max_pool2d(${x}, ${pair(a.kernel)}, ${pair(a.stride)}, ${pair([a.pads[0], a.pads[1]])}${ceil})`;
      const [, h, w] = inShape(c.node, c.graph);
      const [, oh, ow] = c.node.shape;
      const [t, l, b, r] = a.pads;
      // Uneven padding (TF's 'same'): window i starts at i * stride - top in both, and max pooling
      // ignores what lies outside the input, so PyTorch's top/left padding and the rounding that
      // gives the IR's output size compute the same windows without a padded copy.
      if (t <= a.kernel[0] / 2 && l <= a.kernel[1] / 2) {
        for (const up of a.ceil ? [true, false] : [false, true]) {
          if (torchPoolSize(h!, a.kernel[0], a.stride[0], t, up) === oh && torchPoolSize(w!, a.kernel[1], a.stride[1], l, up) === ow) {
            return `F.max_pool2d(${x}, ${pair(a.kernel)}, ${pair(a.stride)}, ${pair([t, l])}${up ? ", ceil_mode=True" : ""})`;
          }
        }
      }
      // Padding PyTorch's argument cannot state: -inf written out, with the tail the IR's (ceil) rounding reads.
      const tail = (size: number, lo: number, hi: number, k: number, s: number, out: number) => Math.max(0, (out - 1) * s + k - (size + lo + hi));
      const eb = b + tail(h!, t, b, a.kernel[0], a.stride[0], oh!);
      const er = r + tail(w!, l, r, a.kernel[1], a.stride[1], ow!);
      return `F.max_pool2d(F.pad(${x}, (${l}, ${er}, ${t}, ${eb}), value=-math.inf), ${pair(a.kernel)}, ${pair(a.stride)})`;
    },
  },
  avgpool: {
    module: none,
    unsupported: (a) =>
      symmetric(a.pads, a.kernel) ? undefined : `an average pooling with padding [${a.pads.join(", ")}] (top, left, bottom, right), which F.avg_pool2d's symmetric padding cannot express`,
    forward: (a, c) =>
      `F.avg_pool2d(${c.inputs[0]}, ${pair(a.kernel)}, ${pair(a.stride)}, ${pair([a.pads[0], a.pads[1]])}${a.ceil ? ", ceil_mode=True" : ""}${a.countIncludePad ? "" : ", count_include_pad=False"})`,
  },
  globalavgpool: { module: none, forward: (_a, c) => `${c.inputs[0]}.mean((2, 3), keepdim=True)` },
  globalmaxpool: { module: none, forward: (_a, c) => `${c.inputs[0]}.amax((2, 3), keepdim=True)` },
  adaptiveavgpool: { module: none, forward: (a, c) => `F.adaptive_avg_pool2d(${c.inputs[0]}, ${pair(a.out)})` },
  dropout: { module: none, forward: (a, c) => `F.dropout(${c.inputs[0]}, ${num(a.rate)}, self.training)` },
  droppath: { module: none, forward: (a, c) => `drop_path(${c.inputs[0]}, ${num(a.rate)}, self.training)` },
  flatten: { module: none, forward: (_a, c) => `torch.flatten(${c.inputs[0]}, 1)` },
  dense: {
    module: (a, n, g) => `nn.Linear(${inShape(n, g)[0]}, ${a.units}${a.bias ? "" : ", bias=False"})`,
    forward: (a, c) => {
      const pixelwise = a.pixelwise && inShape(c.node, c.graph).length === 3;
      return act(pixelwise ? channelsLast(c.inputs[0]!, (y) => `${c.module}(${y})`) : `${c.module}(${c.inputs[0]})`, a.act, a.actAlpha, !pixelwise);
    },
  },
  layernorm: {
    module: (a, n, g) => `nn.LayerNorm(${inShape(n, g)[0]}, eps=${num(a.eps)})`,
    forward: (_a, c) => (inShape(c.node, c.graph).length === 3 ? channelsLast(c.inputs[0]!, (y) => `${c.module}(${y})`) : `${c.module}(${c.inputs[0]})`),
  },
  groupnorm: { module: (a, n, g) => `nn.GroupNorm(${a.groups}, ${inShape(n, g)[0]}, eps=${num(a.eps)})`, forward: (_a, c) => `${c.module}(${c.inputs[0]})` },
  act: { module: none, forward: (a, c) => act(c.inputs[0]!, a.fn, a.alpha) },
  concat: { module: none, forward: (_a, c) => `torch.cat([${c.inputs.join(", ")}], 1)` },
  add: { module: none, forward: (a, c) => act(c.inputs.join(" + "), a.act, a.actAlpha, c.inputs.length > 1) },
  mul: { module: none, forward: (a, c) => act(c.inputs.join(" * "), a.act, a.actAlpha, c.inputs.length > 1) },
  scale: {
    module: (a, n, g) => `Scale((${inShape(n, g).length === 3 ? `${inShape(n, g)[0]}, 1, 1` : `${inShape(n, g)[0]},`}), ${num(a.init)})`,
    forward: (_a, c) => `${c.inputs[0]} * ${c.module}.layer_scale`,
  },
  slice: { module: none, forward: (a, c) => `${c.inputs[0]}[:, ${a.start}:${a.end}]` },
  shuffle: { module: none, forward: (a, c) => `channel_shuffle(${c.inputs[0]}, ${a.groups})` },
} satisfies { [K in OpKind]: PyOp<K> };

function opOf<K extends OpKind>(a: Attrs<K>): PyOp<K> {
  return OPS[a.op] as unknown as PyOp<K>;
}

const KEYWORDS = new Set(
  "False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield match case".split(" "),
);
/** Attributes of torch.nn.Module and of the layers netc registers (torch 1.13): a submodule cannot take these names. */
const MODULE_ATTRS = new Set(
  ("T_destination add_module affine apply bfloat16 bias buffers children cpu cuda dilation double dump_patches elementwise_affine eps eval extra_repr float forward " +
    "get_buffer get_extra_state get_parameter get_submodule groups half in_channels in_features ipu kernel_size load_state_dict modules momentum named_buffers " +
    "named_children named_modules named_parameters normalized_shape num_batches_tracked num_channels num_features num_groups out_channels out_features output_padding " +
    "padding padding_mode parameters register_backward_hook register_buffer register_forward_hook register_forward_pre_hook register_full_backward_hook " +
    "register_load_state_dict_post_hook register_module register_parameter requires_grad_ reset_parameters reset_running_stats running_mean running_var " +
    "set_extra_state share_memory state_dict stride to to_empty track_running_stats train training transposed type weight xpu zero_grad")
    .split(" "),
);
const identifier = (s: string): boolean => /^[A-Za-z_][A-Za-z0-9_]*$/.test(s) && !KEYWORDS.has(s);

/** A Python string literal (ASCII; everything else escaped). */
export function pyString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (c >= 0x20 && c < 0x7f) out += ch;
    else if (c <= 0xff) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else if (c <= 0xffff) out += `\\u${c.toString(16).padStart(4, "0")}`;
    else out += `\\U${c.toString(16).padStart(8, "0")}`;
  }
  return `${out}"`;
}
/** Text for a `#` comment: one line, control and line-separator characters escaped. */
const commentText = (s: string): string => s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u0085]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

interface Plan {
  diagnostics: Diagnostic[];
  /** Module-bearing nodes in registration (state_dict) order. */
  modules: IrNode[];
}

export function planPytorch(graph: IrGraph): Plan {
  const diagnostics: Diagnostic[] = [];
  for (const n of graph.nodes) {
    const why = opOf(n.attrs).unsupported?.(n.attrs as never, n, graph);
    if (why) diagnostics.push(diag("NET6010", n.source.file, n.source.span, { layer: n.name, detail: why }));
  }
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  const modules: IrNode[] = [];
  const seen = new Set<string>();
  for (const t of stateDictOrder(graph)) {
    if (seen.has(t.node)) continue;
    seen.add(t.node);
    modules.push(byName.get(t.node)!);
  }
  // Every path segment must be a name a module can take.
  const layerPaths = new Set(modules.map((m) => m.name));
  const reported = new Set<string>();
  for (const m of modules) {
    const parts = m.name.split("/");
    for (let i = 0; i < parts.length; i++) {
      const prefix = parts.slice(0, i + 1).join("/");
      if (!MODULE_ATTRS.has(parts[i]!) || reported.has(prefix)) continue;
      reported.add(prefix);
      const parent = parts.slice(0, i).join("/");
      const owner = layerPaths.has(parent) ? `of the torch layer '${parent}' it would be registered in` : "of every torch.nn.Module";
      diagnostics.push(diag("NET6011", m.source.file, m.source.span, { layer: prefix, name: parts[i]!, owner }));
    }
  }
  return { diagnostics, modules };
}

/** Python access to a module path from `self`. */
function access(path: string[], layers: Set<string>): string {
  let out = "self";
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    const parentIsLayer = i > 0 && layers.has(path.slice(0, i).join("/"));
    out = identifier(seg) ? `${out}.${seg}` : parentIsLayer ? `getattr(${out}, ${pyString(seg)})` : `${out}[${pyString(seg)}]`;
  }
  return out;
}

function assign(path: string[], layers: Set<string>, value: string): string {
  const seg = path[path.length - 1]!;
  const parent = access(path.slice(0, -1), layers);
  if (identifier(seg)) return `${parent}.${seg} = ${value}`;
  const parentIsLayer = path.length > 1 && layers.has(path.slice(0, -1).join("/"));
  return parentIsLayer ? `${parent}.add_module(${pyString(seg)}, ${value})` : `${parent}[${pyString(seg)}] = ${value}`;
}

const PRELUDE = `import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class Container(nn.Module):
    """A statement or block call of the spec: holds its layers; the network's forward runs them."""

    def __getitem__(self, name):
        return self._modules[name]

    def __setitem__(self, name, module):
        self.add_module(name, module)


class Scale(nn.Module):
    """A learned per-channel scale (ConvNeXt's layer scale)."""

    def __init__(self, shape, init):
        super().__init__()
        self.layer_scale = nn.Parameter(torch.full(shape, float(init)))


def drop_path(x, p, training):
    """Stochastic depth, torchvision's mode "row": drops whole samples while training."""
    if not training or p == 0.0:
        return x
    keep = x.new_empty((x.shape[0],) + (1,) * (x.dim() - 1)).bernoulli_(1.0 - p)
    return x * keep / (1.0 - p)


def channel_shuffle(x, groups):
    """ShuffleNet's channel shuffle."""
    n, c, h, w = x.shape
    return x.view(n, groups, c // groups, h, w).transpose(1, 2).reshape(n, c, h, w)
`;

export interface PytorchModel {
  code: string;
  diagnostics: Diagnostic[];
}

export function pytorchModel(graph: IrGraph, opts: { specPath: string; netcVersion: string }): PytorchModel {
  const plan = planPytorch(graph);
  if (plan.diagnostics.length > 0) return { code: "", diagnostics: plan.diagnostics };
  const layers = new Set(plan.modules.map((m) => m.name));
  const className = identifier(graph.name) && graph.name !== "Container" && graph.name !== "Scale" ? graph.name : `Net_${graph.name.replace(/[^A-Za-z0-9_]/g, "_")}`;

  // __init__: containers and layers at their paths, in state_dict order.
  const init: string[] = [];
  const made = new Set<string>();
  for (const m of plan.modules) {
    const parts = m.name.split("/");
    for (let i = 1; i < parts.length; i++) {
      const prefix = parts.slice(0, i).join("/");
      if (made.has(prefix) || layers.has(prefix)) continue;
      made.add(prefix);
      init.push(assign(parts.slice(0, i), layers, "Container()"));
    }
    made.add(m.name);
    const where = m.loc ? `  # ${commentText(`${basename(m.loc.file)}:${m.loc.line}`)}` : "";
    init.push(assign(parts, layers, opOf(m.attrs).module(m.attrs as never, m, graph)) + where);
  }

  // forward: the inference graph (auxiliary heads and dead ends left out).
  const live = new Array<boolean>(graph.nodes.length).fill(false);
  live[graph.output] = true;
  for (let id = graph.nodes.length - 1; id >= 0; id--) if (live[id]) for (const i of graph.nodes[id]!.inputs) live[i] = true;
  const taken = new Set(["self", "x", "torch", "nn", "F", "math", "drop_path", "channel_shuffle", "Container", "Scale", "preprocess", className]);
  const varOf = new Map<number, string>();
  const body: string[] = [];
  for (const n of graph.nodes) {
    if (!live[n.id] || n.aux !== undefined) continue;
    if (n.attrs.op === "input") {
      varOf.set(n.id, "x");
      continue;
    }
    let v = n.name.replace(/[^A-Za-z0-9_]/g, "_");
    if (!/^[A-Za-z_]/.test(v)) v = `x_${v}`;
    if (KEYWORDS.has(v)) v = `${v}_`;
    for (let k = 2; taken.has(v); k++) v = `${v.replace(/_\d+$/, "")}_${k}`;
    taken.add(v);
    varOf.set(n.id, v);
    const ctx: Ctx = { graph, node: n, inputs: n.inputs.map((i) => varOf.get(i)!), module: layers.has(n.name) ? access(n.name.split("/"), layers) : "" };
    body.push(`${v} = ${opOf(n.attrs).forward(n.attrs as never, ctx)}`);
  }
  body.push(`return ${varOf.get(graph.output)}`);

  const steps = preprocessSteps(graph.preprocess);
  const pre =
    steps.length === 0
      ? ["    return x"]
      : steps.map((s) => {
          const values = s.values.length === 1 ? num(s.values[0]!) : `torch.tensor([${s.values.map(num).join(", ")}]).view(1, -1, 1, 1)`;
          return `    x = x ${{ mul: "*", div: "/", sub: "-", add: "+" }[s.op]} ${values}  # ${s.what}`;
        });
  const inputShape = graph.inputShape.join(", ");
  const lines = [
    `# ${commentText(`${graph.name}: generated by netc ${opts.netcVersion} from ${opts.specPath}. Do not edit; regenerate with`)}`,
    `# ${commentText(`netc compile ${opts.specPath} --target pytorch`)}.`,
    "#",
    "# state_dict keys are netc's tensor paths (`netc weights SPEC`) with dots for",
    "# slashes, in the same order: netc's checkpoints and torchvision's load directly.",
    PRELUDE,
    "",
    "def preprocess(x):",
    `    """The spec's input preprocessing, in torchvision's order (outside forward, as in torchvision)."""`,
    ...pre.slice(0, steps.length === 0 ? 1 : undefined),
    ...(steps.length === 0 ? [] : ["    return x"]),
    "",
    "",
    `class ${className}(nn.Module):`,
    `    """${commentText(graph.name)}: input [N, ${inputShape}], output [N, ${graph.nodes[graph.output]!.shape.join(", ")}]."""`,
    "",
    `    input_shape = (${inputShape}${graph.inputShape.length === 1 ? "," : ""})`,
    "",
    "    def __init__(self):",
    "        super().__init__()",
    ...init.map((l) => `        ${l}`),
    "",
    "    def forward(self, x):",
    ...body.map((l) => `        ${l}`),
    "",
    "",
    `Model = ${className}`,
    "",
  ];
  return { code: lines.join("\n"), diagnostics: [] };
}
