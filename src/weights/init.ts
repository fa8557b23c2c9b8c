// netc/weights: what a generated training program imports for `--init FILE`.
// It reads the four formats `netc compile --weights` reads (a PyTorch
// checkpoint, safetensors, an ONNX model's initializers, a netc tfjs checkpoint
// folder), matches them to the network's tensors the same way (state_dict
// order or all names, every shape checked, auxiliary heads optional), and
// returns tfjs-named tensors for the training model. The network's tensors come
// from the table the code generator wrote into model.ts (src/runtime/init-table.ts).

import { existsSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { readCheckpointTensors, type NamedTensor } from "../runtime/checkpoint.js";
import { tfjsShape, toTfjsTensor, type InitTensor } from "../runtime/init-table.js";
import { pairTensors } from "./map.js";
import { readWeightFile } from "./read-weights.js";
import { WeightsError } from "./tensor.js";

export { WeightsError } from "./tensor.js";
export type { InitTensor } from "../runtime/init-table.js";
export type { NamedTensor } from "../runtime/checkpoint.js";

/** The initial weights by tfjs weight name; an auxiliary head the file lacks is left out (it keeps its seeded values). */
export function readInitWeights(path: string, table: InitTensor[]): Map<string, NamedTensor> {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    throw new WeightsError(`${path}: cannot read the initial weights: ${(e as Error).message}`, (e as NodeJS.ErrnoException).code ?? "EIO");
  }
  const dir = st.isDirectory() ? path : basename(path) === "model.json" ? dirname(path) : undefined;
  if (dir !== undefined) {
    if (!existsSync(join(dir, "model.json")))
      throw new WeightsError(`${path}: a folder without model.json; --init reads a PyTorch checkpoint, a safetensors file, an ONNX model or a tfjs checkpoint folder`);
    return fromTfjs(dir, table);
  }
  const expected = table.map((t) => {
    const dot = t.path.lastIndexOf(".");
    return { ...t, node: t.path.slice(0, dot), torchName: t.path.slice(dot + 1), aux: t.aux };
  });
  const { pairs } = pairTensors(expected, path, readWeightFile(path).tensors);
  return new Map(pairs.map(({ spec, file }) => [spec.tfjs, toTfjsTensor(spec, file.data!)]));
}

/** A netc checkpoint holds the tfjs names themselves; training saves the inference model, without aux heads. */
function fromTfjs(dir: string, table: InitTensor[]): Map<string, NamedTensor> {
  let named: Map<string, NamedTensor>;
  try {
    named = readCheckpointTensors(dir);
  } catch (e) {
    throw new WeightsError(`${dir}: ${(e as Error).message.replace(/^netc: /, "")}`);
  }
  const out = new Map<string, NamedTensor>();
  const missingHeads = new Set(table.filter((t) => t.aux !== undefined && !named.has(t.tfjs)).map((t) => t.aux!));
  table.forEach((t, i) => {
    if (t.aux !== undefined && missingHeads.has(t.aux)) return;
    const w = named.get(t.tfjs);
    if (!w) throw new WeightsError(`${dir}: the checkpoint has no weight '${t.tfjs}' for ${t.path} (tensor ${i} of the spec); was it trained from this spec?`);
    const shape = tfjsShape(t);
    if (w.shape.join() !== shape.join())
      throw new WeightsError(`${dir}: tensor ${i}: the spec's ${t.path} expects '${t.tfjs}' of shape [${shape}], the checkpoint's has [${w.shape}]`);
    out.set(t.tfjs, w);
  });
  return out;
}
