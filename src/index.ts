// netc's library entry: the same stages the CLI uses.
export { parse } from "./syntax/parse.js";
export { checkFile, checkText, type CheckResult } from "./check/index.js";
export { formatSource } from "./format/index.js";
export type { IrGraph, IrNode, IrGroup } from "./ir/graph.js";
export type { Diagnostic } from "./diagnostics/diagnostic.js";
export { initWeights, type WeightSet } from "./ir/weights.js";
export { backends, findBackend, type Backend, type CompiledFile, type CompileInput, type CompileOutput } from "./emit/backend.js";
