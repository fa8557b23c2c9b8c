// What a network costs in memory, beside its parameters and MACs (`netc
// summary`): weights by kind and size, and activations per image for inference
// and for training. Every figure follows a stated rule over the checked graph,
// so it is exact for that rule; README "Memory" says how the rules compare
// with a measured PyTorch run.
//
// Weights. `trainable` is what PyTorch's model.parameters() holds (conv and
// dense kernels and biases, BatchNorm/LayerNorm/GroupNorm gamma and beta, layer
// scales): the `params` netc has always printed. `nonTrainable` is BatchNorm's
// running mean and variance, buffers in PyTorch (not in parameters(), so not in
// torchinfo's "Total params") and non-trainable weights in Keras. num_batches_tracked
// (one int64 per BatchNorm in a state_dict) is not counted. Bytes are float32.
//
// Inference activations: the nodes run in the graph's order (topological, as
// written), each output is allocated when its node runs and freed after the last
// node that reads it, and the peak of the live bytes is reported. The input
// stays live throughout (the caller holds it) and is counted in the peak.
// flatten and slice are views of their input (they keep its buffer alive, as
// PyTorch's views do); dropout and drop-path are the identity at inference.
// An activation fused into a conv, BatchNorm, dense, add or mul node (`conv 3x3
// 64 relu`) works in place; a standalone activation node is a new tensor.
//
// Training activations: what the forward pass keeps for the backward pass, each
// buffer counted once, over the training graph (auxiliary heads included), by
// what PyTorch's autograd saves for each op:
//   conv, dense, batchnorm, layernorm, groupnorm, scale: the input
//     (layernorm and groupnorm also a mean and a reciprocal std per normalised group);
//   maxpool and global max pool: the input and one int64 index per output element;
//   avgpool, adaptive and global average pooling: the input (PyTorch 1.13's
//     pooling and its mean for 1x1 keep it, though only its shape is needed);
//   mul: both inputs; dropout: its mask, a float32 per element (PyTorch's CPU
//     path; CUDA's fused dropout keeps one byte);
//   lrn: the input and the denominator (an output-sized tensor);
//   a fused activation: the node's output, which PyTorch's in-place activation
//     saves for relu, sigmoid, tanh and softmax; for the others (relu6, silu,
//     hardswish, ...) PyTorch 1.13 also keeps a copy of its input (the
//     pre-activation), one more output-sized tensor;
//   a standalone relu, sigmoid, tanh or softmax node: its output; any other
//     standalone activation: its input;
//   add, concat, flatten, slice, shuffle, drop-path: nothing of activation size.
// BatchNorm also keeps its batch mean and 1/std, 2 floats per channel per batch
// (not per image): `perBatch`. For a batch of N: N * kept + perBatch.

import type { IrGraph, IrNode } from "../ir/graph.js";
import { weightShapes } from "../ir/weights.js";
import { assertNever } from "../util/assert-never.js";

const FLOAT = 4;
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

export interface WeightFigures {
  /** PyTorch's parameters (requires_grad): kernels, biases, norms' gamma and beta, layer scales. */
  trainable: number;
  /** BatchNorm's running_mean and running_var: buffers in PyTorch. */
  nonTrainable: number;
  /** (trainable + nonTrainable) float32 values, in bytes. */
  bytes: number;
}

export interface MemoryFigures {
  /** Inference graph (auxiliary heads excluded), as the totals row. */
  weights: WeightFigures;
  /** Training graph: auxiliary heads included. */
  weightsWithAux: WeightFigures;
  /** Bytes per image. */
  inference: { peak: number; input: number; output: number };
  /**
   * Kept for the backward pass, training graph: `kept` bytes per image, and
   * `perBatch` bytes once per batch (BatchNorm's batch mean and 1/std per channel).
   */
  training: { kept: number; perBatch: number };
}

function weightFigures(graph: IrGraph, nodes: IrNode[]): WeightFigures {
  let trainable = 0;
  let nonTrainable = 0;
  for (const n of nodes) {
    const s = weightShapes(graph, n);
    for (const [k, shape] of Object.entries(s) as [string, number[] | undefined][]) {
      if (!shape) continue;
      if (k === "mean" || k === "variance") nonTrainable += size(shape);
      else trainable += size(shape);
    }
  }
  return { trainable, nonTrainable, bytes: (trainable + nonTrainable) * FLOAT };
}

/** Whether a node's output shares its input's buffer (a view) or is its input (identity at inference). */
function aliases(n: IrNode, training: boolean): boolean {
  const op = n.attrs.op;
  if (op === "flatten" || op === "slice") return true;
  if (!training && (op === "dropout" || op === "droppath")) return true;
  return false;
}

/** Buffer id of every node's output: the node's own id, or the buffer it is a view of. */
function buffers(graph: IrGraph, nodes: IrNode[], training: boolean): Map<number, number> {
  const buf = new Map<number, number>();
  for (const n of nodes) buf.set(n.id, aliases(n, training) ? buf.get(n.inputs[0]!)! : n.id);
  return buf;
}

function inferencePeak(graph: IrGraph): { peak: number; input: number; output: number } {
  const nodes = graph.nodes.filter((n) => n.aux === undefined);
  const buf = buffers(graph, nodes, false);
  const bytes = (id: number) => size(graph.nodes[id]!.shape) * FLOAT;
  // The last step at which each buffer is read; the input and the output live to the end.
  const lastUse = new Map<number, number>();
  nodes.forEach((n, step) => {
    for (const i of n.inputs) lastUse.set(buf.get(i)!, step);
    if (!lastUse.has(buf.get(n.id)!)) lastUse.set(buf.get(n.id)!, step);
  });
  lastUse.set(buf.get(graph.output)!, Infinity);
  lastUse.set(buf.get(nodes[0]!.id)!, Infinity);
  const freeAt = new Map<number, number[]>();
  for (const [b, step] of lastUse) freeAt.set(step, [...(freeAt.get(step) ?? []), b]);
  let live = 0;
  let peak = 0;
  nodes.forEach((n, step) => {
    if (buf.get(n.id) === n.id) live += bytes(n.id);
    peak = Math.max(peak, live);
    for (const b of freeAt.get(step) ?? []) live -= bytes(b);
  });
  return { peak, input: bytes(nodes[0]!.id), output: bytes(graph.output) };
}

/** Activations whose backward reads their output (so an in-place one keeps nothing more). */
const SAVES_OUTPUT = new Set(["relu", "sigmoid", "tanh", "softmax"]);

function trainingKept(graph: IrGraph): { kept: number; perBatch: number } {
  const nodes = graph.nodes;
  const buf = buffers(graph, nodes, true);
  const kept = new Set<number>();
  let extra = 0;
  let perBatch = 0;
  const keep = (id: number) => kept.add(buf.get(id)!);
  for (const n of nodes) {
    const a = n.attrs;
    const input = n.inputs[0];
    const inShape = input === undefined ? [] : graph.nodes[input]!.shape;
    switch (a.op) {
      case "input":
      case "add":
      case "concat":
      case "flatten":
      case "slice":
      case "shuffle":
      case "droppath":
        break;
      case "batchnorm":
        keep(input!);
        perBatch += 2 * FLOAT * n.shape[0]!;
        break;
      case "conv":
      case "dense":
      case "scale":
        keep(input!);
        break;
      case "layernorm":
        keep(input!);
        // One mean and one reciprocal std per normalised vector: per pixel on a map.
        extra += 2 * FLOAT * (inShape.length === 3 ? inShape[1]! * inShape[2]! : 1);
        break;
      case "groupnorm":
        keep(input!);
        extra += 2 * FLOAT * a.groups;
        break;
      case "maxpool":
      case "globalmaxpool":
        keep(input!);
        extra += 8 * size(n.shape);
        break;
      case "avgpool":
      case "adaptiveavgpool":
      case "globalavgpool":
        keep(input!);
        break;
      case "mul":
        for (const i of n.inputs) keep(i);
        break;
      case "dropout":
        extra += FLOAT * size(n.shape);
        break;
      case "lrn":
        keep(input!);
        extra += FLOAT * size(n.shape);
        break;
      case "act":
        keep(SAVES_OUTPUT.has(a.fn) ? n.id : input!);
        break;
      default:
        assertNever(a);
    }
    if ("act" in a && a.act !== "none") {
      keep(n.id);
      // An in-place activation whose backward reads its input: PyTorch 1.13 keeps a copy of it.
      if (!SAVES_OUTPUT.has(a.act)) extra += FLOAT * size(n.shape);
    }
  }
  let total = extra;
  for (const b of kept) total += size(graph.nodes[b]!.shape) * FLOAT;
  return { kept: total, perBatch };
}

export function memoryFigures(graph: IrGraph): MemoryFigures {
  return {
    weights: weightFigures(graph, graph.nodes.filter((n) => n.aux === undefined)),
    weightsWithAux: weightFigures(graph, graph.nodes),
    inference: inferencePeak(graph),
    training: trainingKept(graph),
  };
}

/** Bytes in MB (10^6 bytes, as torchinfo prints them) with two decimals; kB and bytes below. */
export function megabytes(bytes: number): string {
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(2)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(2)} kB`;
  return `${bytes} B`;
}
