// Checked annotations: `-> 256x28x28`, `<- 192`, `params ~ 159K`, `macs = 1.5G tol 3%`.

import type { Annotation, CostAnnotation, ShapeAnnotation, Span } from "../syntax/ast.js";
import type { Shape } from "../ir/graph.js";
import { formatShape } from "../ir/shapes.js";
import { diag } from "../diagnostics/catalogue.js";
import type { Related } from "../diagnostics/diagnostic.js";
import { evaluate, type EvalContext } from "./values.js";

/** The expected shape an annotation states; a single number is the channel (or feature) count. */
function expectedShape(a: ShapeAnnotation, ctx: EvalContext): { dims: number[]; channelsOnly: boolean } | undefined {
  if (a.dims) return { dims: a.dims.values, channelsOnly: false };
  const values: number[] = [];
  for (const e of a.exprs) {
    const v = evaluate(e, ctx);
    if (v === undefined) return undefined;
    const list = Array.isArray(v) ? v : [v];
    for (const x of list) {
      if (typeof x !== "number" || !Number.isInteger(x) || x < 1) {
        ctx.diagnostics.push(diag("NET4001", ctx.file, e.span, { what: "A shape annotation", expected: "whole numbers >= 1", found: String(x) }));
        return undefined;
      }
      values.push(x);
    }
  }
  if (values.length === 0) return undefined;
  return { dims: values, channelsOnly: values.length === 1 && a.exprs.length === 1 && !Array.isArray(evaluateQuiet(a, ctx)) };
}

function evaluateQuiet(a: ShapeAnnotation, ctx: EvalContext) {
  return evaluate(a.exprs[0], { ...ctx, diagnostics: [] });
}

/** The span to replace when fixing an annotation's value. */
function valueSpan(a: ShapeAnnotation): Span {
  if (a.dims) return a.dims.span;
  const first = a.exprs[0]!.span;
  const last = a.exprs[a.exprs.length - 1]!.span;
  return { offset: first.offset, length: last.offset + last.length - first.offset };
}

export interface ShapeCheck {
  layer: string;
  actual: Shape;
  /** Computed only when an annotation fails (it searches the graph). */
  related?: () => Related[];
  /** Report here instead of at the annotation (a block header's `<-` is reported at the call). */
  at?: { file: string; span: Span };
  /** For a block header's `<- param`: the call's argument for that parameter, which a fix rewrites. */
  argumentOf?: (param: string) => Span | undefined;
}

/** Checks `->` (direction out) or `<-` (direction in) annotations. */
export function checkShapeAnnotations(annotations: Annotation[], direction: "in" | "out", check: ShapeCheck, ctx: EvalContext): void {
  for (const a of annotations) {
    if (a.kind !== "shapeAnnotation" || a.direction !== direction) continue;
    const exp = expectedShape(a, ctx);
    if (!exp) continue;
    const actual = check.actual;
    const fixes = (text: string) => {
      if (!check.at) return [{ title: `Change the annotation to ${text}`, edits: [{ file: ctx.file, span: valueSpan(a), newText: text }] }];
      const e = a.exprs[0];
      const arg = a.exprs.length === 1 && e?.kind === "name" ? check.argumentOf?.(e.name) : undefined;
      return arg ? [{ title: `Pass ${text} as '${(e as { name: string }).name}'`, edits: [{ file: check.at.file, span: arg, newText: text }] }] : [];
    };
    const related = () => [...(check.at ? [{ file: ctx.file, span: a.span, message: "the block declares its input here" }] : []), ...(check.related?.() ?? [])];
    const where = check.at ?? { file: ctx.file, span: a.span };
    if (exp.channelsOnly) {
      const found = actual[0]!;
      if (found === exp.dims[0]) continue;
      if (direction === "in") {
        const code = actual.length === 1 ? "NET3002" : "NET3001";
        ctx.diagnostics.push(
          diag(code, where.file, where.span, { layer: check.layer, expected: exp.dims[0]!, found, shape: formatShape(actual) }, {
            related: related(),
            fixes: fixes(String(found)),
          }),
        );
      } else {
        ctx.diagnostics.push(
          diag("NET3008", where.file, where.span, { layer: check.layer, found: formatShape(actual), expected: `${exp.dims[0]} ${actual.length === 1 ? "features" : "channels"}` }, { fixes: fixes(String(found)) }),
        );
      }
      continue;
    }
    if (exp.dims.length === actual.length && exp.dims.every((d, i) => d === actual[i])) continue;
    const code = direction === "in" ? "NET3009" : "NET3008";
    ctx.diagnostics.push(
      diag(code, where.file, where.span, { layer: check.layer, found: formatShape(actual), expected: formatShape(exp.dims) }, {
        related: related(),
        fixes: fixes(formatShape(actual)),
      }),
    );
  }
}

/** Half a unit in the last written digit: `159K` means 158.5K to 159.5K. */
function roundingTolerance(text: string, value: number): number {
  const m = /^(\d*)(?:\.(\d+))?(?:[eE]([+-]?\d+))?([KMG])?$/.exec(text);
  if (!m) return 0;
  const decimals = m[2]?.length ?? 0;
  const exp = Number(m[3] ?? 0);
  const scale = m[4] === "K" ? 1e3 : m[4] === "M" ? 1e6 : m[4] === "G" ? 1e9 : 1;
  void value;
  return 0.5 * Math.pow(10, exp - decimals) * scale;
}

export function checkCostAnnotations(annotations: Annotation[], layer: string, params: number, macs: number, ctx: EvalContext): void {
  for (const a of annotations) {
    if (a.kind !== "costAnnotation" || !a.value) continue;
    const found = a.metric === "params" ? params : macs;
    const expected = a.value.value;
    const { tol, text } = tolerance(a, expected);
    if (Math.abs(found - expected) <= tol) continue;
    // Messages group digits by hand: toLocaleString loads ICU data (~10 ms at start-up).
    const code = a.metric === "params" ? "NET4003" : "NET4004";
    ctx.diagnostics.push(
      diag(code, ctx.file, a.span, { layer, found: grouped(found), expected: a.value.text, tolerance: text() }),
    );
  }
}

function tolerance(a: CostAnnotation, expected: number): { tol: number; text: () => string } {
  if (a.exact) return { tol: 0, text: () => " exactly" };
  if (a.tolerancePercent !== undefined) return { tol: (Math.abs(expected) * a.tolerancePercent) / 100, text: () => ` (within ${a.toleranceText ?? a.tolerancePercent}%)` };
  const tol = roundingTolerance(a.value!.text, expected);
  return { tol, text: () => ` (within rounding, +/- ${grouped(tol)})` };
}

/** 1234567 -> "1,234,567". */
function grouped(n: number): string {
  const [int, frac] = String(n).split(".");
  const digits = int!.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return frac ? `${digits}.${frac}` : digits;
}
