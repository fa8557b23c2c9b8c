// Small hand-built IR graphs covering every op and the tfjs mapping's branches
// (valid / 'same' / explicit padding, custom pools, flatten permutation, aux heads).
import type { IrGraph } from "../../src/ir/graph.js";
import { IrBuilder } from "../onnx/ir-builder.js";

export function convGraph(): IrGraph {
  const b = new IrBuilder("Convs", [3, 17, 16], "image");
  let x = b.conv("stem/conv7", 0, { out: 8, kernel: 7, stride: 2, pads: 3, act: "relu" }); // explicit symmetric: zeroPadding2d
  x = b.conv("same3", x, { out: 8, kernel: 3, pads: 1, bias: false }); // 'same'
  x = b.bn("same3/bn", x, 1e-3, "relu");
  x = b.conv("tfsame", x, { out: 6, kernel: 3, stride: 2, pads: [0, 0, 1, 1] }); // TF's split at stride 2
  x = b.conv("dil", x, { out: 6, kernel: 3, dilation: 2, pads: 2, act: "relu6" });
  x = b.conv("dw", x, { out: 12, kernel: 3, pads: 1, groups: 6, act: "tanh" }); // depthwise, multiplier 2
  x = b.conv("rect", x, { out: 4, kernel: [1, 3], pads: [0, 1, 0, 1], act: "sigmoid" });
  x = b.flatten("flatten", x);
  x = b.dense("fc", x, 5, "softmax");
  return b.build(x);
}

export function poolGraph(): IrGraph {
  const b = new IrBuilder("Pools", [4, 16, 16]);
  const x = b.conv("conv", 0, { out: 8, kernel: 3, pads: 1 });
  // 16 -> 8: ceil mode without padding is TF's 'same' (max ignores, avg excludes the overhang)
  const p1 = b.pool("p_ceil", "maxpool", x, { kernel: 3, stride: 2, ceil: true });
  const p3 = b.pool("p_avg_ceil", "avgpool", x, { kernel: 3, stride: 2, ceil: true });
  let a = b.concat("cat8", [p1, p3]);
  a = b.lrn("lrn", a, 5, 1e-4 * 5, 0.75, 2);
  a = b.global("gap", a, "globalavgpool");
  a = b.flatten("flat8", a);
  // 16 -> 9: padded ceil pools need the runtime layer
  const p2 = b.pool("p_pad_ceil", "maxpool", x, { kernel: 3, stride: 2, pads: 1, ceil: true });
  const p4 = b.pool("p_avg_pad", "avgpool", x, { kernel: 3, stride: 2, pads: 1, ceil: true, countIncludePad: true });
  let c = b.concat("cat9", [p2, p4]);
  const m = b.pool("p_same1", "maxpool", c, { kernel: 3, stride: 1, pads: 1 });
  c = b.sum("sum", [c, m], "relu");
  c = b.adaptive("adapt", c, [4, 4]); // 9 -> 4: uneven windows, runtime layer
  c = b.flatten("flat9", c);
  // 16 -> 16: padding excluded from the divisor is TF's 'same' average
  let d = b.pool("p_avg_excl", "avgpool", x, { kernel: 3, stride: 1, pads: 1, countIncludePad: false });
  d = b.adaptive("adapt2", d, [2, 2]); // even: a plain average pool
  d = b.flatten("flat16", d);
  const all = b.concat("features", [a, c, d]);
  const y = b.dense("fc", all, 7);
  return b.build(y);
}

/** An Inception-like net with an auxiliary head (two outputs when training). */
export function auxGraph(): IrGraph {
  const b = new IrBuilder("Aux", [1, 12, 12], "image");
  let x = b.conv("stem", 0, { out: 8, kernel: 3, pads: 1, act: "relu" });
  x = b.pool("stem/pool", "maxpool", x, { kernel: 2, stride: 2 });
  const a = b.conv("a/b1", x, { out: 4, kernel: 1, act: "relu" });
  const c = b.conv("a/b2", x, { out: 4, kernel: 3, pads: 1, act: "relu" });
  x = b.concat("a", [a, c]);
  const aux = b.inAux("aux1", () => {
    let y = b.pool("aux1/pool", "avgpool", x, { kernel: 3, stride: 3 });
    y = b.flatten("aux1/flatten", y);
    y = b.dense("aux1/fc", y, 10, "softmax");
    return y;
  });
  x = b.global("gap", x, "globalavgpool");
  x = b.flatten("flatten", x);
  x = b.dropout("drop", x, 0.2);
  x = b.dense("fc", x, 10, "softmax");
  const g = b.build(x);
  g.auxOutputs = [{ name: "aux1", node: aux, weight: 0.3 }];
  g.train = { ...g.train, optimizer: "adam", learningRate: 0.002, batchSize: 32, epochs: 1 };
  return g;
}
