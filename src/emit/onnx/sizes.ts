// Whether the ONNX graph can take any input height and width (netc compile's default where it can; `--dynamic-size` requires it),
// as torchvision's exported models do. The emitter writes sizes into some nodes
// (Reshape targets, pooling tail pads, adaptive pooling's averaging matrices,
// flatten into a dense layer), so a graph qualifies only when every node that
// sees the input's height and width lowers to ONNX without them, up to where a
// global (or adaptive 1x1) pooling removes them. Convolution pads are taken as
// written: a 'same' conv with a stride (TF's split, which depends on the size)
// keeps the pads of the spec's size, as PyTorch's fixed padding would.

import type { IrGraph, IrNode } from "../../ir/graph.js";

export type SizeCheck = { ok: true; dependent: boolean[] } | { ok: false; node: IrNode; detail: string };

/** Ops whose ONNX lowering holds no height or width of their input. */
const AGNOSTIC = new Set<IrNode["attrs"]["op"]>([
  "conv", "batchnorm", "act", "add", "mul", "concat", "dropout", "droppath", "scale",
  // Channels only (LayerNorm at each pixel: a transpose and back; a channel slice).
  "layernorm", "slice",
  // Lowered with the input's own shape (Shape, Reshape with -1) when the size is symbolic.
  "shuffle", "groupnorm",
]);
/** Ops whose output no longer depends on the input's height and width. */
const GLOBAL = new Set<IrNode["attrs"]["op"]>(["globalavgpool", "globalmaxpool"]);

/** `live`: the nodes the emitter writes (auxiliary heads and dead ends left out). */
export function checkDynamicSize(graph: IrGraph, live: (n: IrNode) => boolean = (n) => n.aux === undefined): SizeCheck {
  const dependent = new Array<boolean>(graph.nodes.length).fill(false);
  for (const n of graph.nodes) {
    const a = n.attrs;
    if (a.op === "input") {
      dependent[n.id] = n.shape.length === 3;
      continue;
    }
    if (!n.inputs.some((i) => dependent[i])) continue;
    if (!live(n)) continue;
    if (GLOBAL.has(a.op) || (a.op === "adaptiveavgpool" && a.out[0] === 1 && a.out[1] === 1)) continue;
    let why: string | undefined;
    if (AGNOSTIC.has(a.op)) why = undefined;
    else if (a.op === "dense" && a.pixelwise) why = undefined; // a 1x1 convolution
    else if (a.op === "lrn") why = a.size % 2 === 1 ? undefined : `an LRN of even size ${a.size}, lowered with reshapes of the spec's size`;
    else if (a.op === "maxpool") why = undefined; // floor: ONNX's rule at any size; ceil: emitted with ceil_mode, onnxruntime's rule is PyTorch's
    else if (a.op === "avgpool") why = a.ceil ? "an average pooling in ceil mode, lowered with tail padding for the spec's size" : undefined;
    else if (a.op === "adaptiveavgpool") why = `an adaptive pooling to ${a.out[0]}x${a.out[1]}, lowered with windows for the spec's size`;
    else why = `'${a.op}' on a [C, H, W] map (${graph.nodes[n.inputs[0]!]!.shape.join("x")} at the spec's size), lowered with its sizes fixed`;
    if (why) return { ok: false, node: n, detail: why };
    dependent[n.id] = true;
  }
  return { ok: true, dependent };
}
