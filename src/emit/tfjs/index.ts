// `netc compile --target tfjs`: IR -> model.ts + train.ts (or .js with --js),
// formatted with prettier (the backend, target.ts, writes them atomically).

import { relative, isAbsolute } from "node:path";
import type { IrGraph } from "../../ir/graph.js";
import { modelSource } from "./model-code.js";
import { planModel } from "./plan.js";
import { trainSource } from "./train-code.js";

export { planModel, type LayerPlan, type PlannedLayer } from "./plan.js";
export { buildFromPlan } from "./build.js";

/** The generated files' text, formatted; deterministic for a given graph and options. */
export async function tfjsSources(
  graph: IrGraph,
  opts: { js: boolean; specPath: string; netcVersion: string },
): Promise<Map<string, string>> {
  const plan = planModel(graph);
  const shownPath = displayPath(opts.specPath);
  const o = { ts: !opts.js, specPath: shownPath, netcVersion: opts.netcVersion };
  const ext = opts.js ? "js" : "ts";
  const files = new Map<string, string>();
  files.set(`model.${ext}`, await format(modelSource(plan, o), opts.js));
  files.set(`train.${ext}`, await format(trainSource(plan, o), opts.js));
  return files;
}

/** Relative, forward-slash paths keep the header the same on every machine. */
function displayPath(p: string): string {
  const rel = isAbsolute(p) ? relative(process.cwd(), p) : p;
  return rel.split("\\").join("/");
}

// prettier is large; load it only when code is actually generated.
let prettier: Promise<typeof import("prettier")> | undefined;

async function format(code: string, js: boolean): Promise<string> {
  prettier ??= import("prettier");
  const p = await prettier;
  return p.format(code, { parser: js ? "babel" : "typescript", printWidth: 120 });
}
