// Small hand-built IR graphs that together cover every op and attribute.
import type { IrGraph } from "../../src/ir/graph.js";
import { IrBuilder } from "./ir-builder.js";

export function graphs(): Record<string, IrGraph> {
  const out: Record<string, IrGraph> = {};

  {
    const g = new IrBuilder("conv_variants", [4, 9, 10]);
    const a = g.conv("stride2", 0, { out: 6, kernel: 3, stride: 2, pads: 1, act: "relu" });
    const b = g.conv("dilated", 0, { out: 4, kernel: 3, dilation: 2, pads: [2, 1, 2, 3], bias: false, act: "relu6" });
    const c = g.conv("grouped", b, { out: 6, kernel: [3, 2], groups: 2, pads: [1, 0, 1, 1], act: "sigmoid" });
    const d = g.conv("depthwise", c, { out: 6, kernel: 3, groups: 6, stride: [1, 2], pads: [0, 1, 2, 1], act: "tanh" });
    const e = g.conv("pointwise", d, { out: 3, kernel: 1 });
    const f = g.global("gap_a", a, "globalavgpool");
    const h = g.global("gap_e", e, "globalmaxpool");
    out.conv_variants = g.build(g.concat("cat", [f, h]));
  }
  {
    // TF 'same' for 7x7/2 on an even input: 2 before, 3 after.
    const g = new IrBuilder("same_7x7", [3, 16, 16]);
    const c = g.conv("conv1", 0, { out: 4, kernel: 7, stride: 2, pads: [2, 2, 3, 3], act: "relu" });
    if (g.shape(c).join() !== "4,8,8") throw new Error("same padding shape");
    out.same_7x7 = g.build(c);
  }
  {
    const g = new IrBuilder("pools", [3, 11, 10]);
    const m1 = g.pool("max_ceil", "maxpool", 0, { kernel: 3, stride: 2, ceil: true });
    const m2 = g.pool("max_ceil_pad", "maxpool", 0, { kernel: 3, stride: 2, pads: 1, ceil: true });
    const m3 = g.pool("max_asym", "maxpool", 0, { kernel: [2, 3], stride: [2, 1], pads: [0, 1, 1, 1] });
    const a1 = g.pool("avg_ceil_cip", "avgpool", 0, { kernel: 3, stride: 2, pads: 1, ceil: true, countIncludePad: true });
    const a2 = g.pool("avg_ceil_nocip", "avgpool", 0, { kernel: 3, stride: 2, pads: 1, ceil: true, countIncludePad: false });
    const a3 = g.pool("avg_pad_nocip", "avgpool", 0, { kernel: 3, stride: 1, pads: 1, countIncludePad: false });
    const a4 = g.pool("avg_pad_cip", "avgpool", 0, { kernel: 3, stride: 1, pads: [1, 0, 0, 1], countIncludePad: true });
    const a5 = g.pool("avg_ceil_nopad", "avgpool", 0, { kernel: 2, stride: 2, ceil: true });
    const parts = [m1, m2, m3, a1, a2, a3, a4, a5].map((p, i) => g.flatten(`flat${i}`, p));
    out.pools = g.build(g.concat("all", parts));
  }
  {
    const g = new IrBuilder("lrn", [7, 4, 5]);
    const a = g.lrn("lrn5", 0, 5, 1e-4 * 1e3, 0.75, 1);
    const b = g.lrn("lrn4", a, 4, 0.3, 0.5, 2);
    out.lrn = g.build(b);
  }
  {
    const g = new IrBuilder("batchnorm", [3, 6, 6]);
    const c = g.conv("conv", 0, { out: 4, kernel: 3, pads: 1, bias: false });
    const b = g.bn("conv_bn", c, 1e-3, "relu"); // folded
    const c2 = g.conv("conv2", b, { out: 4, kernel: 1 });
    const b2 = g.bn("conv2_bn", c2, 0.1); // folded, conv has a bias
    const b3 = g.bn("plain_bn", g.concat("cat", [b, b2]), 1e-5, "relu6"); // not foldable
    const f = g.flatten("flat", b3);
    const d = g.dense("fc", f, 5);
    out.batchnorm = g.build(g.bn("fc_bn", d, 1e-3));
  }
  {
    const g = new IrBuilder("shared_conv", [2, 5, 5]);
    const c = g.conv("conv", 0, { out: 3, kernel: 3 });
    const b = g.bn("bn", c, 1e-3); // conv also read by `sum`: must not fold
    out.shared_conv = g.build(g.sum("sum", [c, b], "relu"));
  }
  {
    const g = new IrBuilder("adaptive", [3, 8, 7]);
    const a = g.adaptive("div", 0, [4, 7]);
    const b = g.adaptive("uneven", 0, [3, 5]);
    const c = g.adaptive("one", 0, [1, 1]);
    const d = g.adaptive("more_than_input", 0, [10, 9]);
    out.adaptive = g.build(g.concat("all", [a, b, c, d].map((x, i) => g.flatten(`f${i}`, x))));
  }
  {
    const g = new IrBuilder("head", [4, 5, 5]);
    const d0 = g.dropout("drop0", 0);
    const aux = g.inAux("aux1", () => g.dense("aux_fc", g.flatten("aux_flat", d0), 3));
    void aux;
    const f = g.flatten("flat", d0);
    const direct = g.dense("fc_relu", f, 6, "relu");
    const fc = g.dense("fc", f, 6, "tanh", false);
    const s = g.sum("sum3", [direct, fc, direct], "sigmoid");
    const logits = g.dense("logits", s, 4, "softmax");
    out.head = g.build(g.dropout("drop_out", logits));
  }
  {
    const g = new IrBuilder("acts", [5, 3, 4]);
    const r = g.act("relu", 0, "relu");
    const r6 = g.act("relu6", g.conv("scale", 0, { out: 5, kernel: 1 }), "relu6");
    const s = g.act("sigmoid", 0, "sigmoid");
    const t = g.act("tanh", 0, "tanh");
    const sm = g.act("softmax", 0, "softmax"); // over channels
    out.acts = g.build(g.concat("cat", [r, r6, s, t, sm]));
  }
  {
    // Each new activation as a layer and fused: after a conv, a folded and an unfolded BN, a dense layer and an add.
    const g = new IrBuilder("modern_acts", [4, 5, 6]);
    const layers = [
      g.act("silu", 0, "silu"),
      g.act("gelu", 0, "gelu"),
      g.act("hardswish", 0, "hardswish"),
      g.act("hardsigmoid", 0, "hardsigmoid"),
      g.act("leakyrelu", 0, "leakyrelu", 0.2),
      g.act("leakyrelu_neg", 0, "leakyrelu", -0.5),
      g.act("elu", 0, "elu", 1),
      g.act("elu_half", 0, "elu", 0.5),
    ];
    const c = g.conv("conv_silu", 0, { out: 4, kernel: 3, pads: 1, act: "silu" });
    const f = g.bn("folded_bn", g.conv("conv", c, { out: 4, kernel: 1, bias: false }), 1e-5, "hardswish");
    const u = g.bn("plain_bn", g.concat("pair", [c, f]), 1e-5, "elu", 0.3);
    const a = g.sum("sum", [g.conv("c1", u, { out: 4, kernel: 1, act: "leakyrelu", actAlpha: 0.1 }), c], "gelu");
    const d = g.dense("fc", g.flatten("flat", a), 6, "hardsigmoid");
    const e = g.dense("fc2", d, 5, "elu", true, 2);
    out.modern_acts = g.build(g.concat("cat", [...layers.map((x, i) => g.flatten(`flat${i}`, x)), e]));
  }
  return out;
}

