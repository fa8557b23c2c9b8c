// BatchNorm folding, as PyTorch's ONNX export does for inference graphs:
//   w' = w * gamma / sqrt(var + eps)
//   b' = (b - mean) * gamma / sqrt(var + eps) + beta
// Only when the BN reads a conv without activation whose output nothing else
// reads; then the conv computes the BN's output directly.
import type { IrGraph, IrNode } from "../../ir/graph.js";
import type { NodeWeights } from "../../ir/weights.js";

/** Map from conv id to the id of the BatchNorm folded into it. */
export function planBatchNormFolds(graph: IrGraph, emitted: (n: IrNode) => boolean): Map<number, number> {
  const consumers = new Map<number, number>();
  for (const n of graph.nodes) {
    if (!emitted(n)) continue;
    for (const i of n.inputs) consumers.set(i, (consumers.get(i) ?? 0) + 1);
  }
  const folds = new Map<number, number>();
  for (const bn of graph.nodes) {
    if (bn.attrs.op !== "batchnorm" || !emitted(bn)) continue;
    const conv = graph.nodes[bn.inputs[0]!]!;
    if (conv.attrs.op !== "conv" || conv.attrs.act !== "none" || !emitted(conv)) continue;
    if (consumers.get(conv.id) !== 1 || conv.id === graph.output) continue;
    folds.set(conv.id, bn.id);
  }
  return folds;
}

/** Folded kernel and bias, computed in float64 and rounded once to float32. */
export function foldWeights(conv: NodeWeights, bn: NodeWeights, eps: number, outChannels: number): { kernel: Float32Array; bias: Float32Array } {
  const w = conv.kernel!;
  const per = w.length / outChannels;
  const kernel = new Float32Array(w.length);
  const bias = new Float32Array(outChannels);
  for (let o = 0; o < outChannels; o++) {
    const scale = bn.gamma![o]! / Math.sqrt(bn.variance![o]! + eps);
    for (let j = o * per; j < (o + 1) * per; j++) kernel[j] = w[j]! * scale;
    const b = conv.bias ? conv.bias[o]! : 0;
    bias[o] = (b - bn.mean![o]!) * scale + bn.beta![o]!;
  }
  return { kernel, bias };
}
