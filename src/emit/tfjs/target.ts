// `--target tfjs`: the TensorFlow.js backend behind the Backend interface.

import { join } from "node:path";
import type { Backend } from "../backend.js";

export const tfjsTarget: Backend = {
  name: "tfjs",
  description: "TensorFlow.js model.ts and train.ts (tf.layers) in --out DIR",
  output: { kind: "dir" },
  options: [{ flags: "--js", description: "emit JavaScript instead of TypeScript" }],
  async check(graph) {
    const { planTfjs } = await import("./plan.js");
    return planTfjs(graph).diagnostics;
  },
  async compile({ graph, specPath, outPath, options, netcVersion }) {
    const diagnostics = await tfjsTarget.check(graph);
    if (diagnostics.length > 0) return { files: [], diagnostics };
    const { tfjsSources } = await import("./index.js");
    const sources = await tfjsSources(graph, { js: options.js === true, specPath, netcVersion });
    return { files: [...sources].map(([name, data]) => ({ path: join(outPath, name), data })), diagnostics: [] };
  },
};
