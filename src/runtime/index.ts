// netc/runtime: what generated tfjs code imports.
//
//   import * as netc from "netc/runtime";
//   const tf = await netc.loadTf();
//   x = netc.pool2d({ name: "pool1", kind: "max", kernel: [3, 3], stride: [2, 2],
//                     pads: [0, 0, 1, 1], ceil: true }).apply(x);
//
// Sections are owned by different people; append to your own section only.

// ---- backend, custom layers, wasm gradient kernels (runtime core) ----
import { currentTf } from "./backend.js";
import type { ActivationConfig, AdaptiveAvgPool2DConfig, BaseLayerOptions, LrnConfig, Pool2DConfig } from "./layers/configs.js";
import { defineLayers, type NetcLayer, type NetcLayerClasses } from "./layers/define.js";

export { loadTf, currentTf, loadedFrom, FALLBACK_NOTICE } from "./backend.js";
export type { Tf, LoadTfOptions, BackendChoice } from "./backend.js";
export { registerWasmGradKernels } from "./wasm-grads.js";
export { CLASS_NAMES } from "./layers/configs.js";
export type { LrnConfig, Pool2DConfig, AdaptiveAvgPool2DConfig, ActivationConfig, BaseLayerOptions } from "./layers/configs.js";
export type { NetcLayer, NetcLayerClasses } from "./layers/define.js";

/**
 * The custom layer classes (LRN, Pool2D, AdaptiveAvgPool2D) defined on
 * the namespace loadTf() returned. They subclass that namespace's tf.layers.Layer, so
 * they exist only after `await loadTf()`.
 */
export function layerClasses(): NetcLayerClasses {
  const tf = currentTf();
  if (!tf) throw new Error("netc: call `await loadTf()` before creating netc layers");
  return defineLayers(tf);
}

/** Caffe/PyTorch LRN (alpha scaled by alpha/size; odd and even sizes). */
export function lrn(config: LrnConfig & BaseLayerOptions): NetcLayer {
  return new (layerClasses().LRN)(config);
}

/** Max/avg pooling with explicit [t,l,b,r] pads and PyTorch ceil mode / count_include_pad. */
export function pool2d(config: Pool2DConfig & BaseLayerOptions): NetcLayer {
  return new (layerClasses().Pool2D)(config);
}

/** PyTorch AdaptiveAvgPool2d. */
export function adaptiveAvgPool2d(config: AdaptiveAvgPool2DConfig & BaseLayerOptions): NetcLayer {
  return new (layerClasses().AdaptiveAvgPool2D)(config);
}

/** PyTorch Hardswish, Hardsigmoid and ELU(alpha), with PyTorch's gradients. */
export function torchActivation(config: ActivationConfig & BaseLayerOptions): NetcLayer {
  return new (layerClasses().Activation)(config);
}
// ---- end runtime core ----

// ---- normalisation layers (groupnorm; layernorm is tf.layers.layerNormalization) ----
import { defineGroupNorm, type GroupNormConfig } from "./layers/group-norm.js";
export { GROUP_NORM_CLASS, type GroupNormConfig } from "./layers/group-norm.js";

/** nn.GroupNorm on NHWC tensors: gamma and beta [C], biased variance per group of C/groups channels. */
export function groupNorm(config: GroupNormConfig & BaseLayerOptions): NetcLayer {
  const tf = currentTf();
  if (!tf) throw new Error("netc: call `await loadTf()` before creating netc layers");
  return new (defineGroupNorm(tf))(config);
}
// ---- end normalisation layers ----
// ---- broadcasting merge, layer scale, drop path ----
import { defineElementwiseLayers, type BroadcastConfig, type ChannelScaleConfig, type DropPathConfig } from "./layers/elementwise.js";
export type { BroadcastConfig, ChannelScaleConfig, DropPathConfig } from "./layers/elementwise.js";

function elementwiseClasses() {
  const tf = currentTf();
  if (!tf) throw new Error("netc: call `await loadTf()` before creating netc layers");
  return defineElementwiseLayers(tf);
}

/** Sum or product of its inputs with NumPy broadcasting (tf.layers.add and multiply need equal shapes). */
export function broadcast(config: BroadcastConfig & BaseLayerOptions): NetcLayer {
  return new (elementwiseClasses().Broadcast)(config);
}

/** A learned per-channel scale (ConvNeXt's layer scale), weight "scale" [C]. */
export function channelScale(config: ChannelScaleConfig & BaseLayerOptions): NetcLayer {
  return new (elementwiseClasses().ChannelScale)(config);
}

/** Stochastic depth, torchvision's mode "row": identity unless training. */
export function dropPath(config: DropPathConfig & BaseLayerOptions): NetcLayer {
  return new (elementwiseClasses().DropPath)(config);
}
// ---- end broadcasting merge, layer scale, drop path ----
// ---- channel layers: slice, shuffle, grouped convolution ----
import { defineChannelLayers, type ChannelShuffleConfig, type ChannelSliceConfig, type GroupConv2DConfig } from "./layers/channels.js";
export { CHANNEL_CLASS_NAMES } from "./layers/channels.js";
export type { ChannelSliceConfig, ChannelShuffleConfig, GroupConv2DConfig, ChannelLayerClasses } from "./layers/channels.js";

function channelClasses() {
  const tf = currentTf();
  if (!tf) throw new Error("netc: call `await loadTf()` before creating netc layers");
  return defineChannelLayers(tf);
}

/** Channels [start, end) (torch.chunk, x[:, start:end]). */
export function channelSlice(config: ChannelSliceConfig & BaseLayerOptions): NetcLayer {
  return new (channelClasses().ChannelSlice)(config);
}

/** PyTorch's channel_shuffle (ShuffleNet). */
export function channelShuffle(config: ChannelShuffleConfig & BaseLayerOptions): NetcLayer {
  return new (channelClasses().ChannelShuffle)(config);
}

/** Convolution with channel groups (ResNeXt, RegNet), kernel [kh, kw, C/groups, filters]. */
export function groupConv2d(config: GroupConv2DConfig & BaseLayerOptions): NetcLayer {
  return new (channelClasses().GroupConv2D)(config);
}
// ---- end channel layers ----

// ---- training, data, checkpoints (tfjs backend: generated train.ts) ----
export { initTable, toTfjsTensor, tfjsShape, type InitTensor, type InitRowOptions } from "./init-table.js";
export { convInit, convBnInit, depthwiseInit, depthwiseBnInit, denseInit, batchNormInit, normInit, scaleInit } from "./init-table.js";
export { train, accuracy, seedWeights, setInitialWeights, type TrainJob, type TrainResult, type EpochResult } from "./train.js";
export { parseTrainArgs, parseStrict as parseTrainArgsStrict, type TrainArgs, type TrainDefaults } from "./train-args.js";
export { loadDataset, shuffled, DatasetError, type Dataset, type Split, type LoadOptions } from "./data/index.js";
export {
  saveCheckpoint,
  loadCheckpointModel,
  loadCheckpointWeights,
  readCheckpointTensors,
  setModelWeights,
  getModelWeights,
  fileSaver,
  fileLoader,
  toTfjsWeights,
  fromTfjsWeights,
  featureOrder,
} from "./checkpoint.js";
// ---- end training, data, checkpoints ----
