// Weights in netc's canonical layout, shared by both backends. The layout is
// PyTorch's (and ONNX's), so the ONNX emitter copies tensors as they are and the
// tfjs side converts:
//   conv   kernel [outChannels, inChannels/groups, kh, kw] (OIHW), bias [out]
//   dense  kernel [units, inFeatures] where inFeatures are indexed in the
//          flatten order of the IR, C, H, W; bias [units]
//   batchnorm gamma, beta, mean, variance [C]
//   layernorm, groupnorm gamma, beta [C] (features for a vector)
//   dense pixelwise: kernel [units, C], bias [units], as for a vector
//   scale  gamma [C, 1, 1] (PyTorch's layer-scale parameter), [F] on vectors

import type { IrGraph, IrNode } from "./graph.js";
import { opFactsOf, weightShapesOf, type WeightShapes } from "./op-facts.js";
import { assertNever } from "../util/assert-never.js";

export interface NodeWeights {
  kernel?: Float32Array;
  bias?: Float32Array;
  gamma?: Float32Array;
  beta?: Float32Array;
  mean?: Float32Array;
  variance?: Float32Array;
}

/** Keyed by IrNode.name. */
export type WeightSet = Map<string, NodeWeights>;

/** Shape of each tensor a node owns, in canonical layout (the op's record in op-facts.ts). */
export function weightShapes(graph: IrGraph, node: IrNode): WeightShapes {
  return weightShapesOf(node.attrs, node.inputs.map((i) => graph.nodes[i]!.shape));
}

/** mulberry32: a small, fast, well-distributed 32-bit PRNG; deterministic across platforms. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Fills `out` with N(0, std^2) samples; Box-Muller, both outputs used (hot loop: ~7M values for GoogLeNet). */
function fillNormal(out: Float32Array, next: () => number, std: number): void {
  for (let i = 0; i < out.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - next())) * std;
    const theta = 2 * Math.PI * next();
    out[i] = r * Math.cos(theta);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(theta);
  }
}

/**
 * Deterministic initialisation, the frameworks' default schemes: He normal for
 * convolutions (std sqrt(2 / fanIn)), Glorot uniform for dense layers, zero
 * biases; BatchNorm gamma 1, beta 0, mean 0, variance 1. Every node draws from
 * its own stream seeded by (seed, node index), so adding a head does not change
 * the weights of the layers before it, and skipping nodes (`include`) changes
 * nothing else.
 */
export function initWeights(graph: IrGraph, seed: number, include: (n: IrNode) => boolean = () => true): WeightSet {
  const out: WeightSet = new Map();
  for (const node of graph.nodes) {
    if (!include(node)) continue;
    const shapes = weightShapes(graph, node);
    if (Object.keys(shapes).length === 0) continue;
    const next = rng((seed * 2654435761 + node.id * 40503 + 1) >>> 0);
    const w: NodeWeights = {};
    const scheme = opFactsOf(node.attrs).init;
    switch (scheme) {
      case "heNormal": {
        // Fan-in: what one output unit sums over, the kernel's size per output channel.
        const k = shapes.kernel!;
        w.kernel = new Float32Array(size(k));
        fillNormal(w.kernel, next, Math.sqrt(2 / (size(k) / k[0]!)));
        if (shapes.bias) w.bias = new Float32Array(size(shapes.bias));
        break;
      }
      case "glorotUniform": {
        const [units, inputs] = shapes.kernel!;
        const limit = Math.sqrt(6 / (units! + inputs!));
        const k = new Float32Array(size(shapes.kernel!));
        for (let i = 0; i < k.length; i++) k[i] = (next() * 2 - 1) * limit;
        w.kernel = k;
        if (shapes.bias) w.bias = new Float32Array(size(shapes.bias));
        break;
      }
      case "batchNorm": {
        const c = size(shapes.gamma!);
        w.gamma = new Float32Array(c).fill(1);
        w.beta = new Float32Array(c);
        w.mean = new Float32Array(c);
        w.variance = new Float32Array(c).fill(1);
        break;
      }
      case "affine": {
        // PyTorch's LayerNorm and GroupNorm start as the identity affine map.
        const c = size(shapes.gamma!);
        w.gamma = new Float32Array(c).fill(1);
        w.beta = new Float32Array(c);
        break;
      }
      case "constant": {
        const init = node.attrs.op === "scale" ? node.attrs.init : 1;
        w.gamma = new Float32Array(size(shapes.gamma!)).fill(init);
        break;
      }
      case "none":
        throw new Error(`netc: ${node.name} (${node.attrs.op}) owns weights but its op record in src/ir/op-facts.ts gives no initialiser`);
      default:
        assertNever(scheme);
    }
    out.set(node.name, w);
  }
  return out;
}
