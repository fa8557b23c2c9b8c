// Elaboration: expands blocks, applies defaults, resolves attributes and infers
// every shape, producing the IR graph. Works on partial trees: a broken statement
// stops its own chain but the rest of the spec is still checked.

import type { Annotation, BlockCall, DefaultsDecl, IfLayer, LayerExpr, MergeLayer, NetworkDecl, OpLayer, RepeatLayer, Span, Statement } from "../syntax/ast.js";
import type { Activation, IrGraph, IrGroup, IrNode, NodeAttrs, Shape, Source, TrainConfig } from "../ir/graph.js";
import { formatShape, type ShapeError } from "../ir/shapes.js";
import { macCount, outputShape, paramCount } from "../ir/op-facts.js";
import { childStatements } from "../syntax/children.js";
import type { Diagnostic, Related } from "../diagnostics/diagnostic.js";
import { diag } from "../diagnostics/catalogue.js";
import { checkCostAnnotations, checkShapeAnnotations } from "./annotations.js";
import { readAttrs, type AttrSource } from "./attrs.js";
import { activations, defaultGroups, findAttr, findFlag, findOp, opNames, opsInGroup, type OpSpec } from "./ops.js";
import type { Program } from "./program.js";
import { Scope } from "./scope.js";
import { suggest } from "./suggest.js";
import { readTrain } from "./train.js";
import { describe, Env, evaluate, type EvalContext } from "./values.js";

// 100x GoogLeNet is ~7,200 nodes; the largest zoo network under 1,000. Bounds keep every input under a second.
const MAX_NODES = 10_000;
/** Statements and repeat iterations visited: bounds nested repeats that create no layers. */
const MAX_STEPS = 100_000;
const MAX_CALL_DEPTH = 64;
const MAX_REPEAT = 10_000;

export interface Elaboration {
  /** The graph, when the network checked without errors. */
  graph: IrGraph | undefined;
  /** What could be elaborated despite errors (for the editor's hovers and hints). */
  partial: IrGraph | undefined;
  diagnostics: Diagnostic[];
  /** Blocks used by this network (for the unused-block warning). */
  usedBlocks: Set<string>;
}

export function elaborate(program: Program, net: NetworkDecl, file: string): Elaboration {
  return new Elaborator(program, net, file).run();
}

class Elaborator {
  readonly nodes: IrNode[] = [];
  readonly groups: IrGroup[] = [];
  readonly diagnostics: Diagnostic[] = [];
  readonly usedBlocks = new Set<string>();
  readonly auxOutputs: IrGraph["auxOutputs"] = [];
  private readonly defaults = new Map<string, AttrSource[]>();
  private readonly callStack: string[] = [];
  /** Node id by path name: a quoted name with '/' can spell a generated path ("x/bn"). */
  private readonly byName = new Map<string, number>();
  /** Statements already reported as duplicate names (NET2004): no second report for their path. */
  private readonly duplicates: Source[] = [];
  private aux: string | undefined;
  private stopped = false;
  private steps = 0;

  constructor(
    private readonly program: Program,
    private readonly net: NetworkDecl,
    private readonly file: string,
  ) {}

  run(): Elaboration {
    const env = new Env();
    const ctx: EvalContext = { file: this.file, env, diagnostics: this.diagnostics };
    for (const p of this.net.params) {
      env.define(p.name.name, { value: evaluate(p.default, ctx), span: p.name.span, file: this.file, used: false });
    }
    const input = this.net.items.find((i) => i.kind === "input");
    let train: TrainConfig | undefined;
    for (const item of this.net.items) {
      if (item.kind === "defaults") this.readDefaults(item, ctx);
      if (item.kind === "train") train = readTrain(item, ctx);
    }
    const name = this.net.name?.name ?? "network";
    if (!input || input.kind !== "input") {
      this.diagnostics.push(diag("NET3013", this.file, this.net.name?.span ?? this.net.span, { name }));
      return { graph: undefined, partial: undefined, diagnostics: this.diagnostics, usedBlocks: this.usedBlocks };
    }
    const inputShape = this.inputShape(input, ctx);
    const inputName = input.name?.name ?? "input";
    let current: number | undefined;
    if (inputShape) {
      current = this.nodes.length;
      this.nodes.push({
        id: current, name: inputName, attrs: { op: "input" }, inputs: [], shape: inputShape,
        params: 0, macs: 0, aux: undefined, source: { file: this.file, span: input.span },
      });
      this.byName.set(inputName, current);
    }
    const top = new Scope("", undefined, [inputName]);
    const topLevel = this.net.items.flatMap((i) => (i.kind === "statement" ? [i] : i.kind === "section" ? i.body : []));
    this.checkDuplicates(topLevel, ctx, "network");
    top.reserve(this.net.items.filter((i): i is Statement => i.kind === "statement"));
    if (inputShape) top.names.set(inputName, current!);
    let last: Statement | undefined;
    for (const item of this.net.items) {
      if (this.stopped) break;
      if (item.kind === "section") {
        const scope = top.section(item.section);
        scope.reserve(item.body);
        for (const st of item.body) {
          current = this.statement(st, current, scope, ctx);
          last = st;
        }
      } else if (item.kind === "statement") {
        current = this.statement(item, current, top, ctx);
        last = item;
      }
    }
    if (inputShape && !last) this.diagnostics.push(diag("NET3012", this.file, this.net.name?.span ?? this.net.span));
    if (!inputShape) return { graph: undefined, partial: undefined, diagnostics: this.diagnostics, usedBlocks: this.usedBlocks };
    const failed = current === undefined || this.diagnostics.some((d) => d.severity === "error");
    const main = this.nodes.filter((n) => n.aux === undefined);
    const sum = (list: IrNode[], f: (n: IrNode) => number) => list.reduce((s, n) => s + f(n), 0);
    const graph: IrGraph = {
      name, file: this.file, inputName, inputShape, nodes: this.nodes, output: current ?? this.nodes.length - 1,
      auxOutputs: this.auxOutputs, groups: this.groups, train: train ?? readTrain(undefined, ctx),
      params: sum(main, (n) => n.params), macs: sum(main, (n) => n.macs), paramsWithAux: sum(this.nodes, (n) => n.params),
    };
    return { graph: failed ? undefined : graph, partial: graph, diagnostics: this.diagnostics, usedBlocks: this.usedBlocks };
  }

  private inputShape(input: Extract<NetworkDecl["items"][number], { kind: "input" }>, ctx: EvalContext): Shape | undefined {
    let dims: number[] = [];
    if (input.shape) dims = input.shape.values;
    else
      for (const e of input.exprs) {
        const v = evaluate(e, ctx);
        if (v === undefined) return undefined;
        dims.push(...(Array.isArray(v) ? v : [v]).map((x) => (typeof x === "number" ? x : NaN)));
      }
    const ok = (dims.length === 3 || dims.length === 1) && dims.every((d) => Number.isInteger(d) && d >= 1 && d <= 2147483647);
    if (!ok) {
      this.diagnostics.push(diag("NET4001", this.file, input.shape?.span ?? input.span, { what: "The input shape", expected: "CxHxW (or a feature count) of whole numbers from 1 to 2147483647", found: dims.join("x") || "nothing" }));
      return undefined;
    }
    return dims;
  }

  private readDefaults(decl: DefaultsDecl, ctx: EvalContext): void {
    const groups = defaultGroups();
    for (const entry of decl.entries) {
      const g = entry.op.name;
      const members = opsInGroup(g);
      if (members.length === 0) {
        this.diagnostics.push(diag("NET2001", this.file, entry.op.span, { name: g, hint: suggest(g, groups) || ` Defaults apply to: ${groups.join(", ")}.` }));
        continue;
      }
      for (const attr of entry.attrs) {
        const key = attr.kind === "namedAttr" ? attr.key.name : attr.kind === "flagAttr" ? attr.name.name : undefined;
        const known = key !== undefined && members.some((op) => (attr.kind === "flagAttr" ? findFlag(op, key) : findAttr(op, key)));
        if (!known) {
          const span = attr.kind === "namedAttr" ? attr.key.span : attr.span;
          const what = key === undefined ? "a bare value" : key;
          this.diagnostics.push(diag("NET2013", this.file, span, { name: what, op: `defaults of '${g}'`, hint: key === undefined ? " Defaults take key=value or flags." : "" }));
        }
      }
      const list = this.defaults.get(g) ?? [];
      list.push({ attrs: entry.attrs, ctx, lenient: true });
      this.defaults.set(g, list);
    }
  }

  // ---- statements ----

  statement(st: Statement, input: number | undefined, scope: Scope, ctx: EvalContext, forcedName?: string): number | undefined {
    if (this.stopped || !this.step(st.span, ctx)) return undefined;
    const name = st.name?.name ?? forcedName ?? scope.autoName(autoKind(st.layer));
    const path = scope.path(name);
    let from = input;
    if (st.from) {
      from = scope.lookup(st.from.name);
      if (from === undefined) {
        this.diagnostics.push(diag("NET2008", ctx.file, st.from.span, { name: st.from.name, hint: suggest(st.from.name, scope.visibleNames()) }));
        return st.weight ? input : undefined;
      }
    }
    let weight: number | undefined;
    if (st.weight) {
      if (!st.from) this.diagnostics.push(diag("NET4010", ctx.file, st.weight.span));
      const w = evaluate(st.weight, ctx);
      if (typeof w === "number" && w >= 0) weight = w;
      else if (w !== undefined) this.diagnostics.push(diag("NET4001", ctx.file, st.weight.span, { what: "An aux head's loss weight", expected: "a number >= 0", found: String(w) }));
    }
    const outerAux = this.aux;
    if (st.weight) this.aux = path;
    const firstNode = this.nodes.length;
    const inShape = from !== undefined ? this.nodes[from]!.shape : undefined;
    if (inShape) {
      checkShapeAnnotations(st.annotations, "in", { layer: path, actual: inShape, related: () => this.producedBy(from!) }, ctx);
    }
    // An unnamed `if` adds no level to the names: its statements read as if written in its place.
    const inPlace = st.layer?.kind === "if" && !st.name && forcedName === undefined;
    const out = from === undefined ? this.dryRun(st.layer, scope, ctx) : this.layer(st.layer, from, path, inPlace ? undefined : scope, ctx, scope);
    this.aux = outerAux;
    if (out === undefined) return st.weight ? input : undefined;
    const created = this.nodes.slice(firstNode).filter((n) => n.aux === this.aux || st.weight);
    const params = created.reduce((s, n) => s + n.params, 0);
    const macs = created.reduce((s, n) => s + n.macs, 0);
    const shape = this.nodes[out]!.shape;
    checkShapeAnnotations(st.annotations, "out", { layer: path, actual: shape }, ctx);
    checkCostAnnotations(st.annotations, path, params, macs, ctx);
    const source: Source = { file: ctx.file, span: st.span };
    if (st.layer && !inPlace && (st.layer.kind !== "op" || created.length > 1)) {
      this.groups.push({
        name: path, kind: groupKind(st.layer), nodes: created.map((n) => n.id), output: out, shape, params, macs,
        aux: st.weight ? path : this.aux, source,
      });
    }
    if (st.name) scope.declare(st.name.name, out);
    if (st.weight) {
      if (weight !== undefined && st.from) this.auxOutputs.push({ name: path, node: out, weight });
      return input;
    }
    return out;
  }

  /** The statement that produced a node, for related locations. */
  private producedBy(id: number): Related[] {
    const n = this.nodes[id]!;
    // The outermost statement whose output this is (the block call, not the concat inside it).
    // Groups are registered inner first, so the last one with this output is the outermost.
    const g = this.groups.filter((x) => x.output === id).pop();
    const at = g ? g.source : n.source;
    return [{ file: at.file, span: at.span, message: `${g?.name ?? n.name} produces ${formatShape(n.shape)}` }];
  }

  /** Validates names and attributes of a statement whose input is unknown (an earlier error). */
  private dryRun(layer: LayerExpr | undefined, scope: Scope, ctx: EvalContext): undefined {
    if (!layer) return undefined;
    if (layer.kind === "op") {
      const spec = this.findOpOrReport(layer, ctx);
      if (spec) readAttrs(spec, [...this.defaultsFor(spec), { attrs: layer.attrs, ctx, lenient: false }], layer.op.span, ctx);
    } else if (layer.kind === "blockCall") {
      const entry = this.program.blocks.get(layer.callee.name);
      if (!entry) this.reportUnknownBlock(layer, ctx);
      else {
        this.usedBlocks.add(layer.callee.name);
        bindArguments(layer, entry, ctx);
      }
    } else {
      for (const st of childStatements(layer)) this.dryRun(st.layer, scope, ctx);
    }
    return undefined;
  }

  /** `scope` is undefined for an `if` elaborated in place, in `outer`. */
  private layer(layer: LayerExpr | undefined, input: number, path: string, maybeScope: Scope | undefined, ctx: EvalContext, outer?: Scope): number | undefined {
    if (!layer) return undefined;
    const scope = maybeScope ?? outer!;
    switch (layer.kind) {
      case "op":
        return this.op(layer, input, path, ctx);
      case "blockCall":
        return this.call(layer, input, path, ctx);
      case "seq":
        return this.body(layer.body, input, scope.child(path), ctx);
      case "merge":
        return this.merge(layer, input, path, scope, ctx);
      case "repeat":
        return this.repeat(layer, input, path, scope, ctx);
      case "if": {
        const body = this.chosen(layer, ctx);
        if (body === undefined) return undefined;
        // Skipped: the statement passes its input on.
        if (body === null) return input;
        if (maybeScope) return this.body(body, input, scope.child(path), ctx);
        this.checkDuplicates(body, ctx, "if");
        scope.reserve(body);
        let current: number | undefined = input;
        for (const [i, st] of body.entries()) {
          current = this.statement(st, current, scope, ctx);
          if (current === undefined) {
            for (const rest of body.slice(i + 1)) this.dryRun(rest.layer, scope, ctx);
            return undefined;
          }
        }
        return current;
      }
    }
  }

  /** The body an `if` takes: undefined after an error, null when it is skipped (false, no else). */
  private chosen(layer: IfLayer, ctx: EvalContext): Statement[] | null | undefined {
    const c = evaluate(layer.condition, ctx);
    if (c === undefined) return undefined;
    if (typeof c !== "boolean") {
      this.diagnostics.push(diag("NET4002", ctx.file, layer.condition!.span, { what: "The condition of 'if'", expected: "true or false (a comparison such as stride != 1)", found: describe(c) }));
      return undefined;
    }
    return c ? layer.then.body : (layer.else?.body ?? null);
  }

  private checkDuplicates(body: Statement[], ctx: EvalContext, where: string): void {
    const seen = new Map<string, Statement>();
    for (const st of body) {
      if (!st.name) continue;
      const prior = seen.get(st.name.name);
      if (prior) {
        this.duplicates.push({ file: ctx.file, span: st.span });
        this.diagnostics.push(diag("NET2004", ctx.file, st.name.span, { what: "layer name", name: st.name.name, scope: where }, {
          related: [{ file: ctx.file, span: prior.name!.span, message: "first declared here" }],
        }));
      } else seen.set(st.name.name, st);
    }
  }

  /** Statements in sequence. A body of one unnamed statement adds no level to the path. */
  body(body: Statement[], input: number, scope: Scope, ctx: EvalContext): number | undefined {
    this.checkDuplicates(body, ctx, "body");
    scope.reserve(body);
    const single = body.length === 1 && !body[0]!.name;
    let current: number | undefined = input;
    for (const st of body) {
      current = single ? this.statement(st, current, scope.parentScope(), ctx, scope.leaf()) : this.statement(st, current, scope, ctx);
      if (current === undefined) {
        for (const rest of body.slice(body.indexOf(st) + 1)) this.dryRun(rest.layer, scope, ctx);
        return undefined;
      }
    }
    return current;
  }

  private findOpOrReport(layer: OpLayer, ctx: EvalContext): OpSpec | undefined {
    const spec = findOp(layer.op.name);
    if (!spec) {
      const block = this.program.blocks.has(layer.op.name) ? ` '${layer.op.name}' is a block: call it with parentheses, ${layer.op.name}(...).` : "";
      this.diagnostics.push(diag("NET2001", ctx.file, layer.op.span, { name: layer.op.name, hint: block || suggest(layer.op.name, opNames()) }));
    }
    return spec;
  }

  private defaultsFor(spec: OpSpec): AttrSource[] {
    return spec.groups.flatMap((g) => this.defaults.get(g) ?? []);
  }

  private op(layer: OpLayer, input: number, path: string, ctx: EvalContext): number | undefined {
    const spec = this.findOpOrReport(layer, ctx);
    if (!spec) return undefined;
    const attrs = readAttrs(spec, [...this.defaultsFor(spec), { attrs: layer.attrs, ctx, lenient: false }], layer.op.span, ctx);
    if (!attrs) return undefined;
    const lowered = spec.lower(attrs, this.nodes[input]!.shape);
    if (typeof lowered === "string") {
      this.diagnostics.push(diag("NET4005", ctx.file, layer.span, { op: spec.name, detail: lowered }));
      return undefined;
    }
    let current = input;
    for (const n of lowered) {
      const id = this.addNode(n.suffix ? `${path}/${n.suffix}` : path, n.attrs, [current], { file: ctx.file, span: layer.span });
      if (id === undefined) return undefined;
      current = id;
    }
    return current;
  }

  private step(span: Span, ctx: EvalContext): boolean {
    if (++this.steps <= MAX_STEPS) return true;
    if (!this.stopped) this.diagnostics.push(diag("NET4012", ctx.file, span, { limit: `${MAX_NODES.toString()} layers or ${MAX_STEPS} steps` }));
    this.stopped = true;
    return false;
  }

  addNode(name: string, attrs: NodeAttrs, inputs: number[], source: Source): number | undefined {
    if (this.nodes.length >= MAX_NODES) {
      if (!this.stopped) this.diagnostics.push(diag("NET4012", source.file, source.span, { limit: `${MAX_NODES} layers` }));
      this.stopped = true;
      return undefined;
    }
    const shapes = inputs.map((i) => this.nodes[i]!.shape);
    const r = outputShape(attrs, shapes);
    if ("error" in r) {
      this.reportShapeError(name, attrs, shapes[0]!, r.error, source);
      return undefined;
    }
    const params = paramCount(attrs, shapes);
    const macs = macCount(attrs, shapes, r.shape);
    const elements = r.shape.reduce((a, b) => a * b, 1);
    if (![elements, params, macs].every(Number.isSafeInteger)) {
      this.diagnostics.push(diag("NET3011", source.file, source.span, { layer: name, count: Math.max(elements, params, macs).toExponential(2) }));
      return undefined;
    }
    const first = this.byName.get(name);
    if (first !== undefined && !this.reportedDuplicate(source)) {
      const other = this.nodes[first]!;
      this.diagnostics.push(diag("NET2017", source.file, source.span, { name }, {
        related: [{ file: other.source.file, span: other.source.span, message: `the first layer named '${name}'` }],
      }));
      // Elaboration goes on (the error keeps the graph from any backend), so later statements are still checked.
    }
    const id = this.nodes.length;
    this.nodes.push({ id, name, attrs, inputs, shape: r.shape, params, macs, aux: this.aux, source });
    if (first === undefined) this.byName.set(name, id);
    return id;
  }

  private reportedDuplicate(source: Source): boolean {
    const at = source.span.offset;
    return this.duplicates.some((d) => d.file === source.file && d.span.offset <= at && at < d.span.offset + d.span.length);
  }

  private reportShapeError(layer: string, attrs: NodeAttrs, input: Shape, e: ShapeError, source: Source): void {
    const at = (code: Parameters<typeof diag>[0], args: Record<string, string | number>) =>
      this.diagnostics.push(diag(code, source.file, source.span, args));
    switch (e.kind) {
      case "rank":
        at("NET3010", { layer, expected: e.expected, found: formatShape(e.found), hint: e.found.length === 3 && attrs.op === "dense" ? " Insert 'flatten' (or 'avgpool global' then 'flatten') before it." : "" });
        return;
      case "zero":
        at("NET3005", { layer, input: formatShape(input), output: formatShape(e.output) });
        return;
      case "kernel":
        at("NET3006", { layer, kernel: e.kernel.join("x"), input: e.padded.join("x") });
        return;
      case "groups":
        at("NET3007", { layer, groups: e.groups, inC: e.inC, outC: e.outC });
        return;
    }
  }

  // ---- blocks, merges, repeats ----

  private reportUnknownBlock(call: BlockCall, ctx: EvalContext): void {
    const isOp = findOp(call.callee.name) ? ` '${call.callee.name}' is an op: write it without parentheses, e.g. '${call.callee.name} 3x3 64'.` : "";
    this.diagnostics.push(diag("NET2002", ctx.file, call.callee.span, { name: call.callee.name, hint: isOp || suggest(call.callee.name, this.program.blocks.keys()) }));
  }

  private call(call: BlockCall, input: number, path: string, ctx: EvalContext): number | undefined {
    const entry = this.program.blocks.get(call.callee.name);
    if (!entry) {
      this.reportUnknownBlock(call, ctx);
      return undefined;
    }
    this.usedBlocks.add(call.callee.name);
    // A cycle is reported once by the program loader (NET2005); depth is reported here.
    if (this.callStack.includes(call.callee.name)) return undefined;
    if (this.callStack.length >= MAX_CALL_DEPTH) {
      const chain = [...this.callStack, call.callee.name];
      const shown = chain.length > 8 ? [...chain.slice(0, 4), "...", ...chain.slice(-3)] : chain;
      this.diagnostics.push(diag("NET2023", ctx.file, call.span, { limit: MAX_CALL_DEPTH, found: chain.length, chain: shown.join(" -> ") }));
      return undefined;
    }
    const env = bindArguments(call, entry, ctx);
    if (!env) return undefined;
    const inner: EvalContext = { file: entry.file, env, diagnostics: this.diagnostics };
    const related: Related[] = [{ file: ctx.file, span: call.span, message: `called here as ${path}` }];
    const innerDiagStart = this.diagnostics.length;
    const at = { file: ctx.file, span: call.span };
    const params = entry.decl.params.map((p) => p.name.name);
    const argumentOf = (param: string) => {
      const named = call.args.find((x) => x.name?.name === param);
      const positional = call.args.filter((x) => !x.name)[params.indexOf(param)];
      return (named ?? positional)?.value?.span;
    };
    bindInputNames(entry.decl.annotations, this.nodes[input]!.shape, env, entry.file);
    checkShapeAnnotations(entry.decl.annotations, "in", { layer: `${path} (${call.callee.name})`, actual: this.nodes[input]!.shape, related: () => this.producedBy(input), at, argumentOf }, inner);
    this.callStack.push(call.callee.name);
    const out = this.body(entry.decl.body, input, new Scope(path, undefined, []), inner);
    this.callStack.pop();
    if (out !== undefined) checkShapeAnnotations(entry.decl.annotations, "out", { layer: `${path} (${call.callee.name})`, actual: this.nodes[out]!.shape, at }, inner);
    // Diagnostics inside a block also point at the call that produced them.
    for (const d of this.diagnostics.slice(innerDiagStart)) if (d.file !== ctx.file || !contains(call.span, d.span)) d.related.push(...related);
    return out;
  }

  private merge(layer: MergeLayer, input: number, path: string, scope: Scope, ctx: EvalContext): number | undefined {
    let act: NodeAttrs = layer.merge === "add" ? { op: "add", act: "none" } : { op: "concat" };
    if (layer.attrs.length > 0) {
      const r = readMergeAttrs(layer, ctx);
      if (r === undefined) return undefined;
      if (layer.merge === "add") act = { op: "add", act: r };
    }
    const branchScope = scope.child(path);
    this.checkDuplicates(layer.branches, ctx, layer.merge);
    branchScope.reserve(layer.branches);
    const outs: { id: number; st: Statement; name: string }[] = [];
    let broken = false;
    layer.branches.forEach((st, i) => {
      const name = st.name?.name ?? `b${i + 1}`;
      const s = branchScope.child(branchScope.path(name));
      let seq = st.layer?.kind === "seq" ? st.layer.body : undefined;
      if (st.layer?.kind === "if") {
        // A skipped `if` leaves its branch out (an `add` of one branch is that branch).
        const body = this.chosen(st.layer, ctx);
        if (body === undefined) broken = true;
        if (!body) return;
        seq = body;
      }
      const out = st.name ? this.statement(st, input, branchScope, ctx) : seq ? this.body(seq, input, s, ctx) : this.statement(st, input, s, ctx);
      if (out === undefined) broken = true;
      else outs.push({ id: out, st, name });
    });
    if (broken) return undefined;
    if (outs.length === 0) return input;
    const shapes = outs.map((o) => this.nodes[o.id]!.shape);
    const source: Source = { file: ctx.file, span: { offset: layer.span.offset, length: layer.keyword.length } };
    if (layer.merge === "concat" && !this.concatAgrees(outs, shapes, ctx, layer.keyword)) return undefined;
    if (layer.merge === "add" && !this.addAgrees(outs, shapes, ctx, layer.keyword)) return undefined;
    if (outs.length === 1) {
      if (act.op !== "add" || act.act === "none") return outs[0]!.id;
      return this.addNode(path, { op: "act", fn: act.act }, [outs[0]!.id], source);
    }
    return this.addNode(path, act, outs.map((o) => o.id), source);
  }

  private concatAgrees(outs: { id: number; st: Statement; name: string }[], shapes: Shape[], ctx: EvalContext, keyword: Span): boolean {
    if (shapes.some((s) => s.length !== shapes[0]!.length)) {
      const details = outs.map((o, i) => `${o.name} ${formatShape(shapes[i]!)}`).join(", ");
      this.diagnostics.push(diag("NET3003", ctx.file, keyword, { details, hint: " All branches must produce CxHxW maps (or all flat vectors)." }));
      return false;
    }
    if (shapes[0]!.length === 1) return true;
    const hw = (s: Shape) => `${s[1]}x${s[2]}`;
    if (shapes.every((s) => hw(s) === hw(shapes[0]!))) return true;
    const counts = new Map<string, number>();
    for (const s of shapes) counts.set(hw(s), (counts.get(hw(s)) ?? 0) + 1);
    const majority = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    const [mh, mw] = majority.split("x").map(Number) as [number, number];
    const odd = outs.map((o, i) => ({ o, s: shapes[i]! })).filter((x) => hw(x.s) !== majority);
    const details = odd.map(({ o, s }) => `${o.name} gives ${hw(s)} where the others give ${majority} (${describeDiff(s[1]! - mh, s[2]! - mw)})`).join("; ");
    const offByOne = odd.every(({ s }) => Math.abs(s[1]! - mh) <= 1 && Math.abs(s[2]! - mw) <= 1);
    const hint = offByOne ? " A one-pixel difference usually comes from rounding: use ceil rounding in the pooling layer ('ceil', as Caffe) or pad=same so every branch keeps the input size." : " Check the strides and padding of each branch.";
    const related: Related[] = odd.map(({ o, s }) => ({ file: ctx.file, span: o.st.span, message: `${o.name} produces ${formatShape(s)}` }));
    const fixes = offByOne ? this.ceilFixes(odd.map((x) => x.o.id)) : [];
    this.diagnostics.push(diag("NET3003", ctx.file, keyword, { details, hint }, { related, fixes }));
    return false;
  }

  /** Offers `ceil` on floor-rounded pools feeding the odd branches. */
  private ceilFixes(ids: number[]) {
    const fixes = [];
    for (const id of ids) {
      for (let n: IrNode | undefined = this.nodes[id]; n; n = n.inputs.length === 1 ? this.nodes[n.inputs[0]!] : undefined) {
        if ((n.attrs.op === "maxpool" || n.attrs.op === "avgpool") && !n.attrs.ceil) {
          const end = n.source.span.offset + n.source.span.length;
          fixes.push({ title: `Use ceil rounding in ${n.name}`, edits: [{ file: n.source.file, span: { offset: end, length: 0 }, newText: " ceil" }] });
          break;
        }
      }
    }
    return fixes;
  }

  private addAgrees(outs: { id: number; st: Statement; name: string }[], shapes: Shape[], ctx: EvalContext, keyword: Span): boolean {
    const first = formatShape(shapes[0]!);
    if (shapes.every((s) => formatShape(s) === first)) return true;
    const details = outs.map((o, i) => `${o.name} ${formatShape(shapes[i]!)}`).join(", ");
    const related: Related[] = outs.map((o, i) => ({ file: ctx.file, span: o.st.span, message: `${o.name} produces ${formatShape(shapes[i]!)}` }));
    this.diagnostics.push(diag("NET3004", ctx.file, keyword, { details }, { related }));
    return false;
  }

  private repeat(layer: RepeatLayer, input: number, path: string, scope: Scope, ctx: EvalContext): number | undefined {
    const count = evaluate(layer.count, ctx);
    if (count === undefined) return undefined;
    if (typeof count !== "number" || !Number.isInteger(count) || count < 0 || count > MAX_REPEAT) {
      this.diagnostics.push(diag("NET4011", ctx.file, layer.count!.span, { limit: MAX_REPEAT, found: String(count) }));
      return undefined;
    }
    let current: number | undefined = input;
    const outer = scope.child(path);
    for (let i = 0; i < count && current !== undefined && this.step(layer.span, ctx); i++) {
      const env = ctx.env.child();
      if (layer.index) env.define(layer.index.name, { value: i, span: layer.index.span, file: ctx.file, used: true });
      current = this.body(layer.body, current, outer.child(outer.path(String(i))), { ...ctx, env });
    }
    return current;
  }
}

function readMergeAttrs(layer: MergeLayer, ctx: EvalContext): Activation | undefined {
  let act: Activation = "none";
  for (const a of layer.attrs) {
    const name = a.kind === "flagAttr" ? a.name.name : a.kind === "namedAttr" && a.key.name === "act" && a.value?.kind === "name" ? a.value.name : undefined;
    const found = activations.find((x) => x === name);
    if (found && layer.merge === "add") act = found;
    else {
      ctx.diagnostics.push(diag("NET2013", ctx.file, a.span, { name: name ?? "value", op: layer.merge, hint: layer.merge === "add" ? ` add takes an activation: ${activations.join(", ")}.` : " concat takes no attributes." }));
      return undefined;
    }
  }
  return act;
}

function bindArguments(call: BlockCall, entry: { decl: { params: { name: { name: string; span: Span }; default: import("../syntax/ast.js").Expr | undefined }[]; name?: { name: string } }; file: string }, ctx: EvalContext): Env | undefined {
  const params = entry.decl.params;
  const blockName = call.callee.name;
  const given = new Map<string, { value: ReturnType<typeof evaluate>; span: Span }>();
  let ok = true;
  let positional = 0;
  for (const arg of call.args) {
    const value = evaluate(arg.value, ctx);
    if (arg.value && value === undefined) ok = false;
    if (arg.name) {
      if (!params.some((p) => p.name.name === arg.name!.name)) {
        ctx.diagnostics.push(diag("NET2010", ctx.file, arg.name.span, { block: blockName, name: arg.name.name, hint: suggest(arg.name.name, params.map((p) => p.name.name)) }));
        ok = false;
        continue;
      }
      if (given.has(arg.name.name)) {
        ctx.diagnostics.push(diag("NET2015", ctx.file, arg.span, { name: arg.name.name }));
        ok = false;
      }
      given.set(arg.name.name, { value, span: arg.span });
    } else {
      const p = params[positional++];
      if (!p) continue;
      given.set(p.name.name, { value, span: arg.span });
    }
  }
  const positionalCount = call.args.filter((a) => !a.name).length;
  if (positionalCount > params.length) {
    const required = params.filter((q) => !q.default).length;
    const expected = required === params.length ? String(required) : `${required} to ${params.length}`;
    ctx.diagnostics.push(diag("NET2009", ctx.file, call.span, { name: blockName, expected, found: call.args.length }));
    return undefined;
  }
  const env = new Env();
  const inner: EvalContext = { file: entry.file, env, diagnostics: ctx.diagnostics };
  for (const p of params) {
    const g = given.get(p.name.name);
    if (g) env.define(p.name.name, { value: g.value, span: p.name.span, file: entry.file, used: false });
    else if (p.default) env.define(p.name.name, { value: evaluate(p.default, inner), span: p.name.span, file: entry.file, used: false });
    else {
      const required = params.filter((q) => !q.default).length;
      ctx.diagnostics.push(diag("NET2009", ctx.file, call.span, { name: blockName, expected: required === params.length ? String(required) : `${required} to ${params.length}`, found: call.args.length }, {
        related: [{ file: entry.file, span: p.name.span, message: `parameter '${p.name.name}' has no default` }],
      }));
      return undefined;
    }
  }
  return ok ? env : undefined;
}

/**
 * `block Basic(cout, stride = 1) <- cin { ... }`: a bare name in the block's
 * input annotation that is not a parameter is bound to that dimension of the
 * input (one name: the channels or features; a list `(c, h, w)`: each dim).
 */
function bindInputNames(annotations: Annotation[], shape: Shape, env: Env, file: string): void {
  for (const a of annotations) {
    if (a.kind !== "shapeAnnotation" || a.direction !== "in" || a.dims) continue;
    a.exprs.forEach((e, i) => {
      if (e.kind === "name" && !env.lookup(e.name) && shape[i] !== undefined) {
        env.define(e.name, { value: shape[i], span: e.span, file, used: true });
      }
    });
  }
}

function contains(outer: Span, inner: Span): boolean {
  return inner.offset >= outer.offset && inner.offset + inner.length <= outer.offset + outer.length;
}

function describeDiff(dh: number, dw: number): string {
  const part = (d: number, axis: string) => (d === 0 ? "" : `${Math.abs(d)} pixel${Math.abs(d) === 1 ? "" : "s"} ${d < 0 ? "smaller" : "larger"} in ${axis}`);
  return [part(dh, "height"), part(dw, "width")].filter(Boolean).join(", ");
}

function autoKind(layer: LayerExpr | undefined): string {
  if (!layer) return "layer";
  switch (layer.kind) {
    case "op":
      return findOp(layer.op.name)?.name ?? layer.op.name;
    case "blockCall":
      return layer.callee.name.toLowerCase();
    case "seq":
      return "seq";
    case "merge":
      return layer.merge;
    case "repeat":
      return "repeat";
    case "if":
      return "if";
  }
}

function groupKind(layer: LayerExpr): string {
  switch (layer.kind) {
    case "op":
      return findOp(layer.op.name)?.name ?? layer.op.name;
    case "blockCall":
      return layer.callee.name;
    case "merge":
      return layer.merge;
    default:
      return layer.kind;
  }
}
