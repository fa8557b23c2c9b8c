// `--target pytorch`: a PyTorch nn.Module (`model.py`) whose state_dict keys are
// netc's tensor paths (`netc weights SPEC`, dots for slashes) in the same order,
// and its training program (`train.py`, src/emit/pytorch/train-code.ts).

import { join } from "node:path";
import type { Backend } from "../backend.js";

export const pytorchTarget: Backend = {
  name: "pytorch",
  description: "PyTorch nn.Module model.py and train.py (DistributedDataParallel-ready) in --out DIR (state_dict as `netc weights` lists it)",
  output: { kind: "dir" },
  options: [],
  async check(graph) {
    const { planPytorch } = await import("./model-code.js");
    return planPytorch(graph).diagnostics;
  },
  async compile({ graph, specPath, outPath, netcVersion }) {
    const { pytorchModel } = await import("./model-code.js");
    const { pytorchTrain } = await import("./train-code.js");
    const r = pytorchModel(graph, { specPath, netcVersion });
    if (r.diagnostics.length > 0) return { files: [], diagnostics: r.diagnostics };
    return {
      files: [
        { path: join(outPath, "model.py"), data: r.code },
        { path: join(outPath, "train.py"), data: pytorchTrain(graph, { specPath, netcVersion }) },
      ],
      diagnostics: [],
    };
  },
};
