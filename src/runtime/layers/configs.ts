// Configurations of netc's custom tf.layers layers, in the IR's conventions (see
// src/ir/graph.ts) but for NHWC data. These are also the keys written into a saved
// model's topology (tfjs stores them snake_cased and converts back on load).

/** Caffe/PyTorch LRN: y = x / (bias + alpha/size * sum_window x^2)^beta. */
export interface LrnConfig {
  size: number;
  alpha: number;
  beta: number;
  bias: number;
}

export interface Pool2DConfig {
  kind: "max" | "avg";
  /** [kh, kw] */
  kernel: [number, number];
  /** [sh, sw] */
  stride: [number, number];
  /** [top, left, bottom, right]; default no padding. */
  pads?: [number, number, number, number];
  /** PyTorch ceil_mode; default false. */
  ceil?: boolean;
  /** avg only: PyTorch count_include_pad; default true. */
  countIncludePad?: boolean;
}

export interface AdaptiveAvgPool2DConfig {
  /** [oh, ow] */
  out: [number, number];
}

/**
 * PyTorch activations tf.layers has no exact form of: Hardswish and Hardsigmoid
 * (tf's hardSigmoid is Keras' 0.2x + 0.5), ELU with alpha other than 1.
 */
export interface ActivationConfig {
  fn: "hardswish" | "hardsigmoid" | "elu";
  /** elu only; default 1. */
  alpha?: number;
}

/** Options every tf.layers layer accepts (layer name above all: the IR path name). */
export interface BaseLayerOptions {
  name?: string;
  trainable?: boolean;
  dtype?: "float32";
}

/** Class names as written in a saved model's topology. */
export const CLASS_NAMES = {
  lrn: "NetcLRN",
  pool2d: "NetcPool2D",
  adaptiveAvgPool2d: "NetcAdaptiveAvgPool2D",
  broadcast: "NetcBroadcast",
  channelScale: "NetcChannelScale",
  dropPath: "NetcDropPath",
  activation: "NetcActivation",
} as const;
