// A checked graph's tensors in the order a PyTorch state_dict of the same
// network holds them, so a torchvision checkpoint can be read tensor by tensor
// (issue 11, `netc weights`). PyTorch orders a state_dict by module
// registration, and each module lists its parameters before its buffers; the
// specs follow torchvision's registration order, so the graph's node order
// (topological, as the statements are written) is that order. Tensors PyTorch
// does not hold (none today) would be left out here; BatchNorm's
// num_batches_tracked has no counterpart in netc and is not listed.

import type { IrGraph } from "./graph.js";
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
  const out: StateTensor[] = [];
  for (const node of graph.nodes) {
    if (options.aux === false && node.aux !== undefined) continue;
    const shapes = weightShapes(graph, node);
    for (const tensor of Object.keys(TORCH_NAMES) as (keyof NodeWeights)[]) {
      const shape = shapes[tensor];
      if (shape) out.push({ node: node.name, tensor, torchName: TORCH_NAMES[tensor], shape });
    }
  }
  return out;
}
