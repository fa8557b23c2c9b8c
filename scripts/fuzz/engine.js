// The fuzz engine: builds case N of a seed (a few files in a virtual folder)
// and runs it through check, fmt, and when it checks clean, the tfjs code
// generator and the ONNX emitter, all in memory. Everything that reveals a bug
// in netc rather than in the spec is a failure: NET9001, any exception, a
// diagnostic outside its file, formatter output that does not parse, parses
// to another tree, checks differently or is not idempotent, generated code
// that does not parse, an ONNX graph with two nodes or values of one name.
//
// It takes netc's modules as arguments so that the suite runs it against
// src/ (vitest) and `npm run fuzz` against dist/.

import { Rng } from "./rng.js";
import { ProgramGenerator, validProgram } from "./generate.js";
import { mutate } from "./mutate.js";

export const CASE_DIR = "/netc-fuzz/case";

/**
 * netc's entry points from its module namespaces, e.g.
 * netcFrom({ check, format, parse, plan, modelCode, trainCode, onnxEmit, onnxProto }).
 */
export function netcFrom(m) {
  return {
    checkText: m.check.checkText,
    formatSource: m.format.formatSource,
    parse: m.parse.parse,
    tfjsCode(graph) {
      // What tf.layers cannot express is a located NET6xxx diagnostic, as `netc compile` reports it: nothing to generate.
      const { plan, diagnostics } = m.plan.planTfjs(graph);
      if (!plan) {
        const odd = diagnostics.find((d) => !/^NET6\d{3}$/.test(d.code) || d.severity !== "error" || !d.file.startsWith(CASE_DIR));
        if (odd || diagnostics.length === 0) throw new Error(`the tfjs plan refused the graph with ${odd ? `${odd.code} at ${odd.file}` : "no diagnostic"}`);
        return [];
      }
      const o = { ts: true, specPath: "case/main.net", netcVersion: "0.0.0" };
      return [m.modelCode.modelSource(plan, o), m.trainCode.trainSource(plan, o), m.modelCode.modelSource(plan, { ...o, ts: false }), m.trainCode.trainSource(plan, { ...o, ts: false })];
    },
    emitOnnx(graph) {
      return m.onnxProto.onnx.ModelProto.decode(m.onnxEmit.emitOnnx(graph, { seed: 0 }).model);
    },
    /** Syntax errors of generated TS/JS (the typescript package's parser), or undefined to skip. */
    syntaxErrors: m.ts
      ? (code, name) => {
          const sf = m.ts.createSourceFile(name, code, m.ts.ScriptTarget.ES2022, false, name.endsWith(".ts") ? m.ts.ScriptKind.TS : m.ts.ScriptKind.JS);
          return sf.parseDiagnostics.map((d) => m.ts.flattenDiagnosticMessageText(d.messageText, " "));
        }
      : undefined,
  };
}

/** Case `index` of `seed`: { files: Map<path, text>, entry, how }. Deterministic. */
export function makeCase(seed, index, corpus) {
  const r = Rng.forCase(seed, index);
  const files = new Map();
  const entry = `${CASE_DIR}/main.net`;
  const kind = r.int(10);
  let how;
  if (kind < 3) {
    files.set(entry, kind === 2 ? mutate(r, validProgram(r), 1) : validProgram(r));
    how = kind === 2 ? "valid+mutated" : "valid";
  } else if (kind < 6 || corpus.length === 0) {
    // Generated programs, some importing each other (cycles, missing files, self-imports included).
    const g = new ProgramGenerator(r, { hostile: r.pick([0, 0.02, 0.05, 0.2]) });
    const libs = r.int(3);
    const names = Array.from({ length: libs }, (_, i) => (r.chance(0.3) ? `sub/lib${i}.net` : `lib${i}.net`));
    for (let i = libs - 1; i >= 0; i--) {
      const imports = r.chance(0.2) ? [r.pick(["../main.net", "main.net", names[i], "nope.net", `${CASE_DIR}/lib0.net`, "/dev/zero"])] : i + 1 < libs && r.chance(0.5) ? [relativeTo(names[i], names[i + 1])] : [];
      files.set(`${CASE_DIR}/${names[i]}`, g.file(imports));
    }
    const text = g.file(names.filter(() => r.chance(0.8)));
    files.set(entry, kind === 5 ? mutate(r, text, 3) : text);
    how = kind === 5 ? "generated+mutated" : "generated";
  } else {
    const base = r.pick(corpus);
    files.set(entry, mutate(r, base.text, r.pick([1, 1, 2, 4, 8])));
    // Keep the corpus's imports resolvable: the library files sit where the specs expect them.
    for (const lib of corpus) if (lib.name.includes("/lib/")) files.set(`${CASE_DIR}/lib/${lib.name.split("/lib/").pop()}`, r.chance(0.1) ? mutate(r, lib.text, 2) : lib.text);
    how = `mutated ${base.name}`;
  }
  return { files, entry, how };
}

function relativeTo(from, to) {
  const up = from.includes("/") ? "../" : "";
  return up + to;
}

const stripSpans = (node) =>
  JSON.stringify(node, (k, v) => (k === "span" || k === "keyword" || (k === "text" && typeof v === "string" && v.length > 200) ? undefined : v));

const codes = (ds) => ds.map((d) => d.code).sort().join(",");

/**
 * Runs one case. Returns { failures: [{ category, detail }], ms, clean }.
 * `emit` (default true) runs the backends on clean graphs.
 */
export function runCase(netc, c, opts = {}) {
  const failures = [];
  const fail = (category, detail) => failures.push({ category, detail: String(detail).slice(0, 500) });
  const host = { readFile: (p) => c.files.get(p) };
  const text = c.files.get(c.entry);
  const t0 = performance.now();
  let result;
  try {
    result = netc.checkText(text, c.entry, host);
  } catch (e) {
    fail("check-throws", errorText(e));
  }
  if (result) {
    for (const d of result.diagnostics) {
      if (d.code === "NET9001") fail("NET9001", d.message);
      const len = d.file === c.entry ? text.length : (c.files.get(d.file)?.length ?? 0);
      if (!(d.span.offset >= 0 && d.span.length >= 0 && d.span.offset + d.span.length <= len)) fail("bad-span", `${d.code} at ${d.span.offset}+${d.span.length} in a file of ${len}`);
    }
  }
  checkFormat(netc, c, text, result, fail);
  let clean = false;
  if (result && opts.emit !== false) {
    for (const graph of result.graphs) {
      if (!graph) continue;
      clean = true;
      emit(netc, graph, c, text, fail);
    }
  }
  return { failures, ms: performance.now() - t0, clean };
}

function checkFormat(netc, c, text, result, fail) {
  let once;
  try {
    once = netc.formatSource(text, c.entry);
  } catch (e) {
    fail("fmt-throws", errorText(e));
    return;
  }
  if (once.diagnostics.some((d) => d.code === "NET9001")) fail("NET9001", `fmt: ${once.diagnostics.find((d) => d.code === "NET9001").message}`);
  if (once.diagnostics.some((d) => d.severity === "error")) return; // fmt leaves broken files alone
  try {
    // The checker's parse of each text is the AST to compare (one parse fewer per case).
    const host = { readFile: (p) => c.files.get(p) };
    const before = result?.program.files.get(c.entry) ?? netc.parse(text, c.entry).file;
    const again = netc.checkText(once.text, c.entry, host);
    const after = again.program.files.get(c.entry);
    // Syntax errors only: a syntax warning (NET1020 on a `// 2`) stays after formatting, as it should.
    const errors = again.diagnostics.filter((d) => d.file === c.entry && d.code.startsWith("NET1") && d.severity === "error");
    if (errors.length || !after) {
      fail("fmt-reparse", errors.length ? `${errors[0].code} ${errors[0].message}` : "the formatted file was not parsed");
      return;
    }
    if (stripSpans(after.items) !== stripSpans(before.items)) fail("fmt-ast", "the formatted file parses to another tree");
    if (result && codes(again.diagnostics) !== codes(result.diagnostics)) fail("fmt-diagnostics", `${codes(result.diagnostics)} became ${codes(again.diagnostics)}`);
    const twice = netc.formatSource(once.text, c.entry);
    if (twice.text !== once.text) fail("fmt-idempotent", "formatting the output changes it again");
  } catch (e) {
    fail("fmt-throws", errorText(e));
  }
}

/** The ONNX emitter allocates every weight: skip graphs far beyond what a fuzz case needs. */
const MAX_EMIT_PARAMS = 4_000_000;
const MAX_EMIT_ELEMENTS = 1 << 24;

function emit(netc, graph, c, text, fail) {
  try {
    const files = netc.tfjsCode(graph);
    if (netc.syntaxErrors) {
      files.forEach((code, i) => {
        const errs = netc.syntaxErrors(code, i < 2 ? "m.ts" : "m.js");
        if (errs.length) fail("tfjs-syntax", errs[0]);
      });
    }
  } catch (e) {
    // "netc: ..." is a documented refusal, reported as such by the CLI (what tf.layers cannot express is a NET6xxx diagnostic, above).
    if (!(e instanceof Error && e.message.startsWith("netc: "))) fail("tfjs-throws", errorText(e));
  }
  const big = graph.paramsWithAux > MAX_EMIT_PARAMS || graph.nodes.some((n) => n.shape.reduce((a, b) => a * b, 1) > MAX_EMIT_ELEMENTS);
  if (big) return;
  try {
    const model = netc.emitOnnx(graph);
    const nodeNames = new Set();
    const outputs = new Set();
    for (const n of model.graph.node) {
      if (nodeNames.has(n.name)) fail("onnx-duplicate", `two nodes named '${n.name}'`);
      nodeNames.add(n.name);
      for (const o of n.output) {
        if (outputs.has(o)) fail("onnx-duplicate", `two nodes write '${o}'`);
        outputs.add(o);
      }
    }
  } catch (e) {
    fail("onnx-throws", errorText(e));
  }
}

function errorText(e) {
  if (!(e instanceof Error)) return String(e);
  const at = (e.stack ?? "").split("\n").find((l) => l.includes("/src/") || l.includes("/dist/"));
  return `${e.name}: ${e.message}${at ? ` ${at.trim()}` : ""}`;
}

/**
 * Runs cases [from, to) of `seed`, calling `onCase(index, result, case)` after each.
 * Returns totals: { cases, clean, failures: Map<category, count>, slowest: [{ index, ms, how }] }.
 */
export function runRange(netc, corpus, seed, from, to, onCase = () => {}, opts = {}) {
  const totals = { cases: 0, clean: 0, bytes: 0, failures: new Map(), slowest: [] };
  for (let i = from; i < to; i++) {
    const c = makeCase(seed, i, corpus);
    const r = runCase(netc, c, opts);
    totals.cases++;
    totals.bytes += c.files.get(c.entry).length;
    if (r.clean) totals.clean++;
    for (const f of r.failures) totals.failures.set(f.category, (totals.failures.get(f.category) ?? 0) + 1);
    noteSlow(totals.slowest, { index: i, ms: r.ms, how: c.how });
    onCase(i, r, c);
  }
  return totals;
}

export function noteSlow(list, entry, keep = 5) {
  list.push(entry);
  list.sort((a, b) => b.ms - a.ms);
  list.length = Math.min(list.length, keep);
}
