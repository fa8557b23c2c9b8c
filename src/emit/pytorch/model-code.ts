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
import { dependedOn } from "../../ir/graph.js";
import { preprocessSteps } from "../../ir/preprocess.js";
import { stateDictOrder } from "../../ir/state-dict.js";
import { blockInstances, type BlockInstance } from "../blocks.js";
import { pyLines } from "./python-format.js";

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
/** A layer over the channels of each pixel (nn.Linear or nn.LayerNorm on [N, H, W, C]), by the prelude's helper. */
const channelsLast = (x: string, module: string): string => `channels_last(${module}, ${x})`;

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
      return act(pixelwise ? channelsLast(c.inputs[0]!, c.module) : `${c.module}(${c.inputs[0]})`, a.act, a.actAlpha, !pixelwise);
    },
  },
  layernorm: {
    module: (a, n, g) => `nn.LayerNorm(${inShape(n, g)[0]}, eps=${num(a.eps)})`,
    forward: (_a, c) => (inShape(c.node, c.graph).length === 3 ? channelsLast(c.inputs[0]!, c.module) : `${c.module}(${c.inputs[0]})`),
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


def channels_last(layer, x):
    """A layer over the channels of each pixel: [N, C, H, W] to [N, H, W, C] and back."""
    return layer(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)


def channel_shuffle(x, groups):
    """ShuffleNet's channel shuffle."""
    n, c, h, w = x.shape
    return x.view(n, groups, c // groups, h, w).transpose(1, 2).reshape(n, c, h, w)
`;

export interface PytorchModel {
  code: string;
  diagnostics: Diagnostic[];
}

/** The positional parameters of the torch layers netc writes, to name a class parameter after the argument it feeds. */
const POSITIONAL: Record<string, string[]> = {
  "nn.Conv2d": ["in_channels", "out_channels", "kernel_size"],
  "nn.BatchNorm1d": ["num_features"],
  "nn.BatchNorm2d": ["num_features"],
  "nn.Linear": ["in_features", "out_features"],
  "nn.LayerNorm": ["normalized_shape"],
  "nn.GroupNorm": ["num_groups", "num_channels"],
  Scale: ["shape", "init"],
};

/** The calls in forward whose numbers may differ between the calls of one class (a drop rate), by argument. */
const RATES: Record<string, string[]> = { drop_path: ["x", "p"], "F.dropout": ["x", "p"] };

/** A number literal in generated Python (not part of a name or a string). */
const NUMBER = /(?<![\w."])\d+(?:\.\d+)?(?:e[-+]?\d+)?(?![\w."])/g;

interface Rendered {
  /** Logical lines of __init__ after super().__init__() (comments start with "#"). */
  init: string[];
  forward: string[];
}

interface Slot {
  /** The number as written. */
  text: string;
  /** The constructor argument it sits in: "b2_conv1_out_channels". */
  derived: string;
}

/** The numbers of __init__'s lines, each with a readable name for the argument it is in; `template` has them as \u0000. */
function slots(init: string[], childParams: (callee: string) => string[] | undefined, onlyKnown = false): { template: string; slots: Slot[] } {
  const out: Slot[] = [];
  const lines = init.map((line) => {
    if (line.startsWith("#")) return line;
    const eq = line.indexOf(" = ");
    const added = /add_module\("([^"]*)", /.exec(line);
    const target = (added ? added[1]! : eq >= 0 ? line.slice(0, eq) : "").replace(/^self\.?/, "").replace(/[^A-Za-z0-9_]+/g, "_").replace(/^_+|_+$/g, "");
    return line.replace(NUMBER, (text, offset: number) => {
      // The innermost open call around the number, and which argument of it this is.
      let depth = 0;
      let commas = 0;
      let open = -1;
      for (let i = offset - 1; i >= 0; i--) {
        const c = line[i]!;
        if (c === ")" || c === "]") depth++;
        else if (c === "(" || c === "[") {
          if (depth === 0) {
            const callee = /([A-Za-z_][\w.]*)$/.exec(line.slice(0, i))?.[1];
            if (callee && (POSITIONAL[callee] || childParams(callee))) {
              open = i;
              break;
            }
            commas = 0;
            continue;
          }
          depth--;
        } else if (c === "," && depth === 0) commas++;
      }
      let arg = "value";
      if (open < 0 && onlyKnown) return text;
      if (open >= 0) {
        const callee = /([A-Za-z_][\w.]*)$/.exec(line.slice(0, open))![1]!;
        const between = line.slice(open + 1, offset);
        const parts = between.split(",");
        const kw = /^\s*([A-Za-z_]\w*)=/.exec(parts[parts.length - 1]!)?.[1];
        arg = kw ?? (POSITIONAL[callee] ?? childParams(callee) ?? [])[commas] ?? `arg${commas + 1}`;
      }
      out.push({ text, derived: target ? `${/^[0-9]/.test(target) ? "p" : ""}${target}_${arg}` : arg });
      return "\u0000";
    });
  });
  return { template: lines.join("\n"), slots: out };
}

export function pytorchModel(graph: IrGraph, opts: { specPath: string; netcVersion: string }): PytorchModel {
  const plan = planPytorch(graph);
  if (plan.diagnostics.length > 0) return { code: "", diagnostics: plan.diagnostics };
  const layers = new Set(plan.modules.map((m) => m.name));
  const order = new Map(plan.modules.map((m, i) => [m.id, i]));
  // A block call is a module of its own only when its weights are one run of the state_dict (they always are
  // when the spec lists them as torchvision registers them): a module's tensors are contiguous in PyTorch's.
  const all = blockInstances(graph, (inst) => {
    const at = inst.nodes.map((id) => order.get(id)).filter((i): i is number => i !== undefined).sort((a, b) => a - b);
    return !at.every((v, i) => v === at[0]! + i) || layers.has(inst.path);
  });
  const reserved = new Set(["Container", "Scale", "Model", "torch", "nn", "F", "math", "drop_path", "channel_shuffle", "channels", "channels_last", "preprocess"]);
  const className = identifier(graph.name) && !reserved.has(graph.name) ? graph.name : `Net_${graph.name.replace(/[^A-Za-z0-9_]/g, "_")}`;
  reserved.add(className);

  const live = dependedOn(graph, [graph.output]);
  // forward_with_aux (train.py's training graph): the main output and the auxiliary heads.
  const liveAux = dependedOn(graph, [graph.output, ...graph.auxOutputs.map((a) => a.node)]);
  const groupLoc = new Map(graph.groups.map((g) => [g.name, g.loc]));
  const where = (loc: { file: string; line: number } | undefined) => (loc ? `# ${commentText(`${basename(loc.file)}:${loc.line}`)}` : "");

  /** The direct child of `unit` that holds node `id` (which lies in a deeper instance). */
  const childHolding = (id: number, unit: number | undefined): BlockInstance => {
    let u = all.unitOf[id]!;
    while (all.instances[u]!.parent !== unit) u = all.instances[u]!.parent!;
    return all.instances[u]!;
  };

  /** __init__ and forward of one unit (the network, or one block call), its block calls written by `call`. */
  function render(unit: number | undefined, call: (child: BlockInstance) => string, withAux = false): Rendered {
    const inst = unit === undefined ? undefined : all.instances[unit]!;
    const prefix = inst ? `${inst.path}/` : "";
    const nodeIds = inst ? inst.nodes : graph.nodes.map((n) => n.id);
    const local = (name: string) => name.slice(prefix.length).split("/");
    const children = all.instances.filter((c) => c.parent === unit);
    const childPaths = new Set(children.map((c) => c.path.slice(prefix.length)));
    const layerPaths = new Set(nodeIds.filter((id) => all.unitOf[id] === unit && layers.has(graph.nodes[id]!.name)).map((id) => graph.nodes[id]!.name.slice(prefix.length)));
    const kind = (parts: string[]) => (parts.length === 0 ? "self" : layerPaths.has(parts.join("/")) ? "layer" : childPaths.has(parts.join("/")) ? "block" : "container");
    const access = (parts: string[]) => {
      let out = "self";
      parts.forEach((seg, i) => {
        out = identifier(seg) ? `${out}.${seg}` : kind(parts.slice(0, i)) === "container" ? `${out}[${pyString(seg)}]` : `getattr(${out}, ${pyString(seg)})`;
      });
      return out;
    };
    const assign = (parts: string[], value: string) => {
      const seg = parts[parts.length - 1]!;
      const parent = access(parts.slice(0, -1));
      if (identifier(seg)) return `${parent}.${seg} = ${value}`;
      return kind(parts.slice(0, -1)) === "container" ? `${parent}[${pyString(seg)}] = ${value}` : `${parent}.add_module(${pyString(seg)}, ${value})`;
    };

    // __init__: containers, layers and block calls at their paths, in state_dict order.
    const init: string[] = [];
    const made = new Set<string>();
    let lastComment = "";
    const comment = (c: string) => {
      if (c && c !== lastComment) init.push(c);
      lastComment = c;
    };
    const containers = (parts: string[]) => {
      for (let i = 1; i < parts.length; i++) {
        const p = parts.slice(0, i).join("/");
        if (made.has(p) || layerPaths.has(p)) continue;
        made.add(p);
        init.push(assign(parts.slice(0, i), "Container()"));
      }
    };
    const addChild = (c: BlockInstance) => {
      const parts = local(c.path);
      if (made.has(parts.join("/"))) return;
      containers(parts);
      made.add(parts.join("/"));
      comment(where(groupLoc.get(c.path)));
      init.push(assign(parts, call(c)));
    };
    const inside = new Set(nodeIds);
    for (const m of plan.modules) {
      if (!inside.has(m.id)) continue;
      if (all.unitOf[m.id] !== unit) {
        addChild(childHolding(m.id, unit));
        continue;
      }
      const parts = local(m.name);
      containers(parts);
      made.add(parts.join("/"));
      comment(where(m.loc));
      init.push(assign(parts, opOf(m.attrs).module(m.attrs as never, m, graph)));
    }
    for (const c of children) addChild(c);

    // forward: the inference graph (auxiliary heads and dead ends left out), a block call as one call.
    const alive = new Array<boolean>(graph.nodes.length).fill(false);
    if (inst) {
      alive[inst.output] = true;
      for (let k = nodeIds.length - 1; k >= 0; k--) {
        const id = nodeIds[k]!;
        if (alive[id]) for (const i of graph.nodes[id]!.inputs) if (inside.has(i)) alive[i] = true;
      }
    }
    const taken = new Set(["self", "x", ...reserved]);
    const varOf = new Map<number, string>();
    if (inst) varOf.set(inst.input, "x");
    const fresh = (name: string) => {
      let v = name.replace(/[^A-Za-z0-9_]/g, "_");
      if (!/^[A-Za-z_]/.test(v)) v = `x_${v}`;
      if (KEYWORDS.has(v)) v = `${v}_`;
      for (let k = 2; taken.has(v); k++) v = `${v.replace(/_\d+$/, "")}_${k}`;
      taken.add(v);
      return v;
    };
    const body: string[] = [];
    const called = new Set<number>();
    for (const id of nodeIds) {
      const n = graph.nodes[id]!;
      if (inst ? !alive[id] : withAux ? !liveAux[id] : !live[id] || n.aux !== undefined) continue;
      if (all.unitOf[id] !== unit) {
        const c = childHolding(id, unit);
        if (called.has(c.index)) continue;
        called.add(c.index);
        const v = fresh(c.path.slice(prefix.length));
        body.push(`${v} = ${access(local(c.path))}(${varOf.get(c.input)})`);
        varOf.set(c.output, v);
        continue;
      }
      if (n.attrs.op === "input") {
        varOf.set(id, "x");
        continue;
      }
      const v = fresh(n.name === inst?.path ? "out" : n.name.slice(prefix.length));
      varOf.set(id, v);
      const ctx: Ctx = { graph, node: n, inputs: n.inputs.map((i) => varOf.get(i)!), module: layers.has(n.name) ? access(local(n.name)) : "" };
      body.push(`${v} = ${opOf(n.attrs).forward(n.attrs as never, ctx)}`);
    }
    if (withAux) body.push(`return ${varOf.get(graph.output)}, [${graph.auxOutputs.map((a) => varOf.get(a.node)).join(", ")}]`);
    else body.push(`return ${varOf.get(inst ? inst.output : graph.output)}`);
    return { init, forward: body };
  }

  // Phase 1: each block call's structure (its code with numbers left out, block calls by their structure).
  const keyOf = new Map<number, string>();
  const valuesOf = new Map<number, string[]>();
  const byDepth = [...all.instances].sort((a, b) => b.depth - a.depth || a.index - b.index);
  const keyIds = new Map<string, number>();
  for (const inst of byDepth) {
    const r = render(inst.index, (c) => `\u0001K${keyIds.get(keyOf.get(c.index)!)}\u0001(${valuesOf.get(c.index)!.join(", ")})`);
    const s = slots(r.init, () => undefined);
    const f = slots(r.forward, (callee) => RATES[callee], true);
    const key = `${inst.block}\n${s.template}\n${f.template}`;
    if (!keyIds.has(key)) keyIds.set(key, keyIds.size);
    keyOf.set(inst.index, key);
    valuesOf.set(inst.index, [...s.slots, ...f.slots].map((x) => x.text));
  }

  // One class per structure, named after the block (Inception, Inception_2 for a second structure).
  interface PyClass {
    name: string;
    block: string;
    instances: BlockInstance[];
    params?: string[];
    /** Per instance: the argument texts, in params order. */
    args?: Map<number, string[]>;
    text?: string[];
  }
  const classes = new Map<string, PyClass>();
  const names = new Set(reserved);
  for (const inst of all.instances) {
    const key = keyOf.get(inst.index)!;
    let cls = classes.get(key);
    if (!cls) {
      let base = inst.block.replace(/[^A-Za-z0-9_]/g, "_");
      if (!/^[A-Za-z_]/.test(base) || KEYWORDS.has(base)) base = `Block_${base}`;
      let name = base;
      for (let k = 2; names.has(name); k++) name = `${base}_${k}`;
      names.add(name);
      cls = { name, block: inst.block, instances: [] };
      classes.set(key, cls);
    }
    cls.instances.push(inst);
  }
  const classOf = (inst: BlockInstance) => classes.get(keyOf.get(inst.index)!)!;
  const defined: PyClass[] = [];
  const callText = (c: BlockInstance) => {
    const cls = finish(classOf(c));
    return `${cls.name}(${cls.args!.get(c.index)!.join(", ")})`;
  };
  const paramsOfClass = new Map<string, string[]>();

  // Phase 2: each class's code, with the numbers that differ between its calls as constructor parameters.
  function finish(cls: PyClass): PyClass {
    if (cls.text) return cls;
    const rendered = cls.instances.map((inst) => {
      const r = render(inst.index, callText);
      const s = slots(r.init, (callee) => paramsOfClass.get(callee));
      const f = slots(r.forward, (callee) => RATES[callee], true);
      return { inst, r, s: { template: s.template, forward: f.template, slots: [...s.slots, ...f.slots], inInit: s.slots.length } };
    });
    const first = rendered[0]!;
    const varying = first.s.slots.map((_, k) => rendered.some((x) => x.s.slots[k]!.text !== first.s.slots[k]!.text));
    const values = (k: number) => rendered.map((x) => Number(x.s.slots[k]!.text));
    const inChannels = rendered.map((x) => graph.nodes[x.inst.input]!.shape[0]);
    const nameOf: string[] = [];
    const exprOf: string[] = [];
    const used = new Set<string>();
    const signature = new Map<string, string>();
    first.s.slots.forEach((slot, k) => {
      if (!varying[k]) return;
      const v = values(k);
      const spec = first.inst.params.findIndex((_, p) => rendered.every((x, i) => x.inst.args[p] === v[i]));
      // A whole multiple or part of the incoming channels or of a parameter (ConvNeXt's 4 * c) is written so.
      if (spec < 0 && k < first.s.inInit && !v.every((x, i) => x === inChannels[i])) {
        const bases: [string, number[]][] = [["in_channels", inChannels.map((c) => c ?? NaN)], ...first.inst.params.map((p, j): [string, number[]] => [p, rendered.map((x) => x.inst.args[j] ?? NaN)])];
        for (const [base, b] of bases) {
          const ratio = v[0]! / b[0]!;
          if (Number.isInteger(ratio) && ratio > 1 && v.every((x, i) => x === ratio * b[i]!)) exprOf[k] = `${ratio} * ${base}`;
          const part = b[0]! / v[0]!;
          if (!exprOf[k] && Number.isInteger(part) && part > 1 && v.every((x, i) => x * part === b[i]!)) exprOf[k] = `${base} // ${part}`;
          if (exprOf[k]) {
            bases.length = 0;
            used.add(base);
          }
        }
        if (exprOf[k]) return;
      }
      let name = spec >= 0 ? first.inst.params[spec]! : v.every((x, i) => x === inChannels[i]) ? "in_channels" : slot.derived;
      // Not a keyword, nor a global __init__ reads (nn, Container, a class).
      if (!identifier(name) || name === "self" || name === "super" || names.has(name)) name = `${name.replace(/[^A-Za-z0-9_]/g, "_")}_`;
      const sig = v.join(",");
      let unique = name;
      for (let n = 2; signature.has(unique) && signature.get(unique) !== sig; n++) unique = `${name}_${n}`;
      signature.set(unique, sig);
      nameOf[k] = unique;
    });
    const specOrder = (p: string) => (p === "in_channels" ? -1 : first.inst.params.includes(p) ? first.inst.params.indexOf(p) : first.inst.params.length);
    const params = [...new Set([...used, ...nameOf.filter((n) => n !== undefined)])].sort((a, b) => specOrder(a) - specOrder(b));
    const valueOf = (p: string, x: (typeof rendered)[number], i: number) =>
      nameOf.includes(p) ? x.s.slots[nameOf.indexOf(p)]!.text : p === "in_channels" ? num(inChannels[i]!) : num(x.inst.args[x.inst.params.indexOf(p)]!);
    cls.params = params;
    paramsOfClass.set(cls.name, params);
    cls.args = new Map(
      rendered.map((x, i) => [x.inst.index, params.map((p) => valueOf(p, x, i))]),
    );
    let k = 0;
    const fill = (template: string, self: string) =>
      template.split("\n").map((line) =>
        line.replace(/\u0000/g, () => {
          const i = k++;
          return exprOf[i] ?? (varying[i] ? `${self}${nameOf[i]!}` : first.s.slots[i]!.text);
        }),
      );
    // Numbers the forward pass reads (drop rates) that differ between calls: kept on the module, under
    // a name no submodule or torch attribute has.
    const members = new Set([...first.s.template.matchAll(/self\.(\w+)|add_module\("([^"]*)"/g)].map((m) => m[1] ?? m[2]!));
    const attr = (n: string) => (members.has(n) || MODULE_ATTRS.has(n) ? `_${n}` : n);
    const init = fill(first.s.template, "");
    let k0 = 0;
    const forward = first.s.forward.split("\n").map((line) =>
      line.replace(/\u0000/g, () => {
        const i = first.s.inInit + k0++;
        return varying[i] ? `self.${attr(nameOf[i]!)}` : first.s.slots[i]!.text;
      }),
    );
    const kept = [...new Set(nameOf.slice(first.s.inInit).filter((n) => n !== undefined))].map((n) => `self.${attr(n)} = ${n}`);
    cls.text = [
      "",
      "",
      `class ${cls.name}(nn.Module):`,
      `    """${commentText(`The spec's block ${cls.block.replace(/[^A-Za-z0-9_]/g, "_")}${cls.instances.length > 1 ? `, called ${cls.instances.length} times` : ""}.`)}"""`,
      "",
      ...pyLines(4, `def __init__(${["self", ...params].join(", ")}):`),
      "        super().__init__()",
      ...[...kept, ...init].flatMap((l) => pyLines(8, l)),
      "",
      "    def forward(self, x):",
      ...forward.flatMap((l) => pyLines(8, l)),
    ];
    defined.push(cls);
    return cls;
  }
  const net = render(undefined, callText);
  const netAux = graph.auxOutputs.length > 0 ? render(undefined, callText, true) : undefined;
  for (const cls of classes.values()) finish(cls);

  const steps = preprocessSteps(graph.preprocess);
  const pre = steps.flatMap((s) => {
    const values = s.values.length === 1 ? num(s.values[0]!) : `channels(${s.values.map(num).join(", ")})`;
    return [`    # ${commentText(s.what)}`, ...pyLines(4, `x = x ${{ mul: "*", div: "/", sub: "-", add: "+" }[s.op]} ${values}`)];
  });
  const inputShape = graph.inputShape.join(", ");
  const lines = [
    `# ${commentText(`${graph.name}: generated by netc ${opts.netcVersion} from ${opts.specPath}.`)}`,
    `# ${commentText(`Do not edit; regenerate with netc compile ${opts.specPath} --target pytorch.`)}`,
    "#",
    "# Each block of the spec is a class, defined once and built once per call. state_dict",
    "# keys are netc's tensor paths (`netc weights SPEC`) with dots for slashes, in the",
    "# same order: netc's checkpoints and torchvision's load directly.",
    PRELUDE,
    "",
    "def channels(*values):",
    `    """One value per channel, to broadcast over [N, C, H, W]."""`,
    "    return torch.tensor(values).view(1, -1, 1, 1)",
    "",
    "",
    "def preprocess(x):",
    `    """The spec's input preprocessing, in torchvision's order (outside forward, as in torchvision)."""`,
    ...pre,
    "    return x",
    ...defined.flatMap((c) => c.text!),
    "",
    "",
    `class ${className}(nn.Module):`,
    `    """${commentText(graph.name)}: input [N, ${inputShape}], output [N, ${graph.nodes[graph.output]!.shape.join(", ")}]."""`,
    "",
    `    input_shape = (${inputShape}${graph.inputShape.length === 1 ? "," : ""})`,
    "",
    "    def __init__(self):",
    "        super().__init__()",
    ...net.init.flatMap((l) => pyLines(8, l)),
    "",
    "    def forward(self, x):",
    ...net.forward.flatMap((l) => pyLines(8, l)),
    // train.py's training graph (auxiliary heads included): see withAuxMethod below.
    ...withAuxMethod(graph, netAux?.forward ?? []),
    "",
    "",
    `Model = ${className}`,
    "",
  ];
  return { code: lines.join("\n"), diagnostics: [] };
}

// ---- forward_with_aux: the training graph for train.py ----------
// A network with auxiliary heads gets a second method running the main graph
// and the heads (in graph.auxOutputs order); train.py weighs their losses with
// the spec's `weight`s. forward() stays the inference graph. Networks without
// auxiliary heads get nothing (train.py calls forward()).

function withAuxMethod(graph: IrGraph, body: string[]): string[] {
  if (graph.auxOutputs.length === 0) return [];
  const heads = graph.auxOutputs.map((a) => `${a.name} (loss weight ${num(a.weight)})`).join(", ");
  return [
    "",
    "    def forward_with_aux(self, x):",
    `        """${commentText(`Training graph for train.py: the main output and the auxiliary heads' [${heads}].`)}"""`,
    ...body.flatMap((l) => pyLines(8, l)),
  ];
}
