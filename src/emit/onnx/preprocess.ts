// The spec's input preprocessing as the first nodes of the graph: one elementwise
// node per step of src/ir/preprocess.ts, constants shaped [1, C, 1, 1] (or a
// scalar), so onnxruntime rounds where PyTorch's transforms do.
import type { IrGraph } from "../../ir/graph.js";
import { preprocessSteps } from "../../ir/preprocess.js";
import type { GraphBuilder } from "./builder.js";

const ONNX_OP = { mul: "Mul", div: "Div", sub: "Sub", add: "Add" } as const;

/** Emits the steps reading `input`; returns the value the first layer reads (`input` when there are none). */
export function emitPreprocess(b: GraphBuilder, graph: IrGraph, input: string): string {
  const steps = preprocessSteps(graph.preprocess);
  let value = input;
  const doc = `input preprocessing of ${graph.inputName}`;
  steps.forEach((step, i) => {
    const dims = step.values.length === 1 ? [] : [1, step.values.length, 1, 1];
    const constant = b.addFloat(`preprocess/${step.what}/${step.op}`, dims, Float32Array.from(step.values));
    const out = i === steps.length - 1 ? b.values.take(`${graph.inputName}/preprocessed`) : b.values.take(`preprocess/${step.what}/${step.op}/out`);
    b.addNode(ONNX_OP[step.op], `preprocess/${step.what}/${step.op}`, [value, constant], [out], {}, doc);
    value = out;
  });
  return value;
}
