// `--target onnx`: the ONNX backend behind the Backend interface.

import { basename, dirname, join, resolve } from "node:path";
import type { Backend } from "../backend.js";

export const onnxTarget: Backend = {
  name: "onnx",
  description: "ONNX model (opset 17) for onnxruntime: -o FILE or --out DIR (weights over 2 GiB in FILE.data)",
  output: { kind: "file", extension: ".onnx" },
  options: [
    { flags: "--seed <n>", description: "seed for the initial weights", integer: true, default: 0 },
    { flags: "--weights <checkpoint>", description: "tfjs checkpoint directory to take the weights from" },
    { flags: "--no-fold-bn", description: "keep BatchNormalization nodes instead of folding them into convolutions" },
  ],
  // Every IR op has an ONNX lowering.
  check: async () => [],
  async compile({ graph, texts, outPath, options }) {
    const { emitOnnx } = await import("./emit.js");
    let weights;
    if (typeof options.weights === "string") {
      const { loadCheckpointWeights } = await import("../../runtime/checkpoint.js");
      weights = await loadCheckpointWeights(resolve(options.weights), graph);
    }
    const dataFileName = `${basename(outPath)}.data`;
    const out = emitOnnx(graph, {
      seed: typeof options.seed === "number" ? options.seed : 0,
      weights,
      foldBatchNorm: options.foldBn !== false,
      sourceText: texts,
      dataFileName,
    });
    const files = [{ path: outPath, data: out.model }];
    if (out.externalData) files.push({ path: join(dirname(outPath), dataFileName), data: out.externalData });
    return { files, diagnostics: [] };
  },
};
