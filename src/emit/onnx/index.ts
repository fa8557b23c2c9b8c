// ONNX backend: emitOnnx builds the bytes, writeOnnx writes them atomically (the
// CLI writes through its backend, src/emit/onnx/target.ts).
import { basename } from "node:path";
import type { IrGraph } from "../../ir/graph.js";
import { writeFilesAtomicSync, type OutputFile } from "../../util/atomic-write.js";
import { emitOnnx, type EmitOnnxOptions, type EmittedOnnx } from "./emit.js";

export { emitOnnx, OPSET, IR_VERSION, OUTPUT_NAME, DEFAULT_EXTERNAL_THRESHOLD } from "./emit.js";
export type { EmitOnnxOptions, EmittedOnnx, SizeMode } from "./emit.js";

/**
 * Writes `outPath` and, when the weights need it, `outPath + ".data"` next to
 * it: both files or none.
 */
export function writeOnnx(graph: IrGraph, outPath: string, opts: EmitOnnxOptions = {}): EmittedOnnx {
  const { out, files } = onnxFiles(graph, outPath, opts);
  writeFilesAtomicSync(files);
  return out;
}

/** The model file and, when the weights need it, its `.data` beside it (what writeOnnx and the backend write). */
export function onnxFiles(graph: IrGraph, outPath: string, opts: EmitOnnxOptions): { out: EmittedOnnx; files: OutputFile[] } {
  const dataFileName = opts.dataFileName ?? `${basename(outPath)}.data`;
  const out = emitOnnx(graph, { ...opts, dataFileName });
  const files: OutputFile[] = [{ path: outPath, data: out.model }];
  if (out.externalData) files.push({ path: `${outPath.slice(0, outPath.length - basename(outPath).length)}${dataFileName}`, data: out.externalData });
  return { out, files };
}
