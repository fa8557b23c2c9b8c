// `netc weights SPEC [--json] [--weights FILE [--weights-map JSON]]`: the
// tensors a spec expects, in PyTorch's state_dict order, with their netc path,
// PyTorch attribute, shape and layout; with --weights, the file tensor each one
// takes, so a user sees how a checkpoint will map before compiling with it.

import { resolve } from "node:path";
import type { IrGraph } from "../../ir/graph.js";
import { specTensors, type SpecTensor } from "../../weights/map.js";
import type { Format } from "../formats.js";
import { loadGraph, Reporter } from "../load.js";
import { terminalSafe } from "../report.js";

export interface WeightsArgs {
  spec: string;
  json: boolean;
  weights?: string;
  weightsMap?: string;
  format?: Format;
  maxErrors?: number;
}

/** How a tensor's values are laid out (netc's canonical layout is PyTorch's). */
function layoutOf(graph: IrGraph, t: SpecTensor): string {
  const node = graph.nodes.find((n) => n.name === t.node)!;
  const a = node.attrs;
  if (t.tensor === "kernel" && a.op === "conv")
    return a.groups > 1 ? `OIHW (I = input channels / ${a.groups} groups)` : "OIHW";
  if (t.tensor === "kernel")
    return node.shape.length === 1 && graph.nodes[node.inputs[0]!]!.shape.length === 1
      ? "[out, in] (in: C,H,W flatten order)"
      : "[out, in]";
  if (t.tensor === "bias" && a.op === "dense") return "[out]";
  if (t.tensor === "gamma" && a.op === "scale") return t.shape.length === 3 ? "[C, 1, 1]" : "[F]";
  return t.shape.length === 1 ? "[C]" : `[${t.shape.length} dims]`;
}

export async function run(args: WeightsArgs): Promise<number> {
  const reporter = new Reporter(args.format, args.maxErrors);
  try {
    const loaded = loadGraph(args.spec, reporter);
    if (typeof loaded === "number") return loaded;
    const { graph } = loaded;
    const tensors = specTensors(graph);
    const fileName = new Map<string, string>();
    let how = "";
    if (args.weights) {
      const { loadWeights } = await import("../../weights/read-weights.js");
      try {
        const r = await loadWeights(resolve(args.weights), graph, {
          mapFile: args.weightsMap && resolve(args.weightsMap),
        });
        for (const p of r.mapping?.pairs ?? []) fileName.set(p.spec.path, p.file.name);
        how = r.mapping
          ? `${r.format}, matched by ${r.mapping.by}${r.mapping.auxMissing.length ? `; without ${r.mapping.auxMissing.join(", ")}` : ""}`
          : `${r.format}, matched by layer name`;
      } catch (e) {
        process.stderr.write(`netc weights: ${terminalSafe((e as Error).message)}\n`);
        // A file that cannot be read at all is an I/O error, exit 2, as for a missing spec.
        return (e as { code?: string }).code ? 2 : 1;
      }
    }
    const rows = tensors.map((t, index) => ({
      index,
      path: t.path,
      node: t.node,
      pytorch: t.torchName,
      shape: t.shape,
      layout: layoutOf(graph, t),
      ...(t.aux !== undefined ? { aux: t.aux } : {}),
      ...(args.weights ? { file: fileName.get(t.path) ?? null } : {}),
    }));
    if (args.json) {
      process.stdout.write(`${JSON.stringify(args.weights ? { format: how, tensors: rows } : rows, null, 2)}\n`);
      return 0;
    }
    const head = ["#", "netc path", "pytorch", "shape", "layout", ...(args.weights ? ["file"] : [])];
    const cells = rows.map((r) => [
      String(r.index),
      r.path + (r.aux ? " (aux)" : ""),
      r.pytorch,
      r.shape.join("x"),
      r.layout,
      ...(args.weights ? [r.file ?? "(absent)"] : []),
    ]);
    const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
    const line = (c: string[]) => c.map((s, i) => (i === c.length - 1 ? s : s.padEnd(widths[i]!))).join("  ");
    const out = [line(head), ...cells.map(line)];
    if (how) out.push(`(${how})`);
    process.stdout.write(`${terminalSafe(out.join("\n"))}\n`);
    return 0;
  } finally {
    reporter.flush(true);
  }
}
