// netc's custom tf.layers layers. They are defined against the tfjs namespace that
// loadTf() picked (tfjs-node or tfjs), never a statically imported one, so the classes
// extend the very Layer class the model is built with and are registered in that
// namespace's serialization registry (a saved model then loads again).
//
// All layers work on NHWC tensors, are built from differentiable tfjs ops, and allocate
// no state beyond small constant tensors created inside call() (disposed by tidy).

import type * as TfNamespace from "@tensorflow/tfjs";
import {
  CLASS_NAMES,
  type ActivationConfig,
  type AdaptiveAvgPool2DConfig,
  type BaseLayerOptions,
  type LrnConfig,
  type Pool2DConfig,
} from "./configs.js";
import { adaptiveUniformKernel, averagingMatrix, avgDivisors, lrnWindow, poolOut, tailPad } from "../../ir/geometry.js";

type Tf = typeof TfNamespace;
type Tensor = TfNamespace.Tensor;
type Tensor4D = TfNamespace.Tensor4D;
type Shape = Array<number | null>;
type LayerArgs = ConstructorParameters<typeof TfNamespace.layers.Layer>[0];
type Kwargs = Parameters<TfNamespace.layers.Layer["call"]>[1];
type ConfigDict = TfNamespace.serialization.ConfigDict;

/** A tf.layers Layer instance (what `.apply(x)` is called on). */
export type NetcLayer = TfNamespace.layers.Layer;

export interface NetcLayerClasses {
  LRN: new (config: LrnConfig & BaseLayerOptions) => NetcLayer;
  Pool2D: new (config: Pool2DConfig & BaseLayerOptions) => NetcLayer;
  AdaptiveAvgPool2D: new (config: AdaptiveAvgPool2DConfig & BaseLayerOptions) => NetcLayer;
  Activation: new (config: ActivationConfig & BaseLayerOptions) => NetcLayer;
}

const defined = new WeakMap<object, NetcLayerClasses>();

function single(inputs: Tensor | Tensor[]): Tensor4D {
  return (Array.isArray(inputs) ? inputs[0]! : inputs) as Tensor4D;
}

function singleShape(s: Shape | Shape[]): Shape {
  return (Array.isArray(s[0]) ? s[0] : s) as Shape;
}

/** The base-layer part of a config (name, trainable, dtype...), so subclasses forward it to super. */
function baseArgs<T extends object>(config: T, ownKeys: string[]): LayerArgs {
  const rest: Record<string, unknown> = { ...(config as Record<string, unknown>) };
  for (const k of ownKeys) delete rest[k];
  return rest as LayerArgs;
}

/** Defines (once per namespace) and registers the custom layer classes. */
export function defineLayers(tf: Tf): NetcLayerClasses {
  const existing = defined.get(tf);
  if (existing) return existing;

  class LRN extends tf.layers.Layer {
    static className = CLASS_NAMES.lrn;
    readonly size: number;
    readonly alpha: number;
    readonly beta: number;
    readonly bias: number;

    constructor(config: LrnConfig & BaseLayerOptions) {
      super(baseArgs(config, ["size", "alpha", "beta", "bias"]));
      this.size = config.size;
      this.alpha = config.alpha;
      this.beta = config.beta;
      this.bias = config.bias;
    }

    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      return singleShape(inputShape);
    }

    override call(inputs: Tensor | Tensor[], _kwargs: Kwargs): Tensor {
      return tf.tidy(() => {
        const x = single(inputs);
        const { size, alpha, beta, bias } = this;
        if (size % 2 === 1) {
          // tf's LRN sums a symmetric window of radius (size-1)/2 and scales by alpha
          // itself: alpha_tf = alpha/size gives exactly the Caffe/PyTorch formula.
          return tf.localResponseNormalization(x, (size - 1) / 2, bias, alpha / size, beta);
        }
        // Even size: PyTorch's window is asymmetric (size/2 channels before, size/2-1
        // after), which tf's LRN cannot express. Sum the squares with a 0/1 band matrix.
        const c = x.shape[3];
        const band = new Float32Array(c * c);
        const [before, after] = lrnWindow(size);
        for (let out = 0; out < c; out++) {
          for (let src = Math.max(0, out - before); src <= Math.min(c - 1, out + after); src++) band[src * c + out] = 1;
        }
        const sq = tf.square(x).reshape([-1, c]);
        const sums = tf.matMul(sq, tf.tensor2d(band, [c, c])).reshape(x.shape);
        return tf.div(x, tf.pow(tf.add(tf.mul(sums, alpha / size), bias), beta));
      });
    }

    override getConfig(): ConfigDict {
      return { ...super.getConfig(), size: this.size, alpha: this.alpha, beta: this.beta, bias: this.bias };
    }
  }

  class Pool2D extends tf.layers.Layer {
    static className = CLASS_NAMES.pool2d;
    readonly kind: "max" | "avg";
    readonly kernel: [number, number];
    readonly stride: [number, number];
    readonly pads: [number, number, number, number];
    readonly ceil: boolean;
    readonly countIncludePad: boolean;

    constructor(config: Pool2DConfig & BaseLayerOptions) {
      super(baseArgs(config, ["kind", "kernel", "stride", "pads", "ceil", "countIncludePad"]));
      if (config.kind !== "max" && config.kind !== "avg") throw new Error(`netc Pool2D: unknown kind ${String(config.kind)}`);
      this.kind = config.kind;
      this.kernel = [config.kernel[0], config.kernel[1]];
      this.stride = [config.stride[0], config.stride[1]];
      const p = config.pads ?? [0, 0, 0, 0];
      this.pads = [p[0], p[1], p[2], p[3]];
      this.ceil = config.ceil ?? false;
      this.countIncludePad = config.countIncludePad ?? true;
    }

    private outSize(h: number, w: number): [number, number] {
      const [kh, kw] = this.kernel;
      const [sh, sw] = this.stride;
      const [pt, pl, pb, pr] = this.pads;
      return [poolOut(h, kh, sh, pt, pb, this.ceil), poolOut(w, kw, sw, pl, pr, this.ceil)];
    }

    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      const [n, h, w, c] = singleShape(inputShape);
      const [oh, ow] = h == null || w == null ? [null, null] : this.outSize(h, w);
      return [n ?? null, h == null ? null : oh, w == null ? null : ow, c ?? null];
    }

    override call(inputs: Tensor | Tensor[], _kwargs: Kwargs): Tensor {
      return tf.tidy(() => {
        let x = single(inputs);
        const [, h, w] = x.shape;
        const [kh, kw] = this.kernel;
        const [sh, sw] = this.stride;
        const [pt, pl, pb, pr] = this.pads;
        const [oh, ow] = this.outSize(h, w);
        // Pad (or crop) so a 'valid' pool yields exactly oh x ow windows: the top/left
        // padding as given, the bottom/right as far as the last window reaches
        // (including a ceil-mode overhang past the padded border).
        const tailH = tailPad(h, kh, sh, pt, oh);
        const tailW = tailPad(w, kw, sw, pl, ow);
        if (tailH < 0 || tailW < 0) {
          x = x.slice([0, 0, 0, 0], [-1, h + Math.min(0, tailH), w + Math.min(0, tailW), -1]);
        }
        const padH: [number, number] = [pt, Math.max(0, tailH)];
        const padW: [number, number] = [pl, Math.max(0, tailW)];
        const needsPad = padH[0] + padH[1] + padW[0] + padW[1] > 0;
        if (this.kind === "max") {
          // -Infinity, never zeros: a zero could win the max over negative activations.
          if (needsPad) x = tf.pad(x, [[0, 0], padH, padW, [0, 0]], -Infinity);
          return tf.maxPool(x, [kh, kw], [sh, sw], "valid");
        }
        if (needsPad) x = tf.pad(x, [[0, 0], padH, padW, [0, 0]]);
        const mean = tf.avgPool(x, [kh, kw], [sh, sw], "valid");
        // avgPool divided every window by kh*kw; rescale to PyTorch's divisor.
        const dh = avgDivisors(h, kh, sh, pt, pb, oh, this.countIncludePad);
        const dw = avgDivisors(w, kw, sw, pl, pr, ow, this.countIncludePad);
        if (dh.every((v) => v === kh) && dw.every((v) => v === kw)) return mean;
        const scale = new Float32Array(oh * ow);
        for (let i = 0; i < oh; i++) {
          for (let j = 0; j < ow; j++) {
            const div = dh[i]! * dw[j]!;
            scale[i * ow + j] = div > 0 ? (kh * kw) / div : 0;
          }
        }
        return tf.mul(mean, tf.tensor4d(scale, [1, oh, ow, 1]));
      });
    }

    override getConfig(): ConfigDict {
      return {
        ...super.getConfig(),
        kind: this.kind,
        kernel: this.kernel,
        stride: this.stride,
        pads: this.pads,
        ceil: this.ceil,
        countIncludePad: this.countIncludePad,
      };
    }
  }

  class AdaptiveAvgPool2D extends tf.layers.Layer {
    static className = CLASS_NAMES.adaptiveAvgPool2d;
    readonly out: [number, number];

    constructor(config: AdaptiveAvgPool2DConfig & BaseLayerOptions) {
      super(baseArgs(config, ["out"]));
      this.out = [config.out[0], config.out[1]];
    }

    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      const [n, , , c] = singleShape(inputShape);
      return [n ?? null, this.out[0], this.out[1], c ?? null];
    }

    override call(inputs: Tensor | Tensor[], _kwargs: Kwargs): Tensor {
      return tf.tidy(() => {
        const x = single(inputs);
        const [n, h, w, c] = x.shape;
        const [oh, ow] = this.out;
        if (oh === 1 && ow === 1) return tf.mean(x, [1, 2], true);
        const kh = adaptiveUniformKernel(h, oh);
        const kw = adaptiveUniformKernel(w, ow);
        if (kh !== undefined && kw !== undefined) {
          // Equal, non-overlapping windows: a plain average pool is exact.
          return tf.avgPool(x, [kh, kw], [kh, kw], "valid");
        }
        // Uneven windows: average rows then columns with two (constant) averaging
        // matrices; exact, differentiable, and two matmuls instead of oh*ow slices.
        const byRows = tf.tensor3d(averagingMatrix(h, oh, false), [1, oh, h]);
        const byCols = tf.tensor3d(averagingMatrix(w, ow, false), [1, ow, w]);
        const rows = tf.matMul(byRows, x.reshape([n, h, w * c])); // [n, oh, w*c]
        const cols = tf.matMul(byCols, rows.reshape([n * oh, w, c])); // [n*oh, ow, c]
        return cols.reshape([n, oh, ow, c]);
      });
    }

    override getConfig(): ConfigDict {
      return { ...super.getConfig(), out: this.out };
    }
  }

  class Activation extends tf.layers.Layer {
    static className = CLASS_NAMES.activation;
    readonly fn: ActivationConfig["fn"];
    readonly alpha: number;

    constructor(config: ActivationConfig & BaseLayerOptions) {
      super(baseArgs(config, ["fn", "alpha"]));
      if (!["hardswish", "hardsigmoid", "elu"].includes(config.fn)) throw new Error(`netc Activation: unknown fn ${String(config.fn)}`);
      this.fn = config.fn;
      this.alpha = config.alpha ?? 1;
    }

    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      return singleShape(inputShape);
    }

    override call(inputs: Tensor | Tensor[], _kwargs: Kwargs): Tensor {
      return tf.tidy(() => activationFn(tf, this.fn, this.alpha)(single(inputs)));
    }

    override getConfig(): ConfigDict {
      return { ...super.getConfig(), fn: this.fn, ...(this.fn === "elu" ? { alpha: this.alpha } : {}) };
    }
  }

  for (const cls of [LRN, Pool2D, AdaptiveAvgPool2D, Activation]) tf.serialization.registerClass(cls);
  const classes: NetcLayerClasses = { LRN, Pool2D, AdaptiveAvgPool2D, Activation };
  defined.set(tf, classes);
  return classes;
}

/**
 * PyTorch's forward and its own backward formulas (the subgradients it picks at the
 * kinks, x = -3 and x = 3, which autodiff of the forward would not reproduce).
 */
function activationFn(tf: Tf, fn: ActivationConfig["fn"], alpha: number): (x: Tensor) => Tensor {
  const withGrad = (forward: (x: Tensor) => Tensor, slope: (x: Tensor) => Tensor) =>
    tf.customGrad((x, save) => {
      (save as TfNamespace.GradSaveFunc)([x as Tensor]);
      return { value: forward(x as Tensor), gradFunc: (dy, saved) => tf.mul(dy as Tensor, slope(saved[0]!)) };
    }) as (x: Tensor) => Tensor;
  const relu6Plus3 = (x: Tensor) => tf.relu6(tf.add(x, 3));
  switch (fn) {
    case "hardswish":
      return withGrad(
        (x) => tf.div(tf.mul(x, relu6Plus3(x)), 6),
        (x) => tf.where(tf.less(x, -3), tf.zerosLike(x), tf.where(tf.lessEqual(x, 3), tf.add(tf.div(x, 3), 0.5), tf.onesLike(x))),
      );
    case "hardsigmoid":
      return withGrad(
        (x) => tf.div(relu6Plus3(x), 6),
        (x) => tf.where(tf.logicalAnd(tf.greater(x, -3), tf.less(x, 3)), tf.fill(x.shape, 1 / 6), tf.zerosLike(x)),
      );
    case "elu":
      return withGrad(
        (x) => tf.where(tf.greater(x, 0), x, tf.mul(tf.expm1(x), alpha)),
        (x) => tf.where(tf.greater(x, 0), tf.onesLike(x), tf.mul(tf.exp(x), alpha)),
      );
  }
}
