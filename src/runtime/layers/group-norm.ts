// nn.GroupNorm as a tf.layers layer on NHWC tensors: tf.layers has LayerNormalization
// (which the plan uses for `layernorm`) but no GroupNorm. Defined against the tfjs
// namespace loadTf() picked, as define.ts does, and registered for save and load.
// Built from differentiable tfjs ops (moments, rsqrt), so gradients work on every
// backend, wasm included.

import type * as TfNamespace from "@tensorflow/tfjs";
import type { BaseLayerOptions } from "./configs.js";

type Tf = typeof TfNamespace;
type Tensor = TfNamespace.Tensor;
type Shape = Array<number | null>;
type LayerArgs = ConstructorParameters<typeof TfNamespace.layers.Layer>[0];
type Kwargs = Parameters<TfNamespace.layers.Layer["call"]>[1];
type ConfigDict = TfNamespace.serialization.ConfigDict;

/** nn.GroupNorm(groups, C, eps): biased variance over each group of C/groups channels and all pixels. */
export interface GroupNormConfig {
  groups: number;
  /** Default 1e-5 (PyTorch's). */
  epsilon?: number;
}

export const GROUP_NORM_CLASS = "NetcGroupNorm";

export type GroupNormClass = new (config: GroupNormConfig & BaseLayerOptions) => TfNamespace.layers.Layer;

const defined = new WeakMap<object, GroupNormClass>();

export function defineGroupNorm(tf: Tf): GroupNormClass {
  const existing = defined.get(tf);
  if (existing) return existing;

  class GroupNorm extends tf.layers.Layer {
    static className = GROUP_NORM_CLASS;
    readonly groups: number;
    readonly epsilon: number;
    private gamma: TfNamespace.LayerVariable | undefined;
    private beta: TfNamespace.LayerVariable | undefined;

    constructor(config: GroupNormConfig & BaseLayerOptions) {
      const { groups, epsilon, ...base } = config;
      super(base as LayerArgs);
      if (!Number.isInteger(groups) || groups < 1) throw new Error(`netc GroupNorm: groups must be a whole number >= 1, got ${String(groups)}`);
      this.groups = groups;
      this.epsilon = epsilon ?? 1e-5;
    }

    override build(inputShape: Shape | Shape[]): void {
      const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
      const c = shape[shape.length - 1];
      if (c == null || c % this.groups !== 0) throw new Error(`netc GroupNorm '${this.name}': ${String(c)} channels do not split into ${this.groups} groups`);
      // PyTorch's initial affine map is the identity.
      this.gamma = this.addWeight("gamma", [c], "float32", tf.initializers.ones());
      this.beta = this.addWeight("beta", [c], "float32", tf.initializers.zeros());
      this.built = true;
    }

    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    }

    override call(inputs: Tensor | Tensor[], _kwargs: Kwargs): Tensor {
      return tf.tidy(() => {
        const x = Array.isArray(inputs) ? inputs[0]! : inputs;
        const [n, h, w, c] = x.shape as [number, number, number, number];
        // NHWC: channel k is in group floor(k / (C/G)), so [N, H*W, G, C/G] holds each group in axes 1 and 3.
        const g = x.reshape([n, h * w, this.groups, c / this.groups]);
        const { mean, variance } = tf.moments(g, [1, 3], true);
        const normed = tf.mul(tf.sub(g, mean), tf.rsqrt(tf.add(variance, this.epsilon))).reshape([n, h, w, c]);
        return tf.add(tf.mul(normed, this.gamma!.read()), this.beta!.read());
      });
    }

    override getConfig(): ConfigDict {
      return { ...super.getConfig(), groups: this.groups, epsilon: this.epsilon };
    }
  }

  tf.serialization.registerClass(GroupNorm);
  defined.set(tf, GroupNorm);
  return GroupNorm;
}
