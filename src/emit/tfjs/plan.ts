// IR -> a list of tf.layers calls. This plan is the single description of the
// tfjs model: the code generator prints it (model.ts) and `buildFromPlan` runs it
// in-process (netc verify, tests), so the generated code and what verify checks
// cannot drift apart.
//
// Layout: tfjs is channels-last, so a [C, H, W] feature map is [H, W, C] here.
// Only exactly-equivalent tf.layers forms are used; anything tf.layers cannot
// express exactly goes to netc's runtime layers (LRN, ceil/padded pools,
// adaptive pooling, grouped convolution, channel slice and shuffle).

import { diag, type DiagRest } from "../../diagnostics/catalogue.js";
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import { adaptiveUniformKernel, poolOut, sameOut, samePads, tailPad } from "../../ir/geometry.js";
import type { Activation, IrGraph, IrNode, PoolAttrs } from "../../ir/graph.js";
import { nodeLocation } from "../../ir/location.js";
import { featureOrder, flattenOrder } from "../../runtime/checkpoint-layout.js";
import { convLayerKind, layerNames, unique } from "../../runtime/layer-names.js";
import { assertNever } from "../../util/assert-never.js";
import { identifier } from "./names.js";

export interface PlannedLayer {
  /** "tf": tf.layers.<fn>; "netc": a layer factory exported by netc/runtime. */
  from: "tf" | "netc";
  fn: string;
  config: Record<string, unknown>;
  /** Variable names of the input tensors. */
  inputs: string[];
  /** Variable name of the output tensor. */
  output: string;
  /** The IR node this call implements (or helps implement: padding, activation). */
  node: IrNode;
}

export interface LayerPlan {
  graph: IrGraph;
  input: { variable: string; name: string; shape: number[] };
  layers: PlannedLayer[];
  output: string;
  /** Auxiliary heads, in graph.auxOutputs order. */
  aux: { name: string; variable: string; weight: number }[];
}

/** [C, H, W] -> [H, W, C]; vectors unchanged. */
function toNhwc(shape: number[]): number[] {
  return shape.length === 3 ? [shape[1]!, shape[2]!, shape[0]!] : [...shape];
}

const same4 = (a: number[], b: number[]) => a.every((v, i) => v === b[i]);
const kernelArg = (k: [number, number]) => (k[0] === k[1] ? k[0] : [...k]);

/**
 * The plan of a graph the tfjs target supports. For callers that cannot report
 * diagnostics (the runtime, verify): an unsupported graph throws with the first
 * one's message. The compiler reports them all with planTfjs.
 */
export function planModel(graph: IrGraph): LayerPlan {
  const { plan, diagnostics } = planTfjs(graph);
  if (!plan) {
    const d = diagnostics[0]!;
    throw new Error(`${d.file}: ${d.code}: ${d.message}`);
  }
  return plan;
}

/** The plan, or (when a node uses something tf.layers cannot express) located diagnostics for every such node. */
export function planTfjs(graph: IrGraph): { plan: LayerPlan | undefined; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const orders = new Map<number, Int32Array | undefined>();
  const names = layerNames(graph);
  const takenLayers = new Set(names.values());
  const takenVars = new Set<string>();
  const vars = new Map<number, string>();
  const layers: PlannedLayer[] = [];

  const input = graph.nodes[0]!;
  const inputVar = identifier(graph.inputName, takenVars);
  vars.set(0, inputVar);

  for (const node of graph.nodes.slice(1)) {
    const a = node.attrs;
    const name = names.get(node.name)!;
    const inShape = graph.nodes[node.inputs[0]!]!.shape;
    let x = vars.get(node.inputs[0]!)!;
    const out = identifier(node.name, takenVars);
    const add = (from: "tf" | "netc", fn: string, config: Record<string, unknown>, inputs: string[], output: string) =>
      layers.push({ from, fn, config, inputs, output, node });
    // A helper layer (padding, a separate activation) gets "<name>/<what>" and its own variable.
    const helper = (what: string) => ({
      layer: unique(`${name}/${what}`, takenLayers),
      variable: identifier(`${node.name}/${what}`, takenVars),
    });
    // The node is reported and passed over: planning goes on to find every unsupported node.
    const unsupported = <C extends "NET6002">(code: C, ...args: DiagRest<C>) => {
      const at = nodeLocation(graph, node);
      diagnostics.push(diag(code, at.file, at.span, ...args));
      vars.set(node.id, x);
    };
    // Activation as a layer of its own, after a layer that cannot fuse it (batchnorm, add,
    // or an activation tf.layers has no exact name for).
    let result = out;
    const after = (act: Activation, alpha: number | undefined) => {
      if (act === "none") return;
      const h = helper(act);
      const l = activationLayer(act, alpha, h.layer);
      add(l.from, l.fn, l.config, [out], h.variable);
      result = h.variable;
    };
    const withAct = (act: Activation, alpha: number | undefined, emit: (output: string) => void) => {
      emit(out);
      after(act, alpha);
    };

    switch (a.op) {
      case "input":
        // graph.ts: the input node is always id 0, so the checker never makes a second one.
        throw new Error(`netc: ${node.name}: a second input node breaks the IR contract`);
      case "conv": {
        const [t, l, b, r] = a.pads;
        const cin = inShape[0]!;
        // The runtime's checkpoint converter makes the same choice (and names the weights after it).
        const fn = convLayerKind(a, cin);
        if (fn === "groupConv2d") {
          const config: Record<string, unknown> = { filters: a.outChannels, groups: a.groups, kernelSize: [...a.kernel] };
          if (a.stride[0] > 1 || a.stride[1] > 1) config.strides = [...a.stride];
          if (a.dilation[0] > 1 || a.dilation[1] > 1) config.dilationRate = [...a.dilation];
          if (t + l + b + r > 0) config.pads = [...a.pads];
          if (!a.bias) config.useBias = false;
          withAct(a.act, a.actAlpha, (o) => add("netc", "groupConv2d", { ...config, name }, [x], o));
          break;
        }
        const sameH = samePads(inShape[1]!, a.kernel[0], a.stride[0], a.dilation[0]);
        const sameW = samePads(inShape[2]!, a.kernel[1], a.stride[1], a.dilation[1]);
        const dilated = a.dilation[0] > 1 || a.dilation[1] > 1;
        const strided = a.stride[0] > 1 || a.stride[1] > 1;
        let padding = "valid";
        if (t + l + b + r > 0) {
          // tfjs cannot combine 'same' with both stride and dilation; explicit padding is exact anyway.
          if (same4([t, l, b, r], [sameH[0], sameW[0], sameH[1], sameW[1]]) && !(dilated && strided)) padding = "same";
          else {
            const h = helper("pad");
            add("tf", "zeroPadding2d", { padding: [[t, b], [l, r]], name: h.layer }, [x], h.variable);
            x = h.variable;
          }
        }
        const common: Record<string, unknown> = { kernelSize: kernelArg(a.kernel) };
        if (strided) common.strides = kernelArg(a.stride);
        if (padding !== "valid") common.padding = padding;
        if (dilated) common.dilationRate = kernelArg(a.dilation);
        if (!a.bias) common.useBias = false;
        const fused = tfActivation(a.act, a.actAlpha);
        if (fused) common.activation = fused;
        let config: Record<string, unknown>;
        if (fn === "conv2d") {
          config = { filters: a.outChannels, ...common, name };
        } else {
          config = { ...common, name };
          if (a.outChannels !== cin) config = { depthMultiplier: a.outChannels / cin, ...config };
        }
        add("tf", fn, config, [x], out);
        if (!fused) after(a.act, a.actAlpha);
        break;
      }
      case "batchnorm":
        withAct(a.act, a.actAlpha, (o) =>
          add("tf", "batchNormalization", { epsilon: a.eps, momentum: round(1 - a.momentum), name }, [x], o),
        );
        break;
      case "lrn":
        add("netc", "lrn", { size: a.size, alpha: a.alpha, beta: a.beta, bias: a.bias, name }, [x], out);
        break;
      case "maxpool":
      case "avgpool": {
        const p = poolPlan(a, inShape, node.shape);
        const fn = a.op === "maxpool" ? "maxPooling2d" : "averagePooling2d";
        if (p === "custom") {
          add(
            "netc",
            "pool2d",
            {
              kind: a.op === "maxpool" ? "max" : "avg",
              kernel: [...a.kernel],
              stride: [...a.stride],
              pads: [...a.pads],
              ceil: a.ceil,
              ...(a.op === "avgpool" ? { countIncludePad: a.countIncludePad } : {}),
              name,
            },
            [x],
            out,
          );
        } else {
          const config: Record<string, unknown> = { poolSize: kernelArg(a.kernel), strides: kernelArg(a.stride) };
          if (p === "same") config.padding = "same";
          add("tf", fn, { ...config, name }, [x], out);
        }
        break;
      }
      case "globalavgpool":
      case "globalmaxpool": {
        const avg = a.op === "globalavgpool";
        if (node.shape.length === 1) {
          add("tf", avg ? "globalAveragePooling2d" : "globalMaxPooling2d", { name }, [x], out);
        } else {
          // The IR keeps [C, 1, 1]: a pool over the whole map keeps the rank, as PyTorch does.
          const config = { poolSize: [inShape[1]!, inShape[2]!], name };
          add("tf", avg ? "averagePooling2d" : "maxPooling2d", config, [x], out);
        }
        break;
      }
      case "adaptiveavgpool": {
        const [h, w] = [inShape[1]!, inShape[2]!];
        const [oh, ow] = a.out;
        const kh = adaptiveUniformKernel(h, oh);
        const kw = adaptiveUniformKernel(w, ow);
        if (kh !== undefined && kw !== undefined) {
          // Evenly divisible: PyTorch's windows are exactly a plain average pool.
          const k: [number, number] = [kh, kw];
          add("tf", "averagePooling2d", { poolSize: kernelArg(k), strides: kernelArg(k), name }, [x], out);
        } else {
          add("netc", "adaptiveAvgPool2d", { out: [oh, ow], name }, [x], out);
        }
        break;
      }
      case "dropout":
        add("tf", "dropout", { rate: a.rate, name }, [x], out);
        break;
      case "flatten":
        // tfjs flattens H, W, C; the IR flattens C, H, W. The generated code stays
        // natural and the checkpoint converter permutes the next dense layer's rows.
        add("tf", "flatten", { name }, [x], out);
        break;
      case "dense": {
        // tf.layers.dense multiplies the last axis: on NHWC that is nn.Linear on every pixel's channels.
        if (inShape.length !== 1 && !(a.pixelwise && inShape.length === 3))
          throw new Error(`netc: ${node.name}: dense expects a vector input, got [${inShape}]`);
        const config: Record<string, unknown> = { units: a.units };
        if (!a.bias) config.useBias = false;
        const fused = tfActivation(a.act, a.actAlpha);
        if (fused) config.activation = fused;
        add("tf", "dense", { ...config, name }, [x], out);
        if (!fused) after(a.act, a.actAlpha);
        break;
      }
      case "layernorm":
        // Channels are the last axis in NHWC (and a vector's only one): tf's LayerNormalization
        // (biased variance, eps inside the square root) is nn.LayerNorm / LayerNorm2d exactly.
        add("tf", "layerNormalization", { axis: -1, epsilon: a.eps, name }, [x], out);
        break;
      case "groupnorm":
        add("netc", "groupNorm", { groups: a.groups, epsilon: a.eps, name }, [x], out);
        break;
      case "act": {
        const l = activationLayer(a.fn, a.alpha, name);
        add(l.from, l.fn, l.config, [x], out);
        break;
      }
      case "concat": {
        const ins = node.inputs.map((i) => vars.get(i)!);
        add("tf", "concatenate", { axis: -1, name }, ins, out);
        break;
      }
      case "add":
      case "mul": {
        if (node.shape.length === 1) {
          // tf.layers flattens H, W, C: vectors from flattens of different maps, or from a flatten
          // and a dense layer, are summed in different orders and would no longer be the spec's network.
          const other = node.inputs.find((i) => !sameOrder(graph, i, node.inputs[0]!, orders));
          if (other !== undefined) {
            unsupported("NET6002", { layer: node.name, first: graph.nodes[node.inputs[0]!]!.name, other: graph.nodes[other]!.name });
            continue;
          }
        }
        const ins = node.inputs.map((i) => vars.get(i)!);
        // tf.layers.add and multiply need equal shapes; netc's layer broadcasts.
        const equal = node.inputs.every((i) => graph.nodes[i]!.shape.join() === node.shape.join());
        if (equal) withAct(a.act, a.actAlpha, (o) => add("tf", a.op === "add" ? "add" : "multiply", { name }, ins, o));
        else withAct(a.act, a.actAlpha, (o) => add("netc", "broadcast", { op: a.op, name }, ins, o));
        break;
      }
      case "scale":
        add("netc", "channelScale", { init: a.init, name }, [x], out);
        break;
      case "droppath":
        add("netc", "dropPath", { rate: a.rate, name }, [x], out);
        break;
      case "slice":
        // NHWC keeps the IR's channel order on the last axis: the same indices.
        add("netc", "channelSlice", { start: a.start, end: a.end, name }, [x], out);
        break;
      case "shuffle":
        add("netc", "channelShuffle", { groups: a.groups, name }, [x], out);
        break;
      default:
        assertNever(a);
    }
    vars.set(node.id, result);
  }

  if (diagnostics.length > 0) return { plan: undefined, diagnostics };
  const plan: LayerPlan = {
    graph,
    input: { variable: inputVar, name: names.get(input.name)!, shape: toNhwc(graph.inputShape) },
    layers,
    output: vars.get(graph.output)!,
    aux: graph.auxOutputs.map((o) => ({ name: o.name, variable: vars.get(o.node)!, weight: o.weight })),
  };
  return { plan, diagnostics };
}

/**
 * tf.layers' name for an activation where its function is exactly PyTorch's (so a
 * conv or dense layer can apply it itself), else undefined. "swish" is
 * x * sigmoid(x) (SiLU); "gelu" is the exact erf form; "elu" has alpha 1.
 */
function tfActivation(act: Activation, alpha: number | undefined): string | undefined {
  switch (act) {
    case "none":
    case "leakyrelu":
    case "hardswish":
    case "hardsigmoid":
      return undefined;
    case "silu":
      return "swish";
    case "elu":
      return alpha === undefined || alpha === 1 ? "elu" : undefined;
    case "relu":
    case "relu6":
    case "sigmoid":
    case "tanh":
    case "softmax":
    case "gelu":
      return act;
    default:
      return assertNever(act);
  }
}

/** The layer applying an activation: tf.layers' where exact, else netc's PyTorch form. */
function activationLayer(act: Exclude<Activation, "none">, alpha: number | undefined, name: string): Pick<PlannedLayer, "from" | "fn" | "config"> {
  const tfName = tfActivation(act, alpha);
  if (tfName) return { from: "tf", fn: "activation", config: { activation: tfName, name } };
  // tf.layers.leakyReLU defaults to Keras' 0.3: always given.
  if (act === "leakyrelu") return { from: "tf", fn: "leakyReLU", config: { alpha: alpha ?? 0.01, name } };
  return { from: "netc", fn: "torchActivation", config: { fn: act, ...(act === "elu" ? { alpha } : {}), name } };
}

/** Float noise from 1 - 0.1 would print as 0.9000000000000001 in generated code. */
function round(v: number): number {
  return Number(v.toPrecision(12));
}

/**
 * How a pooling node maps onto tf.layers:
 *  - "valid": no padding and every window inside the input.
 *  - "same": TF's 'same' (padding ignored by max, excluded from the average's
 *    divisor) equals the IR exactly: the padding, including the ceil-mode overhang
 *    at the end, is TF's split, and no padding must be counted.
 *  - "custom": netc's Pool2D layer.
 */
function poolPlan(a: PoolAttrs, inShape: number[], outShape: number[]): "valid" | "same" | "custom" {
  const [h, w] = [inShape[1]!, inShape[2]!];
  const [oh, ow] = [outShape[1]!, outShape[2]!];
  const [t, l, b, r] = a.pads;
  const padded = t + l + b + r > 0;
  if (!padded && poolOut(h, a.kernel[0], a.stride[0], 0, 0, false) === oh && poolOut(w, a.kernel[1], a.stride[1], 0, 0, false) === ow)
    return "valid";
  if (oh !== sameOut(h, a.stride[0]) || ow !== sameOut(w, a.stride[1])) return "custom";
  // Effective padding: the spec's plus what the ceil rule adds at the end.
  const extraB = Math.max(0, tailPad(h, a.kernel[0], a.stride[0], t, oh) - b);
  const extraR = Math.max(0, tailPad(w, a.kernel[1], a.stride[1], l, ow) - r);
  const sh = samePads(h, a.kernel[0], a.stride[0]);
  const sw = samePads(w, a.kernel[1], a.stride[1]);
  if (!same4([t, l, b + extraB, r + extraR], [sh[0], sw[0], sh[1], sw[1]])) return "custom";
  // PyTorch never counts the ceil overhang; it counts the spec's padding when asked.
  if (a.op === "avgpool" && padded && a.countIncludePad) return "custom";
  return "same";
}

/** Whether two vectors are in one feature order; a flatten's compared by its [c, hw], not a permutation as long as its map. */
function sameOrder(graph: IrGraph, a: number, b: number, orders: Map<number, Int32Array | undefined>): boolean {
  const key = (f: ReturnType<typeof flattenOrder>) => (f === "none" ? "" : f!.join("x"));
  const fa = flattenOrder(graph, a);
  const fb = flattenOrder(graph, b);
  if (fa !== undefined && fb !== undefined) return key(fa) === key(fb);
  const listed = (id: number) => featureOrder(graph, id, orders)?.join(",") ?? "";
  return listed(a) === listed(b);
}
