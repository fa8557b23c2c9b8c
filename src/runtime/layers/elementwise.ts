// netc's broadcasting merge, learned per-channel scale and drop path, as tf.layers
// layers (NHWC). tf.layers.add and multiply insist on equal shapes, and tf.layers
// has neither a layer scale nor stochastic depth. Like define.ts, the classes are
// defined against the namespace loadTf() picked and registered in it.

import type * as TfNamespace from "@tensorflow/tfjs";
import { CLASS_NAMES, type BaseLayerOptions } from "./configs.js";

type Tf = typeof TfNamespace;
type Tensor = TfNamespace.Tensor;
type Shape = Array<number | null>;
type LayerArgs = ConstructorParameters<typeof TfNamespace.layers.Layer>[0];
type Kwargs = Parameters<TfNamespace.layers.Layer["call"]>[1];
type ConfigDict = TfNamespace.serialization.ConfigDict;
type NetcLayer = TfNamespace.layers.Layer;

/** Sum or product of the inputs, NumPy broadcasting (equal ranks, each dim equal or 1). */
export interface BroadcastConfig {
  op: "add" | "mul";
}
/** y = x * scale, one learned value per channel (the last axis), initialised to `init`. */
export interface ChannelScaleConfig {
  init: number;
}
/** torchvision StochasticDepth(rate, "row"): identity unless training. */
export interface DropPathConfig {
  rate: number;
}

export interface ElementwiseLayerClasses {
  Broadcast: new (config: BroadcastConfig & BaseLayerOptions) => NetcLayer;
  ChannelScale: new (config: ChannelScaleConfig & BaseLayerOptions) => NetcLayer;
  DropPath: new (config: DropPathConfig & BaseLayerOptions) => NetcLayer;
}

const defined = new WeakMap<object, ElementwiseLayerClasses>();

function list(inputs: Tensor | Tensor[]): Tensor[] {
  return Array.isArray(inputs) ? inputs : [inputs];
}

function one(s: Shape | Shape[]): Shape {
  return (Array.isArray(s[0]) ? s[0] : s) as Shape;
}

function baseArgs<T extends object>(config: T, ownKeys: string[]): LayerArgs {
  const rest: Record<string, unknown> = { ...(config as Record<string, unknown>) };
  for (const k of ownKeys) delete rest[k];
  return rest as LayerArgs;
}

export function defineElementwiseLayers(tf: Tf): ElementwiseLayerClasses {
  const existing = defined.get(tf);
  if (existing) return existing;

  class Broadcast extends tf.layers.Layer {
    static className = CLASS_NAMES.broadcast;
    readonly op: "add" | "mul";

    constructor(config: BroadcastConfig & BaseLayerOptions) {
      super(baseArgs(config, ["op"]));
      this.op = config.op;
    }

    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      const shapes = (Array.isArray(inputShape[0]) ? inputShape : [inputShape]) as Shape[];
      return shapes[0]!.map((_, d) => {
        const sizes = shapes.map((s) => s[d]);
        if (sizes.some((n) => n === null)) return null;
        return Math.max(...(sizes as number[]));
      });
    }

    override call(inputs: Tensor | Tensor[], _kwargs: Kwargs): Tensor {
      return tf.tidy(() => {
        const xs = list(inputs);
        // tf.add and tf.mul broadcast, and their gradients sum over the broadcast axes.
        return xs.slice(1).reduce((acc, x) => (this.op === "add" ? tf.add(acc, x) : tf.mul(acc, x)), xs[0]!);
      });
    }

    override getConfig(): ConfigDict {
      return { ...super.getConfig(), op: this.op };
    }
  }

  class ChannelScale extends tf.layers.Layer {
    static className = CLASS_NAMES.channelScale;
    readonly init: number;
    private scale: TfNamespace.LayerVariable | undefined;

    constructor(config: ChannelScaleConfig & BaseLayerOptions) {
      super(baseArgs(config, ["init"]));
      this.init = config.init;
    }

    override build(inputShape: Shape | Shape[]): void {
      const s = one(inputShape);
      const c = s[s.length - 1]!;
      this.scale = this.addWeight("scale", [c], "float32", tf.initializers.constant({ value: this.init }));
      this.built = true;
    }

    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      return one(inputShape);
    }

    override call(inputs: Tensor | Tensor[], _kwargs: Kwargs): Tensor {
      return tf.tidy(() => tf.mul(list(inputs)[0]!, this.scale!.read()));
    }

    override getConfig(): ConfigDict {
      return { ...super.getConfig(), init: this.init };
    }
  }

  class DropPath extends tf.layers.Layer {
    static className = CLASS_NAMES.dropPath;
    readonly rate: number;

    constructor(config: DropPathConfig & BaseLayerOptions) {
      super(baseArgs(config, ["rate"]));
      this.rate = config.rate;
    }

    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      return one(inputShape);
    }

    override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor {
      return tf.tidy(() => {
        const x = list(inputs)[0]!;
        if (kwargs?.training !== true || this.rate === 0) return tf.clone(x);
        const keep = 1 - this.rate;
        // One draw per sample (mode "row"); unseeded, so it draws through Math.random,
        // which training replaces with a seeded stream (as for dropout).
        const rowShape = [x.shape[0]!, ...x.shape.slice(1).map(() => 1)];
        const mask = tf.div(tf.cast(tf.less(tf.randomUniform(rowShape), keep), "float32"), keep);
        return tf.mul(x, mask);
      });
    }

    override getConfig(): ConfigDict {
      return { ...super.getConfig(), rate: this.rate };
    }
  }

  for (const cls of [Broadcast, ChannelScale, DropPath]) tf.serialization.registerClass(cls);
  const classes: ElementwiseLayerClasses = { Broadcast, ChannelScale, DropPath };
  defined.set(tf, classes);
  return classes;
}
