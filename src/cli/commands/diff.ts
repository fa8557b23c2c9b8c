// `netc diff OLD NEW [--format text|json|github-actions]`: what changed between
// two versions of a network, layer by layer (src/summary/compare.ts), and a
// verdict in the manner of `buf breaking`. A change is breaking when the
// network's input or output shape changes, or when a checkpoint of OLD would no
// longer load into NEW by netc's own loader (src/weights/map.ts), run here on
// OLD's tensor list in its two forms: as PyTorch names it (matched by
// state_dict order) and as `netc weights export` names it (matched by name
// when NEW's names are all there, by order otherwise). Either operand may be
// `git:REF:path`. Exit 1 on a breaking change (or a spec with errors), 0
// otherwise, 2 on a usage or I/O error.

import { resolve, sep } from "node:path";
import { checkText, type Overrides } from "../../check/index.js";
import { diskHost, type FileHost } from "../../check/program.js";
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import type { IrGraph, SourceLoc } from "../../ir/graph.js";
import { formatShape } from "../../ir/shapes.js";
import { compareGraphs, type Comparison, type LayerChange, type LayerFacts } from "../../summary/compare.js";
import { mapWeights, specTensors } from "../../weights/map.js";
import type { FileTensor } from "../../weights/tensor.js";
import { escapeData, escapeProperty } from "../formats.js";
import { gitSpec, isGitOperand } from "../git-host.js";
import { Reporter, unreadable } from "../load.js";
import { displayPath, terminalSafe } from "../report.js";

export type DiffFormat = "text" | "json" | "github-actions";

export interface DiffArgs {
  old: string;
  new: string;
  format: DiffFormat;
  maxErrors?: number;
  overrides?: Overrides;
}

interface Side {
  graph: IrGraph;
  /** How to name the spec: its path, or git:REF:path. */
  label: string;
}

/** Checks one operand; a number is the exit code when it cannot be used. */
function load(operand: string, reporter: Reporter, overrides?: Overrides): Side | number {
  let file = resolve(operand);
  let host: FileHost = diskHost;
  let label = displayPath(file);
  let rename = (p: string) => p;
  let renameText = (t: string) => t;
  if (isGitOperand(operand)) {
    const g = gitSpec(operand);
    if (typeof g === "string") {
      process.stderr.write(`netc diff: ${terminalSafe(g)}\n`);
      return 2;
    }
    ({ file, host, label } = g);
    // Diagnostics name files as git:REF:path, not as the working tree's files.
    const top = g.top.endsWith(sep) ? g.top : `${g.top}${sep}`;
    rename = (p: string) => (p.startsWith(top) ? `git:${g.ref}:${p.slice(top.length).split(sep).join("/")}` : p);
    // Messages quote paths too ("Cannot read '/repo/x.net'").
    renameText = (t: string) => t.replaceAll(top, `git:${g.ref}:`);
  }
  const r = checkText(undefined, file, host, overrides);
  const texts = new Map<string, string>();
  for (const [path, f] of r.program.files) texts.set(rename(path), f.text);
  const renamed: Diagnostic[] = r.diagnostics.map((d) => ({
    ...d,
    file: rename(d.file),
    message: renameText(d.message),
    related: d.related.map((x) => ({ ...x, file: rename(x.file), message: renameText(x.message) })),
  }));
  reporter.add(renamed, texts);
  if (unreadable(r.diagnostics)) return 2;
  if (!r.graph || r.diagnostics.some((d) => d.severity === "error")) return 1;
  return { graph: r.graph, label };
}

export interface Breaking {
  kind: "input" | "output" | "weights" | "checkpoint";
  /** The layer, for kind "weights". */
  layer?: string;
  /** The layer of NEW whose line a GitHub annotation points at: the layer, or the input or output node. */
  at?: string;
  message: string;
}

interface CheckpointResult {
  loads: boolean;
  /** How the loader matched the tensors, when it did. */
  by?: "name" | "order";
  message?: string;
}

/** Runs the weight loader on OLD's tensors in the form `names` gives them, against NEW. */
function loadsInto(oldGraph: IrGraph, newGraph: IrGraph, what: string, names: (node: string, torchName: string, i: number) => string): CheckpointResult {
  const tensors: FileTensor[] = specTensors(oldGraph).map((t, i) => ({ name: names(t.node, t.torchName, i), dtype: "float32", shape: t.shape, data: new Float32Array(0) }));
  try {
    const m = mapWeights(newGraph, what, tensors);
    return { loads: true, by: m.by };
  } catch (e) {
    return { loads: false, message: (e as Error).message };
  }
}

const count = (n: number) => n.toLocaleString("en-US");
function human(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}K`;
  return String(n);
}
const signed = (n: number) => (n > 0 ? `+${count(n)}` : n < 0 ? `-${count(-n)}` : "0");

/** "conv 64x28x28, params 12.4K, MACs 9.6M" */
function describe(f: LayerFacts): string {
  return [f.op, formatShape(f.shape), f.params ? `params ${human(f.params)}` : "", f.macs ? `MACs ${human(f.macs)}` : ""].filter(Boolean).join(", ");
}

function changeText(c: LayerChange): string {
  if (c.status === "added") return `added: ${describe(c.new!)}`;
  if (c.status === "removed") return `removed: ${describe(c.old!)}`;
  const o = c.old!;
  const n = c.new!;
  const parts: string[] = [];
  for (const f of c.fields) {
    if (f === "op") parts.push(`type ${o.op} -> ${n.op}`);
    if (f === "shape") parts.push(`output ${formatShape(o.shape)} -> ${formatShape(n.shape)}`);
    if (f === "params") parts.push(`params ${human(o.params) || 0} -> ${human(n.params) || 0} (${signed(n.params - o.params)})`);
    if (f === "macs") parts.push(`MACs ${human(o.macs) || 0} -> ${human(n.macs) || 0}`);
    if (f === "weights") parts.push(`weights [${o.tensors.join(", ")}] -> [${n.tensors.join(", ")}]`);
    if (f === "attrs") parts.push(...c.attrs!);
  }
  return parts.join("; ");
}

export interface DiffResult {
  comparison: Comparison;
  breaking: Breaking[];
  checkpoint: { pytorch: CheckpointResult; netc: CheckpointResult };
}

export function diffGraphs(oldGraph: IrGraph, newGraph: IrGraph): DiffResult {
  const comparison = compareGraphs(oldGraph, newGraph);
  const breaking: Breaking[] = [];
  const { old: o, new: n } = comparison;
  if (comparison.inputChanged) breaking.push({ kind: "input", at: newGraph.nodes[0]!.name, message: `the input shape changed: ${formatShape(o.input)} -> ${formatShape(n.input)}` });
  if (comparison.outputChanged) breaking.push({ kind: "output", at: newGraph.nodes[newGraph.output]!.name, message: `the output shape changed: ${formatShape(o.output)} -> ${formatShape(n.output)}` });
  for (const c of comparison.layers) {
    // A layer that keeps weights of another shape; one that gains or loses all its weights is the loader's to explain.
    if (c.status !== "changed" || !c.fields.includes("weights") || c.old!.tensors.length === 0 || c.new!.tensors.length === 0) continue;
    breaking.push({ kind: "weights", layer: c.name, at: c.name, message: `${c.name}: its weights no longer fit: [${c.old!.tensors.join(", ")}] -> [${c.new!.tensors.join(", ")}]` });
  }
  const pytorch = loadsInto(oldGraph, newGraph, "a PyTorch checkpoint of OLD", (node, t) => `old:${node}.${t}`);
  const netc = loadsInto(oldGraph, newGraph, "a netc checkpoint of OLD", (node, t) => `${node.replaceAll("/", ".")}.${t}`);
  // A layer whose own weights changed already says why; the loader's message is added when it says more.
  const said = breaking.some((b) => b.kind === "weights");
  if (!pytorch.loads && !said) breaking.push({ kind: "checkpoint", message: pytorch.message! });
  if (!netc.loads && !said && pytorch.loads) breaking.push({ kind: "checkpoint", message: netc.message! });
  return { comparison, breaking, checkpoint: { pytorch, netc } };
}

function renderText(oldSide: Side, newSide: Side, r: DiffResult): string {
  const { old: o, new: n, layers } = r.comparison;
  const out: string[] = [`${o.network} (${oldSide.label}) -> ${n.network} (${newSide.label})`, ""];
  const rows: [string, string][] = [
    ["input", r.comparison.inputChanged ? `${formatShape(o.input)} -> ${formatShape(n.input)}` : formatShape(n.input)],
    ["output", r.comparison.outputChanged ? `${formatShape(o.output)} -> ${formatShape(n.output)}` : formatShape(n.output)],
    ["params", o.params === n.params ? count(n.params) : `${count(o.params)} -> ${count(n.params)} (${signed(n.params - o.params)})`],
    ["MACs", o.macs === n.macs ? human(n.macs) : `${human(o.macs)} -> ${human(n.macs)} (${n.macs > o.macs ? "+" : "-"}${human(Math.abs(n.macs - o.macs))})`],
  ];
  for (const [k, v] of rows) out.push(`${k.padEnd(7)} ${v}`);
  out.push("");
  if (layers.length === 0) out.push("no layer changed");
  else {
    const sign = { added: "+", removed: "-", changed: "~" } as const;
    const names = layers.map((c) => `${sign[c.status]} ${"  ".repeat(c.depth)}${c.name}${c.aux ? " (aux)" : ""}`);
    const w = Math.max(...names.map((s) => s.length));
    layers.forEach((c, i) => out.push(`${names[i]!.padEnd(w)}  ${changeText(c)}`));
  }
  out.push("");
  const load = (c: CheckpointResult) => (c.loads ? `loads (matched by ${c.by})` : "does not load");
  out.push(`checkpoint of OLD: PyTorch state_dict ${load(r.checkpoint.pytorch)}; netc weights export ${load(r.checkpoint.netc)}`);
  if (r.breaking.length === 0) out.push("no breaking changes");
  else {
    out.push(`${r.breaking.length} breaking change${r.breaking.length === 1 ? "" : "s"}:`);
    for (const b of r.breaking) out.push(`  ${b.message}`);
  }
  return out.join("\n");
}

function locations(g: IrGraph): Map<string, SourceLoc> {
  const m = new Map<string, SourceLoc>();
  for (const x of [...g.nodes, ...g.groups]) if (x.loc && !m.has(x.name)) m.set(x.name, x.loc);
  return m;
}

/** Workflow commands: each breaking change an error, each other change a notice, at NEW's line where it has one. */
function renderGithub(oldSide: Side, newSide: Side, r: DiffResult): string {
  const at = locations(newSide.graph);
  const before = locations(oldSide.graph);
  const command = (level: string, loc: SourceLoc | undefined, file: string, title: string, message: string) => {
    const props = [`file=${escapeProperty(loc ? displayPath(loc.file) : file)}`, ...(loc ? [`line=${loc.line}`, `col=${loc.column}`] : []), `title=${escapeProperty(title)}`];
    return `::${level} ${props.join(",")}::${escapeData(message)}`;
  };
  const lines: string[] = [];
  const newFile = newSide.label.startsWith("git:") ? newSide.label.slice(newSide.label.indexOf(":", 4) + 1) : newSide.label;
  for (const b of r.breaking) lines.push(command("error", b.at ? at.get(b.at) : undefined, newFile, "netc diff (breaking)", b.message));
  for (const c of r.comparison.layers) {
    if (r.breaking.some((b) => b.layer === c.name)) continue;
    const loc = c.status === "removed" ? (oldSide.label.startsWith("git:") ? undefined : before.get(c.name)) : at.get(c.name);
    lines.push(command("notice", loc, newFile, `netc diff (${c.status})`, `${c.name}: ${changeText(c)}`));
  }
  return lines.map((l) => `${l}\n`).join("");
}

export async function run(args: DiffArgs): Promise<number> {
  const reporter = new Reporter(args.format, args.maxErrors);
  try {
    const oldSide = load(args.old, reporter, args.overrides);
    const newSide = load(args.new, reporter, args.overrides);
    if (typeof oldSide === "number" || typeof newSide === "number")
      return Math.max(typeof oldSide === "number" ? oldSide : 0, typeof newSide === "number" ? newSide : 0);
    const r = diffGraphs(oldSide.graph, newSide.graph);
    if (args.format === "json") {
      const json = {
        old: { file: oldSide.label, ...r.comparison.old },
        new: { file: newSide.label, ...r.comparison.new },
        breaking: r.breaking.length > 0,
        breakingChanges: r.breaking,
        checkpoint: r.checkpoint,
        layers: r.comparison.layers,
      };
      process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    } else if (args.format === "github-actions") process.stdout.write(renderGithub(oldSide, newSide, r));
    else process.stdout.write(`${terminalSafe(renderText(oldSide, newSide, r))}\n`);
    return r.breaking.length > 0 ? 1 : 0;
  } finally {
    reporter.flush(true);
  }
}
