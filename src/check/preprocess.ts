// The braces after the input's shape: `input image 3x224x224 { scale 1/255;
// mean (0.485, 0.456, 0.406); std (0.229, 0.224, 0.225); order rgb; transform_input }`.

import type { PreprocessDecl, TrainEntry } from "../syntax/ast.js";
import type { Preprocess, Shape } from "../ir/graph.js";
import { diag } from "../diagnostics/catalogue.js";
import { suggest } from "./suggest.js";
import { describe, evaluate, type EvalContext, type Value } from "./values.js";

const SETTINGS = ["scale", "mean", "std", "order", "transform_input"];

export function readPreprocess(decl: PreprocessDecl | undefined, shape: Shape | undefined, ctx: EvalContext): Preprocess | undefined {
  if (!decl) return undefined;
  const channels = shape && shape.length === 3 ? shape[0]! : 1;
  const shapeText = shape ? shape.join("x") : "declared";
  const p: Preprocess = { scale: 1, mean: new Array<number>(channels).fill(0), std: new Array<number>(channels).fill(1), order: "rgb", transformInput: false };
  const seen = new Map<string, TrainEntry>();
  const bad = (span: TrainEntry["span"], what: string, expected: string, found: string) =>
    ctx.diagnostics.push(diag("NET4001", ctx.file, span, { what, expected, found }));

  for (const entry of decl.entries) {
    const key = entry.key.name;
    if (!SETTINGS.includes(key)) {
      ctx.diagnostics.push(diag("NET2085", ctx.file, entry.key.span, { name: key, hint: suggest(key, SETTINGS) }));
      continue;
    }
    const first = seen.get(key);
    if (first) {
      ctx.diagnostics.push(diag("NET2086", ctx.file, entry.key.span, { name: key }, { related: [{ file: ctx.file, span: first.key.span, message: "first set here" }] }));
      continue;
    }
    seen.set(key, entry);
    const [attr, ...extra] = entry.attrs;
    for (const x of extra) ctx.diagnostics.push(diag("NET2013", ctx.file, x.span, { name: "extra value", op: `input preprocessing '${key}'`, hint: "" }));

    if (key === "transform_input") {
      if (attr) ctx.diagnostics.push(diag("NET2013", ctx.file, attr.span, { name: "value", op: "input preprocessing 'transform_input' (a flag)", hint: "" }));
      p.transformInput = true;
      if (!shape || shape.length !== 3 || shape[0] !== 3) ctx.diagnostics.push(diag("NET3046", ctx.file, entry.span, { found: `a ${shapeText} input` }));
      continue;
    }
    if (key === "order") {
      const word = attr?.kind === "flagAttr" ? attr.name.name : undefined;
      if (word === "rgb" || word === "bgr") p.order = word;
      else bad(attr?.span ?? entry.span, "input preprocessing 'order'", "rgb or bgr", word ? `'${word}'` : attr ? "something else" : "nothing");
      if (channels !== 3) ctx.diagnostics.push(diag("NET3045", ctx.file, entry.span, { name: "order", expected: "3 channels", shape: shapeText, found: `${channels}` }));
      continue;
    }
    if (!attr || attr.kind !== "valueAttr") {
      bad(attr?.span ?? entry.span, `input preprocessing '${key}'`, key === "scale" ? "a number such as 1/255" : "numbers such as (0.485, 0.456, 0.406)", attr ? "something else" : "nothing");
      continue;
    }
    const v = evaluate(attr.value, ctx);
    if (v === undefined) continue;
    if (key === "scale") {
      if (typeof v !== "number" || !(v > 0) || !Number.isFinite(v)) bad(attr.span, "input preprocessing 'scale'", "a positive number", describe(v));
      else p.scale = v;
      continue;
    }
    const list: Value[] = Array.isArray(v) ? v : [v];
    if (list.length !== channels || list.some((x) => typeof x !== "number")) {
      ctx.diagnostics.push(diag("NET3045", ctx.file, attr.span, { name: key, expected: `${channels} number${channels === 1 ? "" : "s"}`, shape: shapeText, found: describe(v) }));
      continue;
    }
    const nums = list as number[];
    if (key === "std" && nums.some((x) => !(x > 0) || !Number.isFinite(x))) {
      bad(attr.span, "input preprocessing 'std'", "positive numbers (it divides)", describe(v));
      continue;
    }
    if (nums.some((x) => !Number.isFinite(x))) {
      bad(attr.span, `input preprocessing '${key}'`, "finite numbers", describe(v));
      continue;
    }
    if (key === "mean") p.mean = nums;
    else p.std = nums;
  }
  if (p.transformInput && p.order !== "rgb") ctx.diagnostics.push(diag("NET3046", ctx.file, seen.get("order")!.span, { found: "order bgr" }));
  return p;
}
