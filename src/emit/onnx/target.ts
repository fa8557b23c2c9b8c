// `--target onnx`: the ONNX backend behind the Backend interface.

import type { WeightSet } from "../../ir/weights.js";
import type { Backend } from "../backend.js";
import { diag } from "../../diagnostics/catalogue.js";

export const onnxTarget: Backend = {
  name: "onnx",
  description: "ONNX model (opset 17) for onnxruntime: -o FILE or --out DIR (weights over 2 GiB in FILE.data)",
  output: { kind: "file", extension: ".onnx" },
  options: [
    { flags: "--seed <n>", description: "seed for the initial weights", value: "integer", default: 0 },
    { flags: "--weights <checkpoint>", description: "weights: a PyTorch checkpoint (torch.save of a state_dict), safetensors, ONNX model or tfjs checkpoint folder", value: "checkpoint" },
    { flags: "--weights-map <json>", description: "name map for --weights: {\"netc path or prefix\": \"file name or prefix\"}; default: by name if all match, else state_dict order" },
    { flags: "--no-fold-bn", description: "keep BatchNormalization nodes instead of folding them into convolutions" },
    { flags: "--no-preprocess", description: "leave the spec's input preprocessing out: the input is fed to the first layer as is" },
    { flags: "--fixed-size", description: "fix the input's height and width to the spec's (default: symbolic where global pooling allows it)" },
    { flags: "--dynamic-size", description: "require symbolic input height and width: an error (NET5030) where a layer needs the spec's size" },
  ],
  // Every IR op has an ONNX lowering.
  check: async () => [],
  async compile({ graph, outPath, options }) {
    const input = graph.nodes[0]!;
    if (options.dynamicSize === true && options.fixedSize === true) {
      return { files: [], diagnostics: [diag("NET5040", input.source.file, input.source.span, {})] };
    }
    if (options.dynamicSize === true) {
      const { checkDynamicSize } = await import("./sizes.js");
      const c = checkDynamicSize(graph);
      if (!c.ok) return { files: [], diagnostics: [diag("NET5030", c.node.source.file, c.node.source.span, { layer: c.node.name, detail: c.detail })] };
    }
    const { onnxFiles } = await import("./index.js");
    const { files } = onnxFiles(graph, outPath, {
      seed: typeof options.seed === "number" ? options.seed : 0,
      weights: options.weights as WeightSet | undefined,
      foldBatchNorm: options.foldBn !== false,
      preprocess: options.preprocess !== false,
      // Symbolic height and width where the network allows them, as torchvision's exports.
      size: options.fixedSize === true ? "fixed" : options.dynamicSize === true ? "dynamic" : "auto",
    });
    return { files, diagnostics: [] };
  },
};
