// One small network using every normalisation form and pixelwise dense: layernorm
// on a map and on a flattened vector (whose tfjs feature order differs), groupnorm
// with several groups, dense on the channels of every pixel. Eps values large
// enough that a misplaced eps would show.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkText } from "../../src/check/index.js";
import type { IrGraph } from "../../src/ir/graph.js";

export const NORMS_SPEC = `network Norms {
  input 4x5x6
  conv 3x3 8 pad=1
  layernorm eps=0.5
  groupnorm 2 eps=0.25
  dense 12 pixelwise relu
  dense 6 pixelwise
  groupnorm 3
  layernorm
  flatten
  layernorm eps=0.1
  dense 5
}
`;

export function normsGraph(text = NORMS_SPEC): IrGraph {
  const r = checkText(text, join(tmpdir(), "norms.net"));
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0 || !r.graphs[0]) throw new Error(errors.map((d) => `${d.code}: ${d.message}`).join("\n"));
  return r.graphs[0];
}

/** The spec written to a fresh temp file (for the CLI). */
export function normsSpecFile(): string {
  const path = join(mkdtempSync(join(tmpdir(), "netc-norms-")), "norms.net");
  writeFileSync(path, NORMS_SPEC);
  return path;
}
