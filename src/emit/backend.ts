// The one interface every compile target implements, and the registry the CLI
// reads: `netc compile --target` offers exactly the backends listed here, with
// their options, and runs them the same way. A backend reports what it cannot
// express as diagnostics located at the IR node's spec position (NET6xxx); it
// throws only for I/O (reading a checkpoint) and internal errors.
//
// This module and the target descriptors are loaded at CLI start-up: anything
// heavy (onnx-proto, prettier, tfjs) is imported inside `compile`.

import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { IrGraph } from "../ir/graph.js";
import type { OutputFile } from "../util/atomic-write.js";
import { onnxTarget } from "./onnx/target.js";
import { tfjsTarget } from "./tfjs/target.js";
import { pytorchTarget } from "./pytorch/target.js";
import { tritonTarget } from "./triton/target.js";

export interface BackendOption {
  /** commander flags: "--seed <n>", "--no-fold-bn", "--js". */
  flags: string;
  description: string;
  /**
   * "integer": a whole number. "checkpoint": a weights file or tfjs checkpoint
   * directory (src/weights/read-weights.ts), which the CLI loads and passes as a
   * WeightSet in canonical layout.
   */
  value?: "integer" | "checkpoint";
  /** The values a string option may take (`--kind cpu|gpu`). */
  choices?: readonly string[];
  default?: number | boolean | string;
}

export interface CompileInput {
  graph: IrGraph;
  /** The spec path as given (generated headers show it). */
  specPath: string;
  /** The output file (output.kind "file") or directory ("dir"). */
  outPath: string;
  /** This backend's option values, keyed as commander names them (`--no-fold-bn` -> foldBn). */
  options: Record<string, unknown>;
  netcVersion: string;
}

/** A file a backend produces; the CLI writes it (backends do not touch the file system). */
export interface CompiledFile extends OutputFile {
  /**
   * Written only where no file of that name exists: one already there is left
   * as it is, and when `accepts` rejects its text, compile warns (NET5070)
   * with `otherwise` as the reason.
   */
  ifAbsent?: { accepts(existing: string): boolean; otherwise: string };
}

export interface CompileOutput {
  /** Written together or not at all by the caller; empty when a diagnostic is an error. */
  files: CompiledFile[];
  diagnostics: Diagnostic[];
}

export interface Backend {
  name: string;
  /** One line for `netc compile --help`. */
  description: string;
  /** "file": one model file (-o FILE, or --out DIR/<spec><extension>); "dir": files in --out DIR. */
  output: { kind: "file"; extension: string } | { kind: "dir" };
  options: BackendOption[];
  /** What this backend cannot express in the graph, without generating anything (compile reports the same). */
  check(graph: IrGraph): Promise<Diagnostic[]>;
  compile(input: CompileInput): Promise<CompileOutput>;
}

/** Every compile target, in the order `--help` lists them. */
export const backends: readonly Backend[] = [onnxTarget, tfjsTarget, pytorchTarget, tritonTarget];

export function findBackend(name: string): Backend | undefined {
  return backends.find((b) => b.name === name);
}
