// netc's compiled modules (dist/, built by `npm run build`) for the fuzz engine.
import { netcFrom } from "./engine.js";

export async function loadDist() {
  const d = new URL("../../dist/", import.meta.url).href;
  const load = (p) => import(d + p);
  let ts;
  try {
    ts = (await import("typescript")).default;
  } catch {
    ts = undefined; // generated code is then not parsed
  }
  return netcFrom({
    check: await load("check/index.js"),
    format: await load("format/index.js"),
    parse: await load("syntax/parse.js"),
    plan: await load("emit/tfjs/plan.js"),
    modelCode: await load("emit/tfjs/model-code.js"),
    trainCode: await load("emit/tfjs/train-code.js"),
    onnxEmit: await load("emit/onnx/emit.js"),
    onnxProto: await load("emit/onnx/proto.js"),
    ts,
  });
}
