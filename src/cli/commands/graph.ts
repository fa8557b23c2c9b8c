// `netc graph SPEC [--format svg|dot|html] [--color macs|params] [--depth N] [-o FILE]`:
// the network as people draw it. Without -o the picture goes to stdout; with it,
// the file is written atomically.
import { resolve } from "node:path";
import type { Overrides } from "../../check/index.js";
import { buildPicture, collapsedAtDepth, renderDot, renderHtml, renderSvg, tapsOf, type ColorBy, type GraphFormat } from "../../graph/index.js";
import { OutputError, writeFilesAtomic } from "../../util/atomic-write.js";
import type { Format } from "../formats.js";
import { loadGraph, Reporter } from "../load.js";
import { terminalSafe } from "../report.js";

export interface GraphArgs {
  file: string;
  format: GraphFormat;
  color: ColorBy;
  /** Open groups up to this depth; undefined: all open. */
  depth?: number;
  output?: string;
  diagnostics?: Format;
  maxErrors?: number;
  stdin?: { text: string; name: string };
  overrides?: Overrides;
}

export async function run(args: GraphArgs): Promise<number> {
  const reporter = new Reporter(args.diagnostics, args.maxErrors);
  const loaded = loadGraph(args.stdin?.name ?? args.file, reporter, args.stdin?.text, args.overrides);
  reporter.flush(true);
  if (typeof loaded === "number") return loaded;
  const pic = buildPicture(loaded.graph, args.color, tapsOf(loaded.resolutions?.uses ?? []));
  const collapsed = collapsedAtDepth(pic, args.depth);
  const text = args.format === "dot" ? renderDot(pic, collapsed) : args.format === "html" ? await renderHtml(pic, collapsed) : await renderSvg(pic, collapsed);
  if (args.output === undefined || args.output === "-") {
    process.stdout.write(text);
    return 0;
  }
  try {
    const path = resolve(args.output);
    await writeFilesAtomic([{ path, data: text }]);
    process.stderr.write(`wrote ${terminalSafe(path)}\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`netc: ${terminalSafe(e instanceof OutputError || e instanceof Error ? e.message : String(e))}\n`);
    return 2;
  }
}
