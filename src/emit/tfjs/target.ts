// `--target tfjs`: the TensorFlow.js backend behind the Backend interface.

import { join } from "node:path";
import type { Backend, CompiledFile } from "../backend.js";

/**
 * `--js` writes ES modules as `.js` files; a `package.json` holding
 * `{"type": "module"}` beside them makes Node load them as such in any project,
 * CommonJS ones included (Node reads the nearest package.json). One that is
 * already there is left alone: fine when it says "module", a warning otherwise.
 */
export const ESM_PACKAGE_JSON = '{\n  "type": "module"\n}\n';

function isModulePackage(text: string): boolean {
  try {
    return (JSON.parse(text) as { type?: unknown }).type === "module";
  } catch {
    return false;
  }
}

export const tfjsTarget: Backend = {
  name: "tfjs",
  description: "TensorFlow.js model.ts and train.ts (tf.layers) in --out DIR",
  output: { kind: "dir" },
  options: [{ flags: "--js", description: "emit JavaScript (ES modules, with a package.json saying so) instead of TypeScript" }],
  async check(graph) {
    const { planTfjs } = await import("./plan.js");
    return planTfjs(graph).diagnostics;
  },
  async compile({ graph, specPath, outPath, options, netcVersion }) {
    const diagnostics = await tfjsTarget.check(graph);
    if (diagnostics.length > 0) return { files: [], diagnostics };
    const { tfjsSources } = await import("./index.js");
    const sources = await tfjsSources(graph, { js: options.js === true, specPath, netcVersion });
    const files: CompiledFile[] = [...sources].map(([name, data]) => ({ path: join(outPath, name), data }));
    if (options.js === true) {
      files.push({
        path: join(outPath, "package.json"),
        data: ESM_PACKAGE_JSON,
        ifAbsent: {
          accepts: isModulePackage,
          otherwise: 'it lacks "type": "module", so Node would load the --js output as CommonJS; add "type": "module" to it, or compile into a folder of its own',
        },
      });
    }
    return { files, diagnostics: [] };
  },
};
