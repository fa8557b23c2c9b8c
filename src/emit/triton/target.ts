// `--target triton`: a Triton Inference Server model repository,
// `REPO/<name>/config.pbtxt` and `REPO/<name>/1/model.onnx` (the ONNX
// backend's model, preprocessing inside the graph), for the onnxruntime backend.
// The ONNX options are the ONNX target's own (one flag each on the CLI).

import type { Backend, BackendOption } from "../backend.js";
import { onnxTarget } from "../onnx/target.js";

/** The ONNX target's options this target takes as they are. */
const SHARED = new Set(["--seed", "--weights", "--weights-map", "--no-fold-bn"]);
const shared: BackendOption[] = onnxTarget.options.filter((o) => SHARED.has(o.flags.split(" ")[0]!));

export const DEFAULT_MAX_BATCH_SIZE = 8;

export const tritonTarget: Backend = {
  name: "triton",
  description: "Triton Inference Server model repository in --out REPO: REPO/<name>/config.pbtxt and REPO/<name>/1/model.onnx (onnxruntime)",
  output: { kind: "dir" },
  options: [
    ...shared,
    { flags: "--model-name <name>", description: "the model's name and folder in the repository (default: the network's name)" },
    { flags: "--max-batch-size <n>", description: "largest batch Triton forms; 0: no batching, the dims include the batch", value: "integer", default: DEFAULT_MAX_BATCH_SIZE },
    { flags: "--dynamic-batching", description: "let Triton combine requests into batches (dynamic_batching)" },
    { flags: "--preferred-batch-size <sizes>", description: "with --dynamic-batching: the batch sizes to aim for, comma-separated (e.g. 4,8)" },
    { flags: "--max-queue-delay-us <n>", description: "with --dynamic-batching: microseconds a request may wait for a batch to fill", value: "integer" },
    { flags: "--instances <n>", description: "model instances (per GPU with --kind gpu)", value: "integer", default: 1 },
    { flags: "--kind <kind>", description: "where the instances run (instance_group kind; auto: GPU if there is one)", choices: ["auto", "cpu", "gpu"], default: "auto" },
    { flags: "--fixed-size", description: "keep the spec's height and width in the model and dims even where the network takes any" },
  ],
  // Every IR op has an ONNX lowering.
  check: async () => [],
  async compile({ graph, outPath, options }) {
    const { tritonFiles } = await import("./index.js");
    return tritonFiles(graph, outPath, options);
  },
};
