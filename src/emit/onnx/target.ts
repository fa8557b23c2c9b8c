// `--target onnx`: the ONNX backend behind the Backend interface.

import type { WeightSet } from "../../ir/weights.js";
import type { Backend } from "../backend.js";

export const onnxTarget: Backend = {
  name: "onnx",
  description: "ONNX model (opset 17) for onnxruntime: -o FILE or --out DIR (weights over 2 GiB in FILE.data)",
  output: { kind: "file", extension: ".onnx" },
  options: [
    { flags: "--seed <n>", description: "seed for the initial weights", value: "integer", default: 0 },
    { flags: "--weights <checkpoint>", description: "tfjs checkpoint directory to take the weights from", value: "checkpoint" },
    { flags: "--no-fold-bn", description: "keep BatchNormalization nodes instead of folding them into convolutions" },
    { flags: "--no-preprocess", description: "leave the spec's input preprocessing out: the input is fed to the first layer as is" },
  ],
  // Every IR op has an ONNX lowering.
  check: async () => [],
  async compile({ graph, outPath, options }) {
    const { onnxFiles } = await import("./index.js");
    const { files } = onnxFiles(graph, outPath, {
      seed: typeof options.seed === "number" ? options.seed : 0,
      weights: options.weights as WeightSet | undefined,
      foldBatchNorm: options.foldBn !== false,
      preprocess: options.preprocess !== false,
    });
    return { files, diagnostics: [] };
  },
};
