// Elaboration: expands blocks, applies defaults, resolves attributes and infers
// every shape, producing the IR graph. Works on partial trees: a broken statement
// stops its own chain but the rest of the spec is still checked.

import type { Annotation, BlockCall, DefaultsDecl, IfLayer, LayerExpr, MergeLayer, NetworkDecl, OpLayer, RepeatLayer, Span, Statement } from "../syntax/ast.js";
import type { Activation, IrGraph, IrGroup, IrNode, NodeAttrs, Origin, Shape, Source, TrainConfig } from "../ir/graph.js";
import { formatShape, type ShapeError } from "../ir/shapes.js";
import { broadcastShape, macCount, outputShape, paramCount } from "../ir/op-facts.js";
import type { Diagnostic, Related } from "../diagnostics/diagnostic.js";
import { diag, type DiagRest, type LiveCode } from "../diagnostics/catalogue.js";
import { assertNever } from "../util/assert-never.js";
import { checkCostAnnotations, checkShapeAnnotations } from "./annotations.js";
import { actSymbol, readActValue, readAttrs, type AttrSource } from "./attrs.js";
import { flagShadows, keyShadows } from "./ambiguity.js";
import { activations, actOf, canonicalOpNames, defaultGroups, findAttr, findFlag, findOp, groupOps, opNames, type OpSpec } from "./ops.js";
import type { BlockEntry, Program } from "./program.js";
import { Scope } from "./scope.js";
import type { Declaration, ParamValue, Resolutions, Resolution } from "./resolutions.js";
import { suggest, suggestAmong } from "./suggest.js";
import { readTrain } from "./train.js";
import { readPreprocess } from "./preprocess.js";
import { brief, describe, Env, evaluate, type Binding, type EvalContext, type Value } from "./values.js";

/** The op table's names, for unknown-op hints (the table is fixed; a spec of many errors lists them often). */
const OP_NAMES = opNames();
const OP_LIST = canonicalOpNames().join(", ");

const NO_DEFAULTS: readonly AttrSource[] = Object.freeze([]);

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
  /** What each name resolved to, and each parameter's values (the editor's table). */
  resolutions: Resolutions;
  /** Each call's parameter bindings, read after elaboration for the unused-parameter warning. */
  boundParams: BoundParam[];
}

export interface BoundParam {
  block: string;
  param: string;
  binding: Binding;
}

/**
 * Values that replace what the entry file's networks declare (`--set name=value`,
 * `--input CxHxW`): a parameter's default, the input's shape.
 */
export interface Overrides {
  params?: Record<string, number>;
  input?: number[];
}

export function elaborate(program: Program, net: NetworkDecl, file: string, overrides?: Overrides): Elaboration {
  return new Elaborator(program, net, file, overrides).run();
}

/**
 * The names used in a block that no network of the file calls (a library open
 * in the editor, a block written before its first call), resolved with its
 * parameters at their defaults or 1 (values only steer which positional form an
 * argument takes). Only the resolutions are kept: the block's mistakes are
 * reported where it is called, with real arguments.
 */
export function resolveUncalledBlock(program: Program, entry: BlockEntry): Resolution[] {
  const none = { kind: "network", params: [], items: [], annotations: [], span: entry.decl.span } as unknown as NetworkDecl;
  return new Elaborator(program, none, entry.file).resolveUncalled(entry);
}

class Elaborator {
  readonly nodes: IrNode[] = [];
  readonly groups: IrGroup[] = [];
  readonly diagnostics: Diagnostic[] = [];
  readonly usedBlocks = new Set<string>();
  readonly boundParams: BoundParam[] = [];
  readonly auxOutputs: IrGraph["auxOutputs"] = [];
  readonly uses: Resolution[] = [];
  readonly values: ParamValue[] = [];
  readonly origins: Origin[] = [];
  /** The statement instance being elaborated, and the block-call instance it sits in. */
  private origin = 0;
  private callOrigin: number | undefined;
  private readonly defaults = new Map<string, AttrSource[]>();
  private readonly callStack: string[] = [];
  /** Node id by path name: a quoted name with '/' can spell a generated path ("x/bn"). */
  private readonly byName = new Map<string, number>();
  /** Statements already reported as duplicate names (NET2004): no second report for their path. */
  private readonly duplicates: Source[] = [];
  private aux: string | undefined;
  private stopped = false;
  private steps = 0;
  /** Tuple elements computed by every expression of this elaboration (values.ts bounds them). */
  private readonly work = { elements: 0, reported: false };

  constructor(
    private readonly program: Program,
    private readonly net: NetworkDecl,
    private readonly file: string,
    private readonly overrides?: Overrides,
  ) {}

  resolveUncalled(entry: BlockEntry): Resolution[] {
    const env = new Env();
    const ctx: EvalContext = { file: entry.file, env, diagnostics: [], uses: this.uses, work: this.work };
    for (const p of entry.decl.params) {
      const value = p.default ? evaluate(p.default, ctx) : 1;
      env.define(p.name.name, { value: value ?? 1, span: p.name.span, file: entry.file, used: false });
    }
    for (const a of entry.decl.annotations) {
      if (a.kind !== "shapeAnnotation" || a.direction !== "in" || a.dims) continue;
      for (const e of a.exprs) if (e.kind === "name" && !env.lookup(e.name)) env.define(e.name, { value: 1, span: e.span, file: entry.file, used: true, kind: "inputName" });
    }
    const scope = new Scope(entry.decl.name?.name ?? "block", undefined, []);
    for (const st of entry.decl.body) this.dryStatement(st, scope, ctx);
    return this.uses;
  }

  run(): Elaboration {
    const env = new Env();
    const ctx: EvalContext = { file: this.file, env, diagnostics: this.diagnostics, uses: this.uses, work: this.work };
    const set = this.overrides?.params ?? {};
    const netName = this.net.name?.name ?? "network";
    for (const name of Object.keys(set)) {
      if (this.net.params.some((p) => p.name.name === name)) continue;
      const known = this.net.params.map((p) => p.name.name);
      this.diagnostics.push(diag("NET2080", this.file, this.net.name?.span ?? this.net.span, { name, network: netName, known: known.length ? known.join(", ") : "it has none" }));
    }
    for (const p of this.net.params) {
      const value = Object.hasOwn(set, p.name.name) ? set[p.name.name] : evaluate(p.default, ctx);
      env.define(p.name.name, { value, span: p.name.span, file: this.file, used: false });
      this.values.push({ decl: { file: this.file, span: p.name.span, name: p.name.name, kind: "param" }, value: brief(value), text: undefined, call: undefined });
    }
    const input = this.net.items.find((i) => i.kind === "input");
    let train: TrainConfig | undefined;
    // Indexed loops here: run() is called once, so its loops over every statement run before V8 optimizes it,
    // where a for-of allocates an iterator result per element.
    const items = this.net.items;
    for (let k = 0; k < items.length; k++) {
      const item = items[k]!;
      if (item.kind === "defaults") this.readDefaults(item, ctx);
      if (item.kind === "train") train = readTrain(item, ctx);
    }
    const name = this.net.name?.name ?? "network";
    if (!input || input.kind !== "input") {
      this.diagnostics.push(diag("NET3013", this.file, this.net.name?.span ?? this.net.span, { name }));
      return this.result(undefined, undefined);
    }
    const inputShape = this.inputShape(input, ctx);
    const inputName = input.name?.name ?? "input";
    const preprocess = readPreprocess(input.preprocess, inputShape, ctx);
    this.origins.push({ file: this.file, span: input.span, path: inputName, call: undefined });
    let current: number | undefined;
    if (inputShape) {
      current = this.nodes.length;
      this.nodes.push({
        id: current, name: inputName, attrs: { op: "input" }, inputs: [], shape: inputShape,
        params: 0, macs: 0, aux: undefined, source: { file: this.file, span: input.span }, origin: 0,
      });
      this.byName.set(inputName, current);
    }
    const top = new Scope("", undefined, [inputName]);
    const topLevel: Statement[] = [];
    for (let k = 0; k < items.length; k++) {
      const i = items[k]!;
      if (i.kind === "statement") topLevel.push(i);
      else if (i.kind === "section") for (let j = 0; j < i.body.length; j++) topLevel.push(i.body[j]!);
    }
    this.checkDuplicates(topLevel, ctx, "network");
    top.reserve(this.net.items.filter((i): i is Statement => i.kind === "statement"));
    top.bind(inputName, inputShape ? current! : undefined, { file: this.file, span: input.name?.span ?? input.span, name: inputName, kind: "input" });
    let last: Statement | undefined;
    // A section written twice (two `body { }`) is one scope: its automatic names must not start over.
    let sections: Map<string, Scope> | undefined;
    for (let k = 0; k < items.length; k++) {
      const item = items[k]!;
      if (this.stopped) break;
      if (item.kind === "section") {
        const scope = sections?.get(item.section) ?? top.section(item.section);
        (sections ??= new Map()).set(item.section, scope);
        scope.reserve(item.body);
        for (let j = 0; j < item.body.length; j++) {
          const st = item.body[j]!;
          current = this.statement(st, current, scope, ctx);
          last = st;
        }
      } else if (item.kind === "statement") {
        current = this.statement(item, current, top, ctx);
        last = item;
      }
    }
    if (inputShape && !last) this.diagnostics.push(diag("NET3012", this.file, this.net.name?.span ?? this.net.span));
    if (!inputShape) return this.result(undefined, undefined);
    const failed = current === undefined || this.diagnostics.some((d) => d.severity === "error");
    const main = this.nodes.filter((n) => n.aux === undefined);
    const sum = (list: IrNode[], f: (n: IrNode) => number) => list.reduce((s, n) => s + f(n), 0);
    const graph: IrGraph = {
      name, file: this.file, inputName, inputShape, nodes: this.nodes, origins: this.origins, output: current ?? this.nodes.length - 1,
      auxOutputs: this.auxOutputs, groups: this.groups, train: train ?? readTrain(undefined, ctx),
      params: sum(main, (n) => n.params), macs: sum(main, (n) => n.macs), paramsWithAux: sum(this.nodes, (n) => n.params),
    };
    if (preprocess) graph.preprocess = preprocess;
    return this.result(failed ? undefined : graph, graph);
  }

  private result(graph: IrGraph | undefined, partial: IrGraph | undefined): Elaboration {
    return { graph, partial, diagnostics: this.diagnostics, usedBlocks: this.usedBlocks, resolutions: { uses: this.uses, values: this.values }, boundParams: this.boundParams };
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
    const forced = this.overrides?.input;
    if (forced) {
      if (forced.length !== dims.length) {
        const expected = dims.length === 3 ? "CxHxW" : "one feature count";
        this.diagnostics.push(diag("NET2081", this.file, input.shape?.span ?? input.span, { found: forced.join("x"), expected, input: input.name?.name ?? "input", rank: forced.length }));
        return undefined;
      }
      dims = forced;
    }
    const ok = (dims.length === 3 || dims.length === 1) && dims.every((d) => Number.isInteger(d) && d >= 1 && d <= 2147483647);
    if (!ok) {
      this.diagnostics.push(diag("NET4001", this.file, input.shape?.span ?? input.span, { what: "The input shape", expected: "CxHxW (or a feature count) of whole numbers from 1 to 2147483647", found: dims.join("x") || "nothing" }));
      return undefined;
    }
    return dims;
  }

  private readDefaults(decl: DefaultsDecl, ctx: EvalContext): void {
    for (const entry of decl.entries) {
      const g = entry.op.name;
      const members = groupOps(g);
      if (members.length === 0) {
        const groups = defaultGroups();
        this.diagnostics.push(diag("NET2001", this.file, entry.op.span, { name: g, hint: suggest(g, groups) || ` Defaults apply to: ${groups.join(", ")}.` }));
        continue;
      }
      for (const attr of entry.attrs) {
        // `defaults { conv leakyrelu(0.2) }`: the activation flag with its number stands for act=.
        const actCall = attr.kind === "valueAttr" && attr.value?.kind === "call" && activations.includes(attr.value.callee.name as Activation);
        const key = attr.kind === "namedAttr" ? attr.key.name : attr.kind === "flagAttr" ? attr.name.name : actCall ? "act" : undefined;
        const known = key !== undefined && members.some((op) => (attr.kind === "flagAttr" ? findFlag(op, key) : findAttr(op, key)));
        if (!known) {
          const span = attr.kind === "namedAttr" ? attr.key.span : attr.span;
          const what = key === undefined ? "a bare value" : key;
          const words = [...new Set(members.flatMap((op) => (attr.kind === "flagAttr" ? Object.keys(op.flags) : op.attrs.flatMap((x) => [x.key, ...(x.aliases ?? [])]))))];
          const listed = `${suggest(key ?? "", words)} The '${g}' defaults take the ${attr.kind === "flagAttr" ? "flags" : "attributes"} ${words.join(", ")}.`;
          this.diagnostics.push(diag("NET2013", this.file, span, { name: what, op: `defaults of '${g}'`, hint: key === undefined ? " Defaults take key=value or flags." : listed }));
        }
      }
      for (const attr of entry.attrs) {
        if (attr.kind === "flagAttr") {
          const flag = members.map((op) => findFlag(op, attr.name.name)).find((f) => f !== undefined);
          if (flag) flagShadows(attr.name, flag, `the '${g}' defaults`, undefined, ctx);
        } else if (attr.kind === "namedAttr" && attr.spaced) {
          const spec = members.map((op) => findAttr(op, attr.key.name)).find((x) => x !== undefined);
          if (spec) keyShadows(attr.key, spec.key, attr.value?.kind === "number" ? attr.value.text : "...", attr.span, `the '${g}' defaults`, ctx);
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
    const outerOrigin = this.origin;
    this.origin = this.origins.length;
    this.origins.push({ file: ctx.file, span: st.span, path, call: this.callOrigin });
    try {
      return this.statementIn(st, input, scope, ctx, path, forcedName);
    } finally {
      this.origin = outerOrigin;
    }
  }

  private statementIn(st: Statement, input: number | undefined, scope: Scope, ctx: EvalContext, path: string, forcedName: string | undefined): number | undefined {
    let from = input;
    if (st.from) {
      from = scope.lookup(st.from.name);
      this.resolveFrom(st.from, scope, from, ctx);
      if (from === undefined) {
        // A name whose statement failed is known: its error is already reported.
        if (!scope.resolve(st.from.name)?.decl) this.diagnostics.push(diag("NET2008", ctx.file, st.from.span, { name: st.from.name, hint: suggest(st.from.name, scope.visibleNames()) }));
        if (st.name) scope.declare(st.name.name, undefined, layerDecl(st, ctx));
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
    // (Most statements have no annotations: no check objects for them.)
    if (inShape && st.annotations.length > 0) {
      checkShapeAnnotations(st.annotations, "in", { layer: path, actual: inShape, related: () => this.producedBy(from!) }, ctx);
    }
    // An unnamed `if` adds no level to the names: its statements read as if written in its place.
    const inPlace = st.layer?.kind === "if" && !st.name && forcedName === undefined;
    const out = from === undefined ? this.dryRun(st.layer, scope, ctx) : this.layer(st.layer, from, path, inPlace ? undefined : scope, ctx, scope);
    this.aux = outerAux;
    if (out === undefined) {
      if (st.name) scope.declare(st.name.name, undefined, layerDecl(st, ctx));
      return st.weight ? input : undefined;
    }
    // The nodes the statement created (of its own aux head): counted, and listed only for a group below.
    let created = 0;
    let params = 0;
    let macs = 0;
    for (let i = firstNode; i < this.nodes.length; i++) {
      const n = this.nodes[i]!;
      if (n.aux === this.aux || st.weight) {
        created++;
        params += n.params;
        macs += n.macs;
      }
    }
    const shape = this.nodes[out]!.shape;
    // Annotations describe the spec as written: under --input a written size, under any override a written cost, no longer holds.
    if (st.annotations.length > 0 && !this.overrides?.input) checkShapeAnnotations(st.annotations, "out", { layer: path, actual: shape }, ctx);
    if (st.annotations.length > 0 && !this.overrides?.input && !this.overrides?.params) checkCostAnnotations(st.annotations, path, params, macs, ctx);
    if (st.layer && !inPlace && (st.layer.kind !== "op" || created > 1)) {
      // Of its exact size (the graph keeps it): pushing from [] would reserve 17 slots.
      const nodes = new Array<number>(created);
      for (let i = firstNode, j = 0; i < this.nodes.length; i++) {
        const n = this.nodes[i]!;
        if (n.aux === this.aux || st.weight) nodes[j++] = n.id;
      }
      const source: Source = { file: ctx.file, span: st.span };
      this.groups.push({
        name: path, kind: groupKind(st.layer), nodes, output: out, shape, params, macs,
        aux: st.weight ? path : this.aux, source,
      });
    }
    if (st.name) scope.declare(st.name.name, out, layerDecl(st, ctx));
    if (st.weight) {
      if (weight !== undefined && st.from) this.auxOutputs.push({ name: path, node: out, weight });
      return input;
    }
    return out;
  }

  /** Records what a `from` tap resolved to (the node `lookup` found, or a statement that failed). */
  private resolveFrom(ident: { name: string; span: Span }, scope: Scope, id: number | undefined, ctx: EvalContext): void {
    const r = scope.resolve(ident.name);
    if (r?.decl && (id === undefined || r.id === id)) this.uses.push({ file: ctx.file, span: ident.span, decl: r.decl });
  }

  /** A statement after an error: its names and taps are still resolved for the editor. */
  private dryStatement(st: Statement, scope: Scope, ctx: EvalContext): void {
    if (st.from) this.resolveFrom(st.from, scope, undefined, ctx);
    this.dryRun(st.layer, scope, ctx);
    if (st.name) scope.declare(st.name.name, undefined, layerDecl(st, ctx));
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
      if (spec) readAttrs(spec, this.defaultsFor(spec), layer.attrs, layer.op.span, ctx);
    } else if (layer.kind === "blockCall") {
      const entry = this.program.blocks.get(layer.callee.name);
      if (!entry) this.reportUnknownBlock(layer, ctx);
      else {
        this.usedBlocks.add(layer.callee.name);
        this.resolveCallee(layer, entry, ctx);
        bindArguments(layer, entry, ctx);
      }
    } else if (layer.kind === "seq" || layer.kind === "repeat") {
      // Not childStatements(): each body (and each arm of an if) gets its own scope and path.
      const inner = scope.child(scope.path(layer.kind));
      for (const st of layer.body) this.dryStatement(st, inner, ctx);
    } else if (layer.kind === "if") {
      for (const body of [layer.then.body, layer.else?.body ?? []]) {
        const inner = scope.child(scope.path("if"));
        for (const st of body) this.dryStatement(st, inner, ctx);
      }
    } else if (layer.kind === "merge") {
      const inner = scope.child(scope.path(layer.merge));
      for (const st of layer.branches) this.dryStatement(st, inner, ctx);
    } else {
      assertNever(layer);
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
            for (const rest of body.slice(i + 1)) this.dryStatement(rest, scope, ctx);
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
      this.diagnostics.push(diag("NET4002", ctx.file, layer.condition!.span, { what: "The condition of 'if'", expected: "true or false (a comparison such as stride != 1)", found: brief(c) }));
      return undefined;
    }
    return c ? layer.then.body : (layer.else?.body ?? null);
  }

  private checkDuplicates(body: Statement[], ctx: EvalContext, where: string): void {
    // Made at the first named statement (most bodies name none).
    let seen: Map<string, Statement> | undefined;
    for (const st of body) {
      if (!st.name) continue;
      const prior = (seen ??= new Map()).get(st.name.name);
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
        for (const rest of body.slice(body.indexOf(st) + 1)) this.dryStatement(rest, scope, ctx);
        return undefined;
      }
    }
    return current;
  }

  private findOpOrReport(layer: OpLayer, ctx: EvalContext): OpSpec | undefined {
    const spec = findOp(layer.op.name);
    if (!spec) {
      const block = this.program.blocks.has(layer.op.name) ? ` '${layer.op.name}' is a block: call it with parentheses, ${layer.op.name}(...).` : "";
      this.diagnostics.push(diag("NET2001", ctx.file, layer.op.span, { name: layer.op.name, hint: block || `${suggestAmong(layer.op.name, OP_NAMES)} The ops are ${OP_LIST}.` }));
    }
    return spec;
  }

  /** The defaults that apply to an op, its groups' in order (a network without defaults shares one empty list). */
  private defaultsFor(spec: OpSpec): readonly AttrSource[] {
    if (this.defaults.size === 0) return NO_DEFAULTS;
    const list: AttrSource[] = [];
    for (const g of spec.groups) {
      const d = this.defaults.get(g);
      if (d) for (const x of d) list.push(x);
    }
    return list;
  }

  private op(layer: OpLayer, input: number, path: string, ctx: EvalContext): number | undefined {
    const spec = this.findOpOrReport(layer, ctx);
    if (!spec) return undefined;
    const attrs = readAttrs(spec, this.defaultsFor(spec), layer.attrs, layer.op.span, ctx);
    if (!attrs) return undefined;
    const lowered = spec.lower(attrs, this.nodes[input]!.shape);
    if (typeof lowered === "string") {
      this.diagnostics.push(diag("NET4005", ctx.file, layer.span, { op: spec.name, detail: lowered }));
      return undefined;
    }
    if (typeof lowered === "function") {
      this.diagnostics.push(lowered(ctx.file, layer.span));
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
    let elements = 1;
    for (const d of r.shape) elements *= d;
    if (!(Number.isSafeInteger(elements) && Number.isSafeInteger(params) && Number.isSafeInteger(macs))) {
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
    this.nodes.push({ id, name, attrs, inputs, shape: r.shape, params, macs, aux: this.aux, source, origin: this.origin });
    if (first === undefined) this.byName.set(name, id);
    return id;
  }

  private reportedDuplicate(source: Source): boolean {
    const at = source.span.offset;
    return this.duplicates.some((d) => d.file === source.file && d.span.offset <= at && at < d.span.offset + d.span.length);
  }

  private reportShapeError(layer: string, attrs: NodeAttrs, input: Shape, e: ShapeError, source: Source): void {
    const at = <C extends LiveCode>(code: C, ...args: DiagRest<C>) => this.diagnostics.push(diag(code, source.file, source.span, ...args));
    switch (e.kind) {
      case "rank":
        at("NET3010", { layer, expected: e.expected, found: formatShape(e.found), hint: e.found.length === 3 && attrs.op === "dense" ? " Insert 'flatten' (or 'avgpool global' then 'flatten') before it." : "" });
        return;
      case "zero":
        // Sizes and strides are at least 1 (NET4001) and a kernel fits its padded input (NET3006), so this is a netc bug.
        at("NET9001", { stage: "computing shapes", detail: `${layer}: output size reaches zero (${formatShape(input)} -> ${formatShape(e.output)})` });
        return;
      case "kernel":
        at("NET3006", { layer, kernel: e.kernel.join("x"), input: e.padded.join("x") });
        return;
      case "groups":
        at("NET3007", { layer, groups: e.groups, inC: e.inC, outC: e.outC });
        return;
      case "normGroups":
        at("NET3030", { layer, groups: e.groups, channels: e.channels });
        return;
      case "slice": {
        const problem = e.start >= e.end ? "the slice is empty" : e.end > e.inC ? `it ends past channel ${e.inC}` : "it starts before channel 0";
        at("NET3035", { layer, start: e.start, end: e.end, inC: e.inC, problem });
        return;
      }
      case "shuffle":
        at("NET3036", { layer, groups: e.groups, inC: e.inC });
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
    this.resolveCallee(call, entry, ctx);
    // A cycle is reported once by the program loader (NET2005); depth is reported here.
    if (this.callStack.includes(call.callee.name)) return undefined;
    if (this.callStack.length >= MAX_CALL_DEPTH) {
      const chain = [...this.callStack, call.callee.name];
      const shown = chain.length > 8 ? [...chain.slice(0, 4), "...", ...chain.slice(-3)] : chain;
      this.diagnostics.push(diag("NET2023", ctx.file, call.span, { limit: MAX_CALL_DEPTH, found: chain.length, chain: shown.join(" -> ") }));
      return undefined;
    }
    const text = this.program.files.get(ctx.file)?.text;
    const env = bindArguments(call, entry, ctx, (decl, value, arg) => {
      this.values.push({ decl, value: brief(value), text: arg && text?.slice(arg.offset, arg.offset + arg.length), call: { file: ctx.file, span: call.span, path } });
    });
    if (!env) return undefined;
    for (const p of entry.decl.params) this.boundParams.push({ block: call.callee.name, param: p.name.name, binding: env.lookup(p.name.name)! });
    const inner: EvalContext = { file: entry.file, env, diagnostics: this.diagnostics, uses: this.uses, work: this.work };
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
    const outerCall = this.callOrigin;
    this.callOrigin = this.origin;
    const out = this.body(entry.decl.body, input, new Scope(path, undefined, []), inner);
    this.callOrigin = outerCall;
    const origin = this.origins[this.origin];
    if (origin && !origin.block && out !== undefined) {
      const args = entry.decl.params.map((p) => {
        const v = env.lookup(p.name.name)?.value;
        return typeof v === "number" ? v : undefined;
      });
      origin.block = { name: call.callee.name, params: entry.decl.params.map((p) => p.name.name), args, output: out };
    }
    this.callStack.pop();
    if (out !== undefined) checkShapeAnnotations(entry.decl.annotations, "out", { layer: `${path} (${call.callee.name})`, actual: this.nodes[out]!.shape, at }, inner);
    // Diagnostics inside a block also point at the call that produced them.
    // (A new list: a diagnostic's lists may be the shared empty ones.)
    for (let i = innerDiagStart; i < this.diagnostics.length; i++) {
      const d = this.diagnostics[i]!;
      if (d.file !== ctx.file || !contains(call.span, d.span)) d.related = d.related.concat(related);
    }
    return out;
  }

  private resolveCallee(call: BlockCall, entry: { decl: { name?: { name: string; span: Span } }; file: string }, ctx: EvalContext): void {
    if (entry.decl.name) this.uses.push({ file: ctx.file, span: call.callee.span, decl: { file: entry.file, span: entry.decl.name.span, name: entry.decl.name.name, kind: "block" } });
  }

  private merge(layer: MergeLayer, input: number, path: string, scope: Scope, ctx: EvalContext): number | undefined {
    let act: Extract<NodeAttrs, { op: "concat" | "add" | "mul" }> = layer.merge === "concat" ? { op: "concat" } : { op: layer.merge, act: "none" };
    if (layer.attrs.length > 0) {
      const r = readMergeAttrs(layer, ctx);
      if (r === undefined) return undefined;
      if (layer.merge !== "concat") act = { op: layer.merge, ...r };
    }
    const branchScope = scope.child(path);
    this.checkDuplicates(layer.branches, ctx, layer.merge);
    branchScope.reserve(layer.branches);
    const source: Source = { file: ctx.file, span: { offset: layer.span.offset, length: layer.keyword.length } };
    if (layer.branches.length === 0) {
      this.diagnostics.push(diag("NET3040", ctx.file, source.span, { merge: layer.merge }));
      return undefined;
    }
    const outs: { id: number; st: Statement; name: string }[] = [];
    let broken = false;
    let leftOut = 0;
    layer.branches.forEach((st, i) => {
      const name = st.name?.name ?? `b${i + 1}`;
      const s = branchScope.child(branchScope.path(name));
      let seq = st.layer?.kind === "seq" ? st.layer.body : undefined;
      if (st.layer?.kind === "if") {
        // A skipped `if` leaves its branch out (an `add` of one branch is that branch).
        const body = this.chosen(st.layer, ctx);
        if (body === undefined) broken = true;
        if (body === null) leftOut++;
        if (!body) return;
        seq = body;
      }
      const out = st.name ? this.statement(st, input, branchScope, ctx) : seq ? this.body(seq, input, s, ctx) : this.statement(st, input, s, ctx);
      if (out === undefined) broken = true;
      else outs.push({ id: out, st, name });
    });
    if (broken) return undefined;
    // Every branch was an `if` left out: passing the input on would be a guess (an add of nothing is not its input).
    if (outs.length === 0) {
      this.diagnostics.push(diag("NET3041", ctx.file, source.span, { merge: layer.merge, count: leftOut }));
      return undefined;
    }
    const shapes = outs.map((o) => this.nodes[o.id]!.shape);
    if (layer.merge === "concat" && !this.concatAgrees(outs, shapes, ctx, layer.keyword)) return undefined;
    if (layer.merge !== "concat" && !this.broadcastAgrees(outs, shapes, ctx, layer.keyword, layer.merge)) return undefined;
    if (outs.length === 1) {
      if (act.op === "concat" || act.act === "none") return outs[0]!.id;
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

  /** add and mul broadcast their branches as NumPy and PyTorch do (src/ir/op-facts.ts). */
  private broadcastAgrees(outs: { id: number; st: Statement; name: string }[], shapes: Shape[], ctx: EvalContext, keyword: Span, op: "add" | "mul"): boolean {
    if (broadcastShape(shapes)) return true;
    const details = outs.map((o, i) => `${o.name} ${formatShape(shapes[i]!)}`).join(", ");
    const related: Related[] = outs.map((o, i) => ({ file: ctx.file, span: o.st.span, message: `${o.name} produces ${formatShape(shapes[i]!)}` }));
    this.diagnostics.push(diag("NET3004", ctx.file, keyword, { op, details }, { related }));
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
      if (layer.index) env.define(layer.index.name, { value: i, span: layer.index.span, file: ctx.file, used: true, kind: "index" });
      current = this.body(layer.body, current, outer.child(outer.path(String(i))), { ...ctx, env });
    }
    return current;
  }
}

function readMergeAttrs(layer: MergeLayer, ctx: EvalContext): ReturnType<typeof actOf> | undefined {
  let act: ReturnType<typeof actOf> = { act: "none" };
  for (const a of layer.attrs) {
    // A flag (`relu`), `act=` a word, a block parameter or `leakyrelu(0.2)`, or a bare `leakyrelu(0.2)`.
    let name = a.kind === "flagAttr" ? a.name.name : a.kind === "namedAttr" && a.key.name === "act" && a.value?.kind === "name" ? a.value.name : undefined;
    let given: Value | undefined = name === undefined ? undefined : actSymbol(name);
    const expr = a.kind === "namedAttr" && a.key.name === "act" ? a.value : a.kind === "valueAttr" ? a.value : undefined;
    const evaluated = given === undefined && expr && (a.kind === "namedAttr" ? expr.kind !== "name" || ctx.env.lookup(expr.name) : expr.kind === "call");
    if (evaluated && layer.merge !== "concat") {
      given = readActValue(expr, ctx);
      if (given === undefined) return undefined;
      name = describe(given);
    }
    const valid = typeof given === "string" ? given === "none" || activations.includes(given as Activation) : Array.isArray(given);
    if (valid && layer.merge !== "concat") act = actOf(given);
    else {
      ctx.diagnostics.push(diag("NET2013", ctx.file, a.span, { name: name ?? "value", op: layer.merge, hint: layer.merge !== "concat" ? ` ${layer.merge} takes an activation: ${activations.join(", ")}.` : " concat takes no attributes." }));
      return undefined;
    }
  }
  return act;
}

function bindArguments(call: BlockCall, entry: { decl: { params: { name: { name: string; span: Span }; default: import("../syntax/ast.js").Expr | undefined }[]; name?: { name: string } }; file: string }, ctx: EvalContext, onBind?: (param: Declaration, value: ReturnType<typeof evaluate>, argument: Span | undefined) => void): Env | undefined {
  const params = entry.decl.params;
  const declOf = (p: { name: { name: string; span: Span } }): Declaration => ({ file: entry.file, span: p.name.span, name: p.name.name, kind: "param" });
  const blockName = call.callee.name;
  const given = new Map<string, { value: ReturnType<typeof evaluate>; span: Span }>();
  let ok = true;
  let positional = 0;
  for (const arg of call.args) {
    const value = evaluate(arg.value, ctx);
    if (arg.value && value === undefined) ok = false;
    if (arg.name) {
      const target = params.find((p) => p.name.name === arg.name!.name);
      if (target) ctx.uses?.push({ file: ctx.file, span: arg.name.span, decl: declOf(target) });
      if (!target) {
        ctx.diagnostics.push(diag("NET2010", ctx.file, arg.name.span, { block: blockName, name: arg.name.name, hint: suggest(arg.name.name, params.map((p) => p.name.name)) }));
        ok = false;
        continue;
      }
      if (given.has(arg.name.name)) {
        ctx.diagnostics.push(diag("NET2015", ctx.file, arg.span, { name: arg.name.name }));
        ok = false;
      }
      given.set(arg.name.name, { value, span: arg.value?.span ?? arg.span });
    } else {
      const p = params[positional++];
      if (!p) continue;
      given.set(p.name.name, { value, span: arg.value?.span ?? arg.span });
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
  const inner: EvalContext = { file: entry.file, env, diagnostics: ctx.diagnostics, uses: ctx.uses, work: ctx.work };
  const bound: [Declaration, ReturnType<typeof evaluate>, Span | undefined][] = [];
  for (const p of params) {
    const g = given.get(p.name.name);
    if (g) {
      env.define(p.name.name, { value: g.value, span: p.name.span, file: entry.file, used: false });
      bound.push([declOf(p), g.value, g.span]);
    } else if (p.default) {
      const value = evaluate(p.default, inner);
      env.define(p.name.name, { value, span: p.name.span, file: entry.file, used: false });
      bound.push([declOf(p), value, undefined]);
    } else {
      ctx.diagnostics.push(diag("NET2011", ctx.file, call.span, { name: p.name.name, block: blockName }, {
        related: [{ file: entry.file, span: p.name.span, message: `parameter '${p.name.name}' is declared here without a default` }],
      }));
      return undefined;
    }
  }
  if (ok && onBind) for (const [d, v, a] of bound) onBind(d, v, a);
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
        env.define(e.name, { value: shape[i], span: e.span, file, used: true, kind: "inputName" });
      }
    });
  }
}

function contains(outer: Span, inner: Span): boolean {
  return inner.offset >= outer.offset && inner.offset + inner.length <= outer.offset + outer.length;
}

function layerDecl(st: Statement, ctx: EvalContext): Declaration | undefined {
  return st.name ? { file: ctx.file, span: st.name.span, name: st.name.name, kind: "layer" } : undefined;
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
