// Runs a LayerPlan in-process: the same calls the generated model.ts makes, so
// `netc verify` and the tests check exactly what users get.

import type * as tfjs from "@tensorflow/tfjs";
import type { LayerPlan } from "./plan.js";

type Tf = typeof tfjs;
type Factory = (config: never) => tfjs.layers.Layer;

export interface BuiltModel {
  training: tfjs.LayersModel;
  inference: tfjs.LayersModel;
}

/**
 * `runtime` holds netc/runtime's layer factories by name (lrn, pool2d,
 * adaptiveAvgPool2d); pass the module namespace itself.
 */
export function buildFromPlan(tf: Tf, plan: LayerPlan, runtime: object): BuiltModel {
  const values = new Map<string, tfjs.SymbolicTensor>();
  values.set(plan.input.variable, tf.input({ shape: plan.input.shape, name: plan.input.name }));
  for (const layer of plan.layers) {
    const source = layer.from === "tf" ? (tf.layers as unknown as Record<string, Factory>) : (runtime as Record<string, Factory>);
    const factory = source[layer.fn];
    if (typeof factory !== "function") throw new Error(`netc: no layer factory '${layer.fn}' in ${layer.from === "tf" ? "tf.layers" : "netc/runtime"}`);
    const ins = layer.inputs.map((v) => values.get(v)!);
    const out = factory(layer.config as never).apply(ins.length === 1 ? ins[0]! : ins) as tfjs.SymbolicTensor;
    values.set(layer.output, out);
  }
  const input = values.get(plan.input.variable)!;
  const main = values.get(plan.output)!;
  const inference = tf.model({ name: plan.graph.name, inputs: input, outputs: main });
  if (plan.aux.length === 0) return { training: inference, inference };
  const outputs = [main, ...plan.aux.map((a) => values.get(a.variable)!)];
  const training = tf.model({ name: plan.graph.name + "_training", inputs: input, outputs });
  return { training, inference };
}
