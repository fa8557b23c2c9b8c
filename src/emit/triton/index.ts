// IR graph -> a Triton model repository: `REPO/<name>/config.pbtxt` and
// `REPO/<name>/1/model.onnx` (plus `model.onnx.data` when the weights need it),
// all written together by the caller. The model is the ONNX backend's, with the
// spec's preprocessing as its first nodes, and with symbolic height and width
// wherever the network takes any size (src/emit/onnx/sizes.ts decides); the
// config's names and dims are the IR's, in Triton's convention: with
// max_batch_size > 0 the batch dimension is left out of dims, -1 marks a size
// the model takes at any value.

import { join } from "node:path";
import { diag } from "../../diagnostics/catalogue.js";
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import type { IrGraph } from "../../ir/graph.js";
import type { WeightSet } from "../../ir/weights.js";
import type { OutputFile } from "../../util/atomic-write.js";
import { version } from "../../util/version.js";
import { onnxFiles, OUTPUT_NAME } from "../onnx/index.js";
import { checkDynamicSize } from "../onnx/sizes.js";
import { onnxString } from "../onnx/strings.js";
import { printConfig, type InstanceKind, type TritonConfig } from "./pbtxt.js";
import { DEFAULT_MAX_BATCH_SIZE } from "./target.js";

export { printConfig, pbtxtString, type TritonConfig } from "./pbtxt.js";

/** Protobuf int32: max_batch_size and an instance group's count. */
const INT32_MAX = 2 ** 31 - 1;
/** A model's folder in the repository: no separators, not hidden, not `.`/`..`. */
const MODEL_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const KINDS: Record<string, InstanceKind> = { auto: "KIND_AUTO", cpu: "KIND_CPU", gpu: "KIND_GPU" };

/** The network's name as a model folder name (characters outside MODEL_NAME become `_`). */
export function defaultModelName(graph: IrGraph): string {
  const s = graph.name.replace(/[^A-Za-z0-9_.-]/g, "_").slice(0, 128);
  return s === "" ? "model" : /^[A-Za-z0-9_]/.test(s) ? s : `_${s.slice(0, 127)}`;
}

/** The config for `graph` under the command line's options, or what is wrong with them (NET5050). */
export function tritonConfig(graph: IrGraph, options: Record<string, unknown>): { config?: TritonConfig; dynamicSize: boolean; diagnostics: Diagnostic[] } {
  const at = graph.nodes[0]!.source;
  const diagnostics: Diagnostic[] = [];
  const bad = (option: string, expected: string, found: string) => diagnostics.push(diag("NET5050", at.file, at.span, { option, expected, found }));

  const name = typeof options.modelName === "string" ? options.modelName : defaultModelName(graph);
  if (!MODEL_NAME.test(name) || name.includes("..")) bad("--model-name", "a folder name of letters, digits, '_', '-' and '.' (not starting with '.', at most 128)", JSON.stringify(name));
  const maxBatchSize = typeof options.maxBatchSize === "number" ? options.maxBatchSize : DEFAULT_MAX_BATCH_SIZE;
  if (maxBatchSize > INT32_MAX) bad("--max-batch-size", `at most ${INT32_MAX}`, String(maxBatchSize));
  const count = typeof options.instances === "number" ? options.instances : 1;
  if (count < 1 || count > INT32_MAX) bad("--instances", `a count from 1 to ${INT32_MAX}`, String(count));
  const kind = KINDS[typeof options.kind === "string" ? options.kind : "auto"];
  if (!kind) bad("--kind", "auto, cpu or gpu", String(options.kind));

  // --preferred-batch-size and --max-queue-delay-us imply --dynamic-batching.
  let dynamicBatching: TritonConfig["dynamicBatching"];
  const preferred = typeof options.preferredBatchSize === "string" ? options.preferredBatchSize : undefined;
  const delay = typeof options.maxQueueDelayUs === "number" ? options.maxQueueDelayUs : undefined;
  if (options.dynamicBatching === true || preferred !== undefined || delay !== undefined) {
    if (maxBatchSize === 0) bad("--dynamic-batching", "--max-batch-size of 1 or more (Triton batches only models that take a batch)", "--max-batch-size 0");
    const sizes = (preferred ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "");
    const preferredBatchSize: number[] = [];
    for (const s of sizes) {
      const n = /^\d+$/.test(s) ? Number(s) : NaN;
      if (!(n >= 1 && n <= maxBatchSize)) bad("--preferred-batch-size", `batch sizes from 1 to --max-batch-size (${maxBatchSize}), comma-separated`, JSON.stringify(s));
      else preferredBatchSize.push(n);
    }
    if (preferred !== undefined && sizes.length === 0) bad("--preferred-batch-size", "one or more batch sizes, comma-separated", JSON.stringify(preferred));
    dynamicBatching = delay === undefined ? { preferredBatchSize } : { preferredBatchSize, maxQueueDelayMicroseconds: delay };
  }

  // Symbolic height and width where the network takes any size.
  const sizes = options.fixedSize === true || graph.inputShape.length !== 3 ? undefined : checkDynamicSize(graph);
  const dynamicSize = sizes?.ok === true;
  const anySize = (shape: readonly number[], dependent: boolean): number[] => (dynamicSize && dependent && shape.length === 3 ? [shape[0]!, -1, -1] : [...shape]);
  const batch = (d: number[]): number[] => (maxBatchSize > 0 ? d : [-1, ...d]);
  if (diagnostics.length > 0) return { dynamicSize, diagnostics };
  const outNode = graph.nodes[graph.output]!;
  const config: TritonConfig = {
    name,
    maxBatchSize,
    input: { name: onnxString(graph.inputName), dims: batch(anySize(graph.inputShape, true)) },
    output: { name: OUTPUT_NAME, dims: batch(anySize(outNode.shape, sizes?.ok === true && sizes.dependent[outNode.id] === true)) },
    instanceGroup: { count, kind: kind! },
    ...(dynamicBatching ? { dynamicBatching } : {}),
  };
  return { config, dynamicSize, diagnostics };
}

export function tritonFiles(graph: IrGraph, repoPath: string, options: Record<string, unknown>): { files: OutputFile[]; diagnostics: Diagnostic[] } {
  const { config, dynamicSize, diagnostics } = tritonConfig(graph, options);
  if (!config) return { files: [], diagnostics };
  const dir = join(repoPath, config.name);
  const { files } = onnxFiles(graph, join(dir, "1", "model.onnx"), {
    seed: typeof options.seed === "number" ? options.seed : 0,
    weights: options.weights as WeightSet | undefined,
    foldBatchNorm: options.foldBn !== false,
    preprocess: true,
    size: dynamicSize ? "dynamic" : "fixed",
  });
  const header = [
    `Triton model configuration written by netc ${version}.`,
    `The model is 1/model.onnx (ONNX opset 17, the spec's input preprocessing inside; ${dynamicSize ? "any input height and width" : "the spec's input size"}).`,
    "Serve with: tritonserver --model-repository=<the folder above this one>",
  ].join("\n");
  return { files: [{ path: join(dir, "config.pbtxt"), data: printConfig(config, header) }, ...files], diagnostics };
}
