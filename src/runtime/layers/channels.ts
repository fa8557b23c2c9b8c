// Layers that move channels or group them, which tf.layers has no class for:
// a channel slice (torch.chunk, x[:, a:b]), PyTorch's channel_shuffle, and a
// grouped convolution. NHWC, so channels are the last axis. Defined against the
// namespace loadTf() picked, like the layers in define.ts, and built from
// differentiable tfjs ops only (slice, reshape, transpose, conv2d, concat), whose
// gradients exist on every backend (wasm's convolution gradients: wasm-grads.ts).

import type * as TfNamespace from "@tensorflow/tfjs";
import type { BaseLayerOptions } from "./configs.js";

type Tf = typeof TfNamespace;
type Tensor = TfNamespace.Tensor;
type Tensor4D = TfNamespace.Tensor4D;
type Shape = Array<number | null>;
type LayerArgs = ConstructorParameters<typeof TfNamespace.layers.Layer>[0];
type Kwargs = Parameters<TfNamespace.layers.Layer["call"]>[1];
type ConfigDict = TfNamespace.serialization.ConfigDict;
type NetcLayer = TfNamespace.layers.Layer;

/** Channels [start, end) of the input (IR channel indices: NHWC keeps the IR's channel order). */
export interface ChannelSliceConfig {
  start: number;
  end: number;
}

/** PyTorch's channel_shuffle into `groups` groups. */
export interface ChannelShuffleConfig {
  groups: number;
}

/**
 * A convolution with `groups` channel groups. Its kernel is [kh, kw, C/groups,
 * filters]: the IR's canonical [O, C/groups, kh, kw] in conv2d's HWIO order, and
 * output channels [g*O/groups, (g+1)*O/groups) read input group g, as in PyTorch.
 */
export interface GroupConv2DConfig {
  filters: number;
  groups: number;
  kernelSize: [number, number];
  strides?: [number, number];
  dilationRate?: [number, number];
  /** [top, left, bottom, right]; default none. */
  pads?: [number, number, number, number];
  useBias?: boolean;
}

export const CHANNEL_CLASS_NAMES = {
  channelSlice: "NetcChannelSlice",
  channelShuffle: "NetcChannelShuffle",
  groupConv2d: "NetcGroupConv2D",
} as const;

export interface ChannelLayerClasses {
  ChannelSlice: new (config: ChannelSliceConfig & BaseLayerOptions) => NetcLayer;
  ChannelShuffle: new (config: ChannelShuffleConfig & BaseLayerOptions) => NetcLayer;
  GroupConv2D: new (config: GroupConv2DConfig & BaseLayerOptions) => NetcLayer;
}

const defined = new WeakMap<object, ChannelLayerClasses>();

function single(inputs: Tensor | Tensor[]): Tensor4D {
  return (Array.isArray(inputs) ? inputs[0]! : inputs) as Tensor4D;
}

function singleShape(s: Shape | Shape[]): Shape {
  return (Array.isArray(s[0]) ? s[0] : s) as Shape;
}

function baseArgs<T extends object>(config: T, ownKeys: string[]): LayerArgs {
  const rest: Record<string, unknown> = { ...(config as Record<string, unknown>) };
  for (const k of ownKeys) delete rest[k];
  return rest as LayerArgs;
}

const pair = (v: [number, number] | undefined): [number, number] => (v ? [v[0], v[1]] : [1, 1]);

/** Defines (once per namespace) and registers the channel layer classes. */
export function defineChannelLayers(tf: Tf): ChannelLayerClasses {
  const existing = defined.get(tf);
  if (existing) return existing;

  class ChannelSlice extends tf.layers.Layer {
    static className = CHANNEL_CLASS_NAMES.channelSlice;
    readonly start: number;
    readonly end: number;

    constructor(config: ChannelSliceConfig & BaseLayerOptions) {
      super(baseArgs(config, ["start", "end"]));
      if (!(config.start >= 0 && config.end > config.start)) throw new Error(`netc ChannelSlice: empty slice ${config.start}:${config.end}`);
      this.start = config.start;
      this.end = config.end;
    }

    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      const [n, h, w] = singleShape(inputShape);
      return [n ?? null, h ?? null, w ?? null, this.end - this.start];
    }

    override call(inputs: Tensor | Tensor[], _kwargs: Kwargs): Tensor {
      return tf.tidy(() => {
        const x = single(inputs);
        return tf.slice(x, [0, 0, 0, this.start], [-1, -1, -1, this.end - this.start]);
      });
    }

    override getConfig(): ConfigDict {
      return { ...super.getConfig(), start: this.start, end: this.end };
    }
  }

  class ChannelShuffle extends tf.layers.Layer {
    static className = CHANNEL_CLASS_NAMES.channelShuffle;
    readonly groups: number;

    constructor(config: ChannelShuffleConfig & BaseLayerOptions) {
      super(baseArgs(config, ["groups"]));
      this.groups = config.groups;
    }

    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      return singleShape(inputShape);
    }

    override call(inputs: Tensor | Tensor[], _kwargs: Kwargs): Tensor {
      return tf.tidy(() => {
        const x = single(inputs);
        const [n, h, w, c] = x.shape;
        const g = this.groups;
        // Channel i*(C/g) + j moves to j*g + i, as PyTorch's view/transpose/flatten does on axis 1.
        const grouped = tf.reshape(x, [n, h, w, g, c / g]);
        return tf.reshape(tf.transpose(grouped, [0, 1, 2, 4, 3]), [n, h, w, c]);
      });
    }

    override getConfig(): ConfigDict {
      return { ...super.getConfig(), groups: this.groups };
    }
  }

  class GroupConv2D extends tf.layers.Layer {
    static className = CHANNEL_CLASS_NAMES.groupConv2d;
    readonly filters: number;
    readonly groups: number;
    readonly kernelSize: [number, number];
    readonly strides: [number, number];
    readonly dilationRate: [number, number];
    readonly pads: [number, number, number, number];
    readonly useBias: boolean;
    private kernel: TfNamespace.LayerVariable | undefined;
    private bias: TfNamespace.LayerVariable | undefined;

    constructor(config: GroupConv2DConfig & BaseLayerOptions) {
      super(baseArgs(config, ["filters", "groups", "kernelSize", "strides", "dilationRate", "pads", "useBias"]));
      if (config.filters % config.groups !== 0) throw new Error(`netc GroupConv2D: ${config.groups} groups do not divide ${config.filters} filters`);
      this.filters = config.filters;
      this.groups = config.groups;
      this.kernelSize = pair(config.kernelSize);
      this.strides = pair(config.strides);
      this.dilationRate = pair(config.dilationRate);
      const p = config.pads ?? [0, 0, 0, 0];
      this.pads = [p[0], p[1], p[2], p[3]];
      this.useBias = config.useBias ?? true;
    }

    override build(inputShape: Shape | Shape[]): void {
      const c = singleShape(inputShape)[3];
      if (c == null || c % this.groups !== 0) throw new Error(`netc GroupConv2D: ${this.groups} groups do not divide ${String(c)} input channels`);
      const [kh, kw] = this.kernelSize;
      this.kernel = this.addWeight("kernel", [kh, kw, c / this.groups, this.filters], "float32", tf.initializers.heNormal({}));
      if (this.useBias) this.bias = this.addWeight("bias", [this.filters], "float32", tf.initializers.zeros());
      this.built = true;
    }

    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      const [n, h, w] = singleShape(inputShape);
      const out = (size: number | null | undefined, i: 0 | 1) => {
        if (size == null) return null;
        const k = this.dilationRate[i] * (this.kernelSize[i] - 1) + 1;
        return Math.floor((size + this.pads[i] + this.pads[i + 2]! - k) / this.strides[i]) + 1;
      };
      return [n ?? null, out(h, 0), out(w, 1), this.filters];
    }

    override call(inputs: Tensor | Tensor[], _kwargs: Kwargs): Tensor {
      return tf.tidy(() => {
        let x = single(inputs);
        const [t, l, b, r] = this.pads;
        if (t + l + b + r > 0) x = tf.pad(x, [[0, 0], [t, b], [l, r], [0, 0]]);
        const kernel = this.kernel!.read() as TfNamespace.Tensor4D;
        const g = this.groups;
        // One conv2d per group: tfjs has no grouped convolution kernel, and a
        // block-diagonal dense kernel would cost `groups` times the MACs.
        const xs: Tensor4D[] = g === 1 ? [x] : tf.split(x, g, 3);
        const ks: Tensor4D[] = g === 1 ? [kernel] : tf.split(kernel, g, 3);
        const ys = xs.map((xi, i) => tf.conv2d(xi, ks[i]!, this.strides, "valid", "NHWC", this.dilationRate));
        let y: Tensor = ys.length === 1 ? ys[0]! : tf.concat(ys, 3);
        if (this.bias) y = tf.add(y, this.bias.read());
        return y;
      });
    }

    override getConfig(): ConfigDict {
      return {
        ...super.getConfig(),
        filters: this.filters,
        groups: this.groups,
        kernelSize: this.kernelSize,
        strides: this.strides,
        dilationRate: this.dilationRate,
        pads: this.pads,
        useBias: this.useBias,
      };
    }
  }

  for (const cls of [ChannelSlice, ChannelShuffle, GroupConv2D]) tf.serialization.registerClass(cls);
  const classes: ChannelLayerClasses = { ChannelSlice, ChannelShuffle, GroupConv2D };
  defined.set(tf, classes);
  return classes;
}
