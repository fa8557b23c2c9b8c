// The `netc.graph` command: the picture of the open spec (what `netc graph
// --format html` writes) in a temporary file, whose URI the editor opens.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import type { Resolutions } from "../check/resolutions.js";
import { buildPicture, renderHtml, tapsOf, type ColorBy } from "../graph/index.js";
import type { IrGraph } from "../ir/graph.js";
import { writeFilesAtomic } from "../util/atomic-write.js";

export const GRAPH_COMMAND = "netc.graph";

/** One folder per server, made on first use (mode 0700: not readable by other users). */
let folder: string | undefined;

/** Writes the page for `graph` (checked from `specPath`) and returns the file's path. */
export async function writeGraphPage(graph: IrGraph, resolutions: Resolutions, specPath: string, color: ColorBy): Promise<string> {
  folder ??= mkdtempSync(join(tmpdir(), "netc-graph-"));
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 80) || "network";
  const path = join(folder, `${safe(basename(specPath, ".net"))}.${safe(graph.name)}.html`);
  const html = await renderHtml(buildPicture(graph, color, tapsOf(resolutions.uses)), []);
  await writeFilesAtomic([{ path, data: html }]);
  return path;
}
