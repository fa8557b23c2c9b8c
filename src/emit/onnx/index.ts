// ONNX backend: emitOnnx builds the bytes, writeOnnx writes them atomically.
import { basename } from "node:path";
import type { IrGraph } from "../../ir/graph.js";
import { writeFilesAtomic } from "../../util/atomic-write.js";
import { emitOnnx, type EmitOnnxOptions, type EmittedOnnx } from "./emit.js";

export { emitOnnx, OPSET, IR_VERSION, OUTPUT_NAME, DEFAULT_EXTERNAL_THRESHOLD } from "./emit.js";
export type { EmitOnnxOptions, EmittedOnnx } from "./emit.js";

/**
 * Writes `outPath` and, when the weights need it, `outPath + ".data"` next to
 * it: both files or none.
 */
export function writeOnnx(graph: IrGraph, outPath: string, opts: EmitOnnxOptions = {}): EmittedOnnx {
  const dataFileName = opts.dataFileName ?? `${basename(outPath)}.data`;
  const out = emitOnnx(graph, { ...opts, dataFileName });
  const files: { path: string; data: Uint8Array }[] = [{ path: outPath, data: out.model }];
  if (out.externalData) files.push({ path: `${outPath.slice(0, outPath.length - basename(outPath).length)}${dataFileName}`, data: out.externalData });
  writeFilesAtomic(files);
  return out;
}
