// Runs a checked IR graph with the reference ops: the inference graph (aux
// heads and dropout skipped), one image at a time, in float64.
import type { IrGraph } from "../../src/ir/graph.js";
import type { WeightSet } from "../../src/ir/weights.js";
import * as R from "./ops.js";

export function runReference(graph: IrGraph, weights: WeightSet, image: ArrayLike<number>): R.T {
  const values = new Map<number, R.T>();
  for (const node of graph.nodes) {
    if (node.aux !== undefined) continue;
    const a = node.attrs;
    const ins = node.inputs.map((i) => values.get(i)!);
    const x = ins[0]!;
    const w = weights.get(node.name) ?? {};
    let y: R.T;
    switch (a.op) {
      case "input":
        y = R.tensor(graph.inputShape, image);
        break;
      case "conv":
        y = R.activation(R.conv(x, { weight: w.kernel!, bias: w.bias, out: a.outChannels, kernel: a.kernel, stride: a.stride, dilation: a.dilation, pads: a.pads, groups: a.groups }), a.act, a.actAlpha);
        break;
      case "batchnorm":
        y = R.activation(R.batchnorm(x, { gamma: w.gamma!, beta: w.beta!, mean: w.mean!, variance: w.variance!, eps: a.eps }), a.act, a.actAlpha);
        break;
      case "lrn":
        y = R.lrn(x, a.size, a.alpha, a.beta, a.bias);
        break;
      case "maxpool":
      case "avgpool":
        y = R.pool(x, a.op === "maxpool" ? "max" : "avg", a);
        break;
      case "globalavgpool":
      case "globalmaxpool":
        y = R.globalPool(x, a.op === "globalmaxpool" ? "max" : "avg");
        break;
      case "adaptiveavgpool":
        y = R.adaptiveAvgPool(x, a.out);
        break;
      case "dropout":
        y = x;
        break;
      case "flatten":
        y = R.flatten(x);
        break;
      case "dense":
        y = R.activation(
          a.pixelwise && x.shape.length === 3 ? R.pixelwiseDense(x, w.kernel!, w.bias, a.units) : R.dense(R.flatten(x), w.kernel!, w.bias, a.units),
          a.act,
          a.actAlpha,
        );
        break;
      case "layernorm":
        y = R.layernorm(x, w.gamma!, w.beta!, a.eps);
        break;
      case "groupnorm":
        y = R.groupnorm(x, a.groups, w.gamma!, w.beta!, a.eps);
        break;
      case "act":
        y = R.activation(x, a.fn, a.alpha);
        break;
      case "concat":
        y = R.concat(ins);
        break;
      case "add":
        y = R.activation(R.add(ins), a.act, a.actAlpha);
        break;
      case "mul":
        y = R.activation(R.mul(ins), a.act, a.actAlpha);
        break;
      case "scale":
        y = R.scale(x, w.gamma!);
        break;
      case "droppath":
        // Inference: stochastic depth passes its input on.
        y = x;
        break;
      case "slice":
        y = R.channelSlice(x, a.start, a.end);
        break;
      case "shuffle":
        y = R.channelShuffle(x, a.groups);
        break;
      default: {
        // A new IR op needs its reference here: `a` is never only while every op has a case.
        const missing: never = a;
        throw new Error(`reference: no implementation of op ${JSON.stringify(missing)}`);
      }
    }
    if (JSON.stringify(y.shape) !== JSON.stringify(node.shape)) {
      throw new Error(`reference: ${node.name} has shape ${y.shape}, IR says ${node.shape}`);
    }
    values.set(node.id, y);
  }
  return values.get(graph.output)!;
}
