// A checked graph's tensors in the order a PyTorch state_dict of the same
// network holds them, so a torchvision checkpoint can be read tensor by tensor
// (issue 11, `netc weights`). PyTorch orders a state_dict by module
// registration, and each module lists its parameters before its buffers; the
// specs follow torchvision's registration order, so the graph's node order
// (topological, as the statements are written) is that order. Tensors PyTorch
// does not hold (none today) would be left out here; BatchNorm's
// num_batches_tracked has no counterpart in netc and is not listed.
// One exception: a layer scale (`scale`) is no module of its own in PyTorch but
// an nn.Parameter of the module that holds it (torchvision's CNBlock.layer_scale,
// the original ConvNeXt's Block.gamma), and a module lists its own parameters
// before its submodules'. So a scale's tensor leads the tensors of the block
// call it is written in (of the whole network when written there), wherever
// the statement stands in the block.

import type { IrGraph, IrNode } from "./graph.js";
import type { NodeWeights } from "./weights.js";
import { weightShapes } from "./weights.js";

/**
 * PyTorch's name for each canonical tensor, in the order a module registers
 * them (conv and linear: weight, bias; BatchNorm: weight, bias, running_mean,
 * running_var). Typed over NodeWeights so a new tensor kind must say its name.
 */
const TORCH_NAMES: { [K in keyof Required<NodeWeights>]: string } = {
  kernel: "weight",
  gamma: "weight",
  bias: "bias",
  beta: "bias",
  mean: "running_mean",
  variance: "running_var",
};

export interface StateTensor {
  /** IrNode.name of the owner. */
  node: string;
  /** Which of the node's tensors (src/ir/weights.ts). */
  tensor: keyof NodeWeights;
  /** PyTorch's attribute name for it: "weight", "bias", "running_mean", "running_var". */
  torchName: string;
  /** In canonical layout, which is PyTorch's: conv [O, I/groups, kh, kw], linear [out, in]. */
  shape: number[];
}

/**
 * The graph's tensors in state_dict order. Auxiliary heads are included where
 * their nodes stand (torchvision's Inception v3 registers AuxLogits between
 * Mixed_6e and Mixed_7a, as the spec writes it) unless `aux` is false.
 */
export function stateDictOrder(graph: IrGraph, options: { aux?: boolean } = {}): StateTensor[] {
  const nodes = graph.nodes.filter((n) => options.aux !== false || n.aux === undefined);
  const tensorsOf = (node: IrNode): StateTensor[] => {
    const shapes = weightShapes(graph, node);
    const own: StateTensor[] = [];
    for (const tensor of Object.keys(TORCH_NAMES) as (keyof NodeWeights)[]) {
      const shape = shapes[tensor];
      const torchName = node.attrs.op === "scale" ? "layer_scale" : TORCH_NAMES[tensor];
      if (shape) own.push({ node: node.name, tensor, torchName, shape });
    }
    return own;
  };
  // Each scale goes before the first node of its block call (keyed by node id).
  const firstOfCall = new Map<number, IrNode>();
  for (const node of nodes) for (const call of callChain(graph, node)) if (!firstOfCall.has(call)) firstOfCall.set(call, node);
  const leading = new Map<number, IrNode[]>();
  for (const node of nodes) {
    if (node.attrs.op !== "scale") continue;
    const call = graph.origins[node.origin]?.call;
    const anchor = call === undefined ? nodes[0]! : firstOfCall.get(call)!;
    leading.set(anchor.id, [...(leading.get(anchor.id) ?? []), node]);
  }
  const out: StateTensor[] = [];
  for (const node of nodes) {
    for (const scale of leading.get(node.id) ?? []) out.push(...tensorsOf(scale));
    if (node.attrs.op !== "scale") out.push(...tensorsOf(node));
  }
  return out;
}

/** The block-call origins a node was expanded from, innermost first. */
function callChain(graph: IrGraph, node: IrNode): number[] {
  const chain: number[] = [];
  for (let o = graph.origins[node.origin]?.call; o !== undefined; o = graph.origins[o]?.call) chain.push(o);
  return chain;
}
