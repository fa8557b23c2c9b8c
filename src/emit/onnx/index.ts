// ONNX backend: emitOnnx builds the bytes, writeOnnx writes them atomically
// (writeOnnxAsync too, and undoes the write on SIGINT/SIGTERM: the CLI uses it).
import { basename } from "node:path";
import type { IrGraph } from "../../ir/graph.js";
import { writeFilesAtomic, writeFilesAtomicSync, type OutputFile } from "../../util/atomic-write.js";
import { emitOnnx, type EmitOnnxOptions, type EmittedOnnx } from "./emit.js";

export { emitOnnx, OPSET, IR_VERSION, OUTPUT_NAME, DEFAULT_EXTERNAL_THRESHOLD } from "./emit.js";
export type { EmitOnnxOptions, EmittedOnnx } from "./emit.js";

/**
 * Writes `outPath` and, when the weights need it, `outPath + ".data"` next to
 * it: both files or none.
 */
export function writeOnnx(graph: IrGraph, outPath: string, opts: EmitOnnxOptions = {}): EmittedOnnx {
  const { out, files } = onnxFiles(graph, outPath, opts);
  writeFilesAtomicSync(files);
  return out;
}

export async function writeOnnxAsync(graph: IrGraph, outPath: string, opts: EmitOnnxOptions = {}): Promise<EmittedOnnx> {
  const { out, files } = onnxFiles(graph, outPath, opts);
  await writeFilesAtomic(files);
  return out;
}

function onnxFiles(graph: IrGraph, outPath: string, opts: EmitOnnxOptions): { out: EmittedOnnx; files: OutputFile[] } {
  const dataFileName = opts.dataFileName ?? `${basename(outPath)}.data`;
  const out = emitOnnx(graph, { ...opts, dataFileName });
  const files: OutputFile[] = [{ path: outPath, data: out.model }];
  if (out.externalData) files.push({ path: `${outPath.slice(0, outPath.length - basename(outPath).length)}${dataFileName}`, data: out.externalData });
  return { out, files };
}
