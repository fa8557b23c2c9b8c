// `netc weights export SPEC --from CHECKPOINT --format safetensors|pytorch -o FILE`:
// a netc-trained checkpoint (tfjs layers format) as a safetensors file or a
// PyTorch state_dict (torch.save's zip format), in PyTorch's layout and order,
// so weights trained with netc go back to PyTorch. Same input, same bytes.

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Overrides } from "../../check/index.js";
import type { IrGraph, IrNode } from "../../ir/graph.js";
import type { WeightSet } from "../../ir/weights.js";
import { OutputError, writeFilesAtomic } from "../../util/atomic-write.js";
import { stateDictTensors } from "../../weights/tensors.js";
import { safetensorsBytes } from "../../weights/write-safetensors.js";
import { torchStateDictBytes } from "../../weights/write-torch.js";
import type { Format } from "../formats.js";
import { loadGraph, Reporter } from "../load.js";
import { terminalSafe } from "../report.js";

export type WeightFormat = "safetensors" | "pytorch";

export interface ExportArgs {
  spec: string;
  from: string;
  format: WeightFormat;
  output: string;
  /** A file with the names to write, one per line (`model.state_dict().keys()`). */
  names?: string;
  /** num_batches_tracked for every BatchNorm. */
  steps?: number;
  overrides?: Overrides;
  diagnostics?: Format;
  maxErrors?: number;
}

/** Training saves the inference model: a checkpoint without the auxiliary heads still exports, without them. */
function loadWeights(dir: string, graph: IrGraph, load: (g: IrGraph) => WeightSet): WeightSet {
  try {
    return load(graph);
  } catch (e) {
    if (!graph.nodes.some((n) => n.aux !== undefined)) throw e;
    // Aux nodes as weightless ones: node ids and every other layer's name stay as they are.
    const nodes = graph.nodes.map((n): IrNode => (n.aux === undefined ? n : { ...n, attrs: { op: "flatten" } as IrNode["attrs"] }));
    try {
      return load({ ...graph, nodes });
    } catch {
      throw e;
    }
  }
}

export async function run(args: ExportArgs): Promise<number> {
  const reporter = new Reporter(args.diagnostics, args.maxErrors);
  try {
    const loaded = loadGraph(args.spec, reporter, undefined, args.overrides);
    if (typeof loaded === "number") return loaded;
    const { graph } = loaded;
    const { readCheckpointTensors, fromTfjsWeights } = await import("../../runtime/checkpoint.js");
    const dir = resolve(args.from);
    let tensors;
    try {
      const named = readCheckpointTensors(dir);
      const weights = loadWeights(dir, graph, (g) => fromTfjsWeights(g, named));
      const names = args.names === undefined ? undefined : readNames(args.names);
      tensors = stateDictTensors(graph, weights, { names, steps: args.steps });
    } catch (e) {
      process.stderr.write(`netc weights export: ${terminalSafe(e instanceof Error ? e.message.replace(/^netc: /, "") : String(e))}\n`);
      return 1;
    }
    const data = args.format === "safetensors" ? safetensorsBytes(tensors, { format: "pt" }) : torchStateDictBytes(tensors);
    await writeFilesAtomic([{ path: resolve(args.output), data }]);
    process.stderr.write(`wrote ${args.output} (${tensors.length} tensors, ${args.format})\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`netc: ${terminalSafe(e instanceof Error ? e.message : String(e))}\n`);
    return e instanceof OutputError || (e as NodeJS.ErrnoException).code ? 2 : 1;
  } finally {
    reporter.flush(true);
  }
}

function readNames(file: string): string[] {
  return readFileSync(file, "utf8")
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
}
