// Names on the tfjs side of the IR: the convention a checkpoint's weights are
// stored under. The runtime owns it (checkpoints are its format); the code
// generator follows it, so generated models, in-process builds and checkpoints
// agree. Pure, no tfjs.
//
// Layer names are the IR path names ("inception3a/b2/conv1"): tfjs accepts
// letters, digits, '-', '.', '_' and '/', first character alphanumeric. Any other
// character (from a quoted name in the spec) becomes '_', and a name that then
// collides with an earlier one gets "_2", "_3"... in node order, so the mapping is
// stable for a given graph.

import type { ConvAttrs, IrGraph } from "../ir/graph.js";

const VALID = /^[A-Za-z0-9][-A-Za-z0-9._/]*$/;

/** tfjs-safe spelling of one name (not yet made unique). */
export function tfjsSafe(name: string): string {
  if (VALID.test(name)) return name;
  let s = name.replace(/[^-A-Za-z0-9._/]/g, "_");
  if (!/^[A-Za-z0-9]/.test(s)) s = "x" + s;
  return s;
}

/** IR node name -> tfjs layer name for every node of the graph (input included). */
export function layerNames(graph: IrGraph): Map<string, string> {
  const taken = new Set<string>();
  const out = new Map<string, string>();
  for (const node of graph.nodes) {
    const name = node.id === 0 ? graph.inputName : node.name;
    out.set(node.name, unique(tfjsSafe(name), taken));
  }
  return out;
}

/** `base`, or `base_2`, `base_3`... whichever is free; records the result as taken. */
export function unique(base: string, taken: Set<string>): string {
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}_${i}`;
  taken.add(name);
  return name;
}

export type WeightLayerKind = "conv2d" | "depthwiseConv2d" | "groupConv2d" | "dense" | "batchNormalization" | "layerNormalization" | "groupNorm" | "channelScale";

/**
 * The layer class a convolution becomes: groups=1 is conv2d, groups = input
 * channels (with a whole channel multiplier) is depthwise; other groupings, which
 * tf.layers has no class for, are netc's GroupConv2D (kernel [kh, kw, C/groups, O]).
 */
export function convLayerKind(a: ConvAttrs, inChannels: number): "conv2d" | "depthwiseConv2d" | "groupConv2d" {
  if (a.groups === 1) return "conv2d";
  if (a.groups === inChannels && a.outChannels % inChannels === 0) return "depthwiseConv2d";
  return "groupConv2d";
}

/** IR node name -> the tfjs layer holding its weights and that layer's class, for every node with weights. */
export function weightLayers(graph: IrGraph): Map<string, { layer: string; kind: WeightLayerKind }> {
  const names = layerNames(graph);
  const out = new Map<string, { layer: string; kind: WeightLayerKind }>();
  for (const node of graph.nodes) {
    const a = node.attrs;
    let kind: WeightLayerKind | undefined;
    if (a.op === "conv") {
      kind = convLayerKind(a, graph.nodes[node.inputs[0]!]!.shape[0]!);
    } else if (a.op === "dense") kind = "dense";
    else if (a.op === "batchnorm") kind = "batchNormalization";
    else if (a.op === "layernorm") kind = "layerNormalization";
    else if (a.op === "groupnorm") kind = "groupNorm";
    else if (a.op === "scale") kind = "channelScale";
    if (kind) out.set(node.name, { layer: names.get(node.name)!, kind });
  }
  return out;
}
