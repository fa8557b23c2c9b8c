// The checker's entry points: spec text in, IR graphs and diagnostics out. Never throws.

import { resolve } from "node:path";
import type { IrGraph } from "../ir/graph.js";
import type { Diagnostic, Related } from "../diagnostics/diagnostic.js";
import { diag } from "../diagnostics/catalogue.js";
import { elaborate, resolveUncalledBlock, type Overrides } from "./elaborate.js";
export type { Overrides } from "./elaborate.js";
import { locator } from "./locations.js";
import { collectRead, unusedLayers, unusedParameters } from "./unused.js";
import { diskHost, loadProgram, type FileHost, type Program } from "./program.js";
import { Alike, declKey, dedupeUses, sameNumber, sameSite, type ParamValue, type Resolution, type Resolutions } from "./resolutions.js";

export type { FileHost, Program } from "./program.js";
export type { Declaration, ParamValue, Resolution, Resolutions } from "./resolutions.js";

export interface CheckResult {
  program: Program;
  /** One graph per network declared in the entry file (undefined where it has errors). */
  graphs: (IrGraph | undefined)[];
  /** The first network's graph, when it checked without errors. */
  graph: IrGraph | undefined;
  /** Per network, whatever could be elaborated even with errors (editor hovers, inlay hints). */
  partial: (IrGraph | undefined)[];
  diagnostics: Diagnostic[];
  /** Every name use in the program's networks and what it resolved to; parameter values per call. */
  resolutions: Resolutions;
}

export function checkFile(path: string, host: FileHost = diskHost, overrides?: Overrides): CheckResult {
  return checkText(undefined, path, host, overrides);
}

/** Checks `text` as the content of `path` (or reads it from `host` when text is undefined). */
export function checkText(text: string | undefined, path: string, host: FileHost = diskHost, overrides?: Overrides): CheckResult {
  const file = resolve(path);
  let program: Program = { entry: file, files: new Map(), imports: new Map(), blocks: new Map(), networks: [], diagnostics: [] };
  const graphs: (IrGraph | undefined)[] = [];
  const partial: (IrGraph | undefined)[] = [];
  const diagnostics: Diagnostic[] = [];
  const uses: Resolution[] = [];
  const values: ParamValue[] = [];
  try {
    program = loadProgram(file, host, text);
    // Indexed loops over what may be long lists: checkText runs once, before V8 optimizes it (a for-of allocates per element).
    for (let i = 0; i < program.diagnostics.length; i++) diagnostics.push(program.diagnostics[i]!);
    const used = new Set<string>();
    const read = new Set<string>();
    const files = program.files;
    const addLocations = locator((f) => files.get(f)?.text);
    for (const net of program.networks) {
      const e = elaborate(program, net.decl, net.file, net.file === file ? overrides : undefined);
      if (e.graph) addLocations(e.graph);
      if (e.partial && e.partial !== e.graph) addLocations(e.partial);
      graphs.push(e.graph);
      partial.push(e.partial);
      for (let i = 0; i < e.diagnostics.length; i++) diagnostics.push(e.diagnostics[i]!); // not push(...): a long list overflows the argument stack
      for (const b of e.usedBlocks) used.add(b);
      for (let i = 0; i < e.resolutions.uses.length; i++) uses.push(e.resolutions.uses[i]!);
      for (let i = 0; i < e.resolutions.values.length; i++) values.push(e.resolutions.values[i]!);
      collectRead(e.boundParams, read);
      if (e.graph && net.file === file) for (const d of unusedLayers(e.graph)) diagnostics.push(d);
    }
    // The editor asks about names in blocks no network calls too (a library file).
    for (const [name, entry] of program.blocks) if (entry.file === file && !used.has(name)) for (const r of resolveUncalledBlock(program, entry)) uses.push(r);
    const source = program.files.get(file);
    if (source && program.networks.length === 0 && !source.items.some((i) => i.kind === "block") && !diagnostics.length) {
      diagnostics.push(diag("NET2012", file, { offset: 0, length: 0 }));
    }
    if (program.networks.length > 0) {
      for (const [name, entry] of program.blocks) {
        if (entry.file === file && !used.has(name) && entry.decl.name) {
          diagnostics.push(diag("NET5001", file, entry.decl.name.span, { name }, {
            fixes: [{ title: `Remove the unused block '${name}'`, edits: [{ file, span: entry.decl.span, newText: "" }] }],
          }));
        }
        if (entry.file === file && used.has(name)) for (const d of unusedParameters(name, entry.decl, file, read)) diagnostics.push(d);
      }
    }
  } catch (e) {
    diagnostics.push(diag("NET9001", file, { offset: 0, length: 0 }, { stage: "checking", detail: e instanceof Error ? e.message : String(e) }));
  }
  const unique = dedupe(diagnostics);
  // A graph is only handed to backends when nothing anywhere (imports included) is an error.
  const clean = !unique.some((d) => d.severity === "error");
  return { program, graphs: clean ? graphs : graphs.map(() => undefined), graph: clean ? graphs.find((g) => g !== undefined) : undefined, partial, diagnostics: unique, resolutions: { uses: dedupeUses(uses), values: dedupeValues(values) } };
}

/**
 * A mistake inside a block called N times is one diagnostic with N call sites.
 * The result is in file and offset order, alike diagnostics (file, span, code,
 * message) merged into the first. Sorting first (stably) makes alike ones
 * neighbours, so only a run at one offset is searched.
 */
function dedupe(list: Diagnostic[]): Diagnostic[] {
  const merge = relatedMerger();
  const unique: Diagnostic[] = [];
  // Keeps the first of alike diagnostics in `unique`, merging later ones into it.
  const keepFirst = (seen: Alike<Diagnostic>, d: Diagnostic) => {
    const prior = seen.find(d);
    if (prior) merge(prior, d);
    else unique.push(d);
  };
  // An offset that is not a finite number does not sort consistently: then search them all, then sort.
  if (!list.every((d) => Number.isFinite(d.span.offset))) {
    const seen = new Alike<Diagnostic>((d) => d.span.offset, (d) => d.message, alike);
    for (const d of list) keepFirst(seen, d);
    return unique.sort(byPlace);
  }
  const sorted = [...list].sort(byPlace);
  for (let i = 0; i < sorted.length; ) {
    const first = sorted[i]!;
    let end = i + 1;
    while (end < sorted.length && sorted[end]!.file === first.file && sorted[end]!.span.offset === first.span.offset) end++;
    if (end === i + 1) unique.push(first);
    else {
      const seen = new Alike<Diagnostic>((d) => d.span.length, (d) => d.message, alike);
      for (let k = i; k < end; k++) keepFirst(seen, sorted[k]!);
    }
    i = end;
  }
  return unique;
}

const byPlace = (a: Diagnostic, b: Diagnostic) => (a.file === b.file ? a.span.offset - b.span.offset : a.file < b.file ? -1 : 1);

const alike = (a: Diagnostic, b: Diagnostic) =>
  a.file === b.file && sameNumber(a.span.offset, b.span.offset) && sameNumber(a.span.length, b.span.length) && a.code === b.code && a.message === b.message;

/** Adds a duplicate's related locations to the first diagnostic's, each file and offset once. */
function relatedMerger(): (prior: Diagnostic, d: Diagnostic) => void {
  // Per merged diagnostic, the related locations it has (file -> offsets) and its list, built at its first
  // duplicate: a new list, as the diagnostic's own may be the shared empty one.
  const merged = new Map<Diagnostic, { at: Map<string, Set<number>>; list: Related[] }>();
  return (prior, d) => {
    let m = merged.get(prior);
    if (!m) {
      m = { at: new Map(), list: [...prior.related] };
      for (const p of m.list) addOffset(m.at, p);
      prior.related = m.list;
      merged.set(prior, m);
    }
    const { at, list } = m;
    for (const r of d.related) {
      // NaN matches no offset (as ===): such a location is always added.
      if (r.span.offset === r.span.offset && at.get(r.file)?.has(r.span.offset)) continue;
      list.push(r);
      addOffset(at, r);
    }
  };
}

function addOffset(at: Map<string, Set<number>>, r: { file: string; span: { offset: number } }): void {
  const set = at.get(r.file);
  if (set) set.add(r.span.offset);
  else at.set(r.file, new Set([r.span.offset]));
}

/** One value per declaration, call and value. */
function dedupeValues(list: ParamValue[]): ParamValue[] {
  const seen = new Alike<ParamValue>(
    (v) => v.decl.span.offset,
    (v) => (v.call ? `${declKey(v.call)}\0${v.call.path}\0${v.value}` : `\0${v.value}`),
    (a, b) => sameSite(a.decl, b.decl) && a.value === b.value && (a.call && b.call ? sameSite(a.call, b.call) && a.call.path === b.call.path : !a.call && !b.call),
  );
  return list.filter((v) => seen.find(v) === undefined);
}
