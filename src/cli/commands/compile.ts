import { basename, join, resolve } from "node:path";
import { OutputError } from "../../util/output-error.js";
import { loadGraph } from "../load.js";
import { version } from "../version.js";
import { terminalSafe } from "../report.js";

export interface CompileArgs {
  file: string;
  target: "onnx" | "tfjs";
  output?: string;
  out?: string;
  seed: number;
  weights?: string;
  foldBn: boolean;
  js: boolean;
  maxErrors?: number;
}

export async function run(args: CompileArgs): Promise<number> {
  const loaded = loadGraph(args.file, args.maxErrors);
  if (typeof loaded === "number") return loaded;
  const { graph } = loaded;
  const stem = basename(args.file).replace(/\.net$/, "");
  try {
    if (args.target === "onnx") {
      const outPath = resolve(args.output ?? join(args.out ?? ".", `${stem}.onnx`));
      const { writeOnnxAsync } = await import("../../emit/onnx/index.js");
      let weights;
      if (args.weights) {
        const { loadCheckpointWeights } = await import("../../runtime/checkpoint.js");
        weights = await loadCheckpointWeights(resolve(args.weights), graph);
      }
      const written = await writeOnnxAsync(graph, outPath, { seed: args.seed, weights, foldBatchNorm: args.foldBn });
      for (const f of [written].flat()) process.stderr.write(`wrote ${typeof f === "string" ? f : outPath}\n`);
      return 0;
    }
    if (!args.out) {
      process.stderr.write("netc: --target tfjs needs --out DIR\n");
      return 2;
    }
    const { writeTfjs } = await import("../../emit/tfjs/index.js");
    const files = await writeTfjs(graph, { outDir: resolve(args.out), js: args.js, specPath: args.file, netcVersion: version });
    for (const f of files) process.stderr.write(`wrote ${f}\n`);
    return 0;
  } catch (e) {
    if (e instanceof OutputError) {
      process.stderr.write(`netc: ${terminalSafe(e.message)}\n`);
      return 2;
    }
    process.stderr.write(`netc: compile failed: ${terminalSafe(e instanceof Error ? e.message : String(e))}\n`);
    // A file-system error (errno code) is an I/O error: exit 2, like a missing input.
    return (e as NodeJS.ErrnoException).code ? 2 : 1;
  }
}
