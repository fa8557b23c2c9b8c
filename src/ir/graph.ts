// The checked layer graph: the only thing backends read. Produced by
// src/check/elaborate.ts; every attribute is resolved (defaults applied, padding
// made explicit, parameters substituted), every node has its output shape and costs.
//
// Conventions (backends rely on them):
//  - Shapes exclude the batch dimension. Feature maps are [C, H, W] (channel-first,
//    as PyTorch and ONNX); vectors are [F].
//  - Padding is always explicit: [top, left, bottom, right] pixels. 'same' padding
//    has already been turned into TF's split (the extra pixel at the end).
//  - Pooling output sizes follow PyTorch/Caffe (ceil mode drops a last window
//    that would start in the right/bottom padding).
//  - LRN `alpha` is the Caffe/PyTorch/ONNX alpha: the sum of squares is scaled by
//    alpha / size. (TF's depth_radius = (size-1)/2 and alpha_tf = alpha / size.)
//    The window is PyTorch's: size//2 channels before, (size-1)//2 after (for odd
//    sizes, the centred window of Caffe and ONNX too).
//  - Nodes are in topological order; `inputs` refer to earlier node ids.

import type { Span } from "../util/span.js";

export type Shape = number[];

/** The activation functions, written once: the checker's keywords and every backend's mapping follow this list. */
export const ACTIVATIONS = ["relu", "relu6", "sigmoid", "tanh", "softmax", "silu", "gelu", "hardswish", "hardsigmoid", "leakyrelu", "elu"] as const;
export type Activation = "none" | (typeof ACTIVATIONS)[number];

/**
 * The activations that take a number, with PyTorch's name and default for it
 * (LeakyReLU's negative_slope, ELU's alpha). The IR carries it as `actAlpha`
 * (`alpha` on an act node), set exactly when the activation is one of these.
 */
export const ACTIVATION_PARAMS: Partial<Record<Activation, { key: string; default: number; doc: string }>> = {
  leakyrelu: { key: "slope", default: 0.01, doc: "slope for negative inputs (PyTorch negative_slope, default 0.01)" },
  elu: { key: "alpha", default: 1, doc: "scale of the negative part, alpha*(exp(x)-1) (PyTorch default 1.0)" },
};

export interface Source {
  file: string;
  span: Span;
}

/**
 * Where a node or statement is written, as backends print it (ONNX doc strings,
 * comments in generated code): computed once by the checker, which holds the
 * text, so no backend reads spec files.
 */
export interface SourceLoc {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units. */
  column: number;
  /** The first line of the written text, as it is in the file. */
  excerpt: string;
}

export interface InputAttrs {
  op: "input";
}
export interface ConvAttrs {
  op: "conv";
  outChannels: number;
  kernel: [number, number];
  stride: [number, number];
  dilation: [number, number];
  /** [top, left, bottom, right] */
  pads: [number, number, number, number];
  groups: number;
  bias: boolean;
  act: Activation;
  /** leakyrelu's negative slope or elu's alpha (see ACTIVATION_PARAMS); absent for other activations. */
  actAlpha?: number;
}
export interface BatchNormAttrs {
  op: "batchnorm";
  eps: number;
  /** PyTorch-style momentum for running statistics (0.1 = torch default). */
  momentum: number;
  act: Activation;
  /** leakyrelu's negative slope or elu's alpha (see ACTIVATION_PARAMS); absent for other activations. */
  actAlpha?: number;
}
export interface LrnAttrs {
  op: "lrn";
  size: number;
  /** Caffe/PyTorch/ONNX convention: scaled by alpha / size. */
  alpha: number;
  beta: number;
  bias: number;
}
export interface PoolAttrs {
  op: "maxpool" | "avgpool";
  kernel: [number, number];
  stride: [number, number];
  /** [top, left, bottom, right] */
  pads: [number, number, number, number];
  ceil: boolean;
  /** avgpool only: whether padded zeros count in the divisor (PyTorch default true). */
  countIncludePad: boolean;
}
export interface GlobalPoolAttrs {
  op: "globalavgpool" | "globalmaxpool";
}
/** PyTorch AdaptiveAvgPool2d semantics: window i spans [floor(i*H/oh), ceil((i+1)*H/oh)). */
export interface AdaptiveAvgPoolAttrs {
  op: "adaptiveavgpool";
  out: [number, number];
}
export interface DropoutAttrs {
  op: "dropout";
  rate: number;
}
/** Flattens [C, H, W] to [C*H*W] in C, H, W order (PyTorch/ONNX order). */
export interface FlattenAttrs {
  op: "flatten";
}
export interface DenseAttrs {
  op: "dense";
  units: number;
  bias: boolean;
  act: Activation;
  /** leakyrelu's negative slope or elu's alpha (see ACTIVATION_PARAMS); absent for other activations. */
  actAlpha?: number;
  /**
   * On a [C, H, W] map: the same [units, C] layer applied to the channels of every
   * pixel (nn.Linear between two permutes, as ConvNeXt writes it), giving
   * [units, H, W]. Without it a dense layer needs a flat vector.
   */
  pixelwise?: boolean;
}
/**
 * nn.LayerNorm over the channels at each pixel of a [C, H, W] map (torchvision's
 * LayerNorm2d), or over the features of a vector: biased variance, eps inside
 * the square root, learned gamma and beta [C].
 */
export interface LayerNormAttrs {
  op: "layernorm";
  eps: number;
}
/** nn.GroupNorm: statistics over each group of C/groups channels and all pixels; gamma and beta [C]. */
export interface GroupNormAttrs {
  op: "groupnorm";
  groups: number;
  eps: number;
}
export interface ActAttrs {
  op: "act";
  fn: Exclude<Activation, "none">;
  /** leakyrelu's negative slope or elu's alpha (see ACTIVATION_PARAMS); absent for other activations. */
  alpha?: number;
}
/** Concatenation along channels (axis 0 of [C,H,W], axis 1 with batch). */
export interface ConcatAttrs {
  op: "concat";
}
/** Elementwise sum of the branches, NumPy/PyTorch broadcasting over [C, H, W] (equal ranks; each dim equal or 1). */
export interface AddAttrs {
  op: "add";
  act: Activation;
  /** leakyrelu's negative slope or elu's alpha (see ACTIVATION_PARAMS); absent for other activations. */
  actAlpha?: number;
}
/** Elementwise product of the branches, broadcast as add (squeeze-and-excitation: a Cx1x1 scale times CxHxW). */
export interface MulAttrs {
  op: "mul";
  act: Activation;
  /** leakyrelu's negative slope or elu's alpha (see ACTIVATION_PARAMS); absent for other activations. */
  actAlpha?: number;
}
/** A learned per-channel scale (ConvNeXt's layer scale): weight [C, 1, 1] (or [F] on vectors), initialised to `init`. */
export interface ScaleAttrs {
  op: "scale";
  init: number;
}
/** Stochastic depth (torchvision StochasticDepth, mode "row"): identity at inference. */
export interface DropPathAttrs {
  op: "droppath";
  rate: number;
}
/** Channels [start, end) of a [C, H, W] map (PyTorch x[:, start:end]; torch.chunk lowers to it). */
export interface SliceAttrs {
  op: "slice";
  start: number;
  end: number;
}
/** PyTorch's channel_shuffle: view [g, C/g, H, W], swap the first two axes, flatten (ShuffleNet). */
export interface ShuffleAttrs {
  op: "shuffle";
  groups: number;
}

export type NodeAttrs =
  | InputAttrs
  | ConvAttrs
  | BatchNormAttrs
  | LrnAttrs
  | PoolAttrs
  | GlobalPoolAttrs
  | AdaptiveAvgPoolAttrs
  | DropoutAttrs
  | FlattenAttrs
  | DenseAttrs
  | LayerNormAttrs
  | GroupNormAttrs
  | ActAttrs
  | ConcatAttrs
  | AddAttrs
  | MulAttrs
  | ScaleAttrs
  | DropPathAttrs
  | SliceAttrs
  | ShuffleAttrs;

export type OpKind = NodeAttrs["op"];

export interface IrNode {
  /** Index into IrGraph.nodes. */
  id: number;
  /** Unique path name, e.g. "inception4a/b2/conv1". Used as the ONNX node name and tfjs layer name. */
  name: string;
  attrs: NodeAttrs;
  /** Ids of input nodes, in order (concat order matters). */
  inputs: number[];
  /** Output shape without batch. */
  shape: Shape;
  /** Learnable parameters, as PyTorch counts them (BN: gamma and beta; not running stats). */
  params: number;
  /** Multiply-accumulates for one image (conv and dense only; 0 elsewhere). */
  macs: number;
  /** Name of the auxiliary head this node belongs to; undefined for the main graph. */
  aux: string | undefined;
  source: Source;
  /** Set by the checker; absent on graphs built by hand. */
  loc?: SourceLoc;
  /** Index into IrGraph.origins: the statement instance that made this node (backends ignore it). */
  origin: number;
}

/**
 * One elaboration of a statement: the same statement inside a block called
 * twice, or in a repeat, has one origin per instance. The editor groups nodes
 * by origin (not by name) to show what each statement computed.
 */
export interface Origin {
  /** The statement's file and span. */
  file: string;
  span: Span;
  /** IR path of this instance ("inception3a/b2/conv1"). */
  path: string;
  /** The origin of the block-call statement instance this one was expanded from (the call chain); undefined at network level. */
  call: number | undefined;
  /**
   * On a block-call statement instance: the block's name, its parameters with the
   * numeric values this call bound (undefined for other values), and the node
   * whose output is the call's output. Emitters use it to write one class or
   * function per block (src/emit/blocks.ts).
   */
  block?: { name: string; params: string[]; args: (number | undefined)[]; output: number };
}

/** A named statement (`inception3a = Inception(...)`), for summaries and the editor. */
export interface IrGroup {
  /** Path name of the statement (prefix of its nodes' names). */
  name: string;
  /** "Inception" for a block call, else the op/kind written ("seq", "concat", "conv", ...). */
  kind: string;
  nodes: number[];
  /** The node whose output is the statement's output. */
  output: number;
  shape: Shape;
  params: number;
  macs: number;
  aux: string | undefined;
  source: Source;
  /** Set by the checker; absent on graphs built by hand. */
  loc?: SourceLoc;
}

export interface AuxOutput {
  name: string;
  node: number;
  weight: number;
}

export interface TrainConfig {
  optimizer: "sgd" | "adam" | "rmsprop";
  learningRate: number;
  momentum: number;
  /** Multiply the learning rate by `decay` every `decayEvery` epochs (1 = no decay). */
  decay: number;
  decayEvery: number;
  batchSize: number;
  epochs: number;
  weightDecay: number;
  /** Fraction of the training set held out for validation. */
  validationSplit: number;
  loss: "crossentropy";
}

/**
 * What the input goes through before the first layer (`input image 3x224x224 { ... }`),
 * in torchvision's order: `x * scale`, then `(x - mean[c]) / std[c]`, then, with
 * `transformInput`, torchvision's GoogLeNet/Inception v3 re-normalisation. It is the
 * graph's input preprocessing, not a layer: no weights see it, and it may be left out
 * of an export (`--no-preprocess`). `mean` and `std` are per channel, in the input's
 * channel order; `order` says which order that is, for readers of images.
 */
export interface Preprocess {
  scale: number;
  mean: number[];
  std: number[];
  order: "rgb" | "bgr";
  transformInput: boolean;
}

export interface IrGraph {
  /** Network name as declared (`network GoogLeNet`). */
  name: string;
  /** Spec file the network came from. */
  file: string;
  /** The input node's id (always 0) and declared name (default "input"). */
  inputName: string;
  inputShape: Shape;
  /** Absent when the spec states none (the input is fed as is). */
  preprocess?: Preprocess;
  nodes: IrNode[];
  /** Statement instances, referred to by IrNode.origin. */
  origins: Origin[];
  /** The main (inference) output node. */
  output: number;
  auxOutputs: AuxOutput[];
  groups: IrGroup[];
  train: TrainConfig;
  /** Inference-graph totals (aux heads excluded). */
  params: number;
  macs: number;
  /** params + the aux heads' parameters. */
  paramsWithAux: number;
}

/** By node id: whether any of `ends` depends on the node (the ends included). Nodes are in topological order. */
export function dependedOn(graph: IrGraph, ends: readonly number[]): boolean[] {
  const on = new Array<boolean>(graph.nodes.length).fill(false);
  for (const e of ends) on[e] = true;
  for (let id = graph.nodes.length - 1; id >= 0; id--) if (on[id]) for (const i of graph.nodes[id]!.inputs) on[i] = true;
  return on;
}
