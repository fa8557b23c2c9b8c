// A file's tensors onto a spec's: by name where a name map is given (or where
// the file holds every tensor under its netc name), by order otherwise, in
// PyTorch's state_dict order (src/ir/state-dict.ts). Every shape is checked and
// the first tensor that does not fit is one error naming both sides and the
// index. num_batches_tracked and other integer tensors are skipped; auxiliary
// heads are optional, as inference never runs them.

import type { IrGraph } from "../ir/graph.js";
import { stateDictOrder, type StateTensor } from "../ir/state-dict.js";
import type { WeightSet } from "../ir/weights.js";
import { WeightsError, type FileTensor } from "./tensor.js";

export interface SpecTensor extends StateTensor {
  /** netc's path for the tensor: the node's IR path and PyTorch's attribute, "stem/conv1/bn.running_mean". */
  path: string;
  /** The auxiliary head it belongs to, if any. */
  aux: string | undefined;
}

/** The spec's tensors in state_dict order, with their netc paths. */
export function specTensors(graph: IrGraph): SpecTensor[] {
  const aux = new Map(graph.nodes.map((n) => [n.name, n.aux]));
  return stateDictOrder(graph).map((t) => ({ ...t, path: `${t.node}.${t.torchName}`, aux: aux.get(t.node) }));
}

/**
 * A name map: keys are netc tensor paths ("stem/conv1.weight") or node paths
 * and prefixes ("stem/conv1", "layer1"); values are the file's names or name
 * prefixes. A tensor takes its own entry, else the longest node prefix, whose
 * value is followed by the rest of the node path (dots for slashes) and the
 * PyTorch attribute: {"stem/conv1": "conv1", "stem/conv1/bn": "bn1"} maps
 * stem/conv1/bn.running_var to bn1.running_var.
 */
export type NameMap = Record<string, string>;

export function parseNameMap(file: string, text: string): NameMap {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new WeightsError(`${file}: the name map is not JSON (${(e as Error).message})`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json))
    throw new WeightsError(`${file}: the name map must be a JSON object {"netc path": "file name"}`);
  const out: NameMap = Object.create(null) as NameMap;
  for (const [k, v] of Object.entries(json)) {
    if (typeof v !== "string")
      throw new WeightsError(`${file}: name map entry '${k}' maps to ${JSON.stringify(v)}, not a name`);
    out[k.replace(/\/+$/, "")] = v;
  }
  return out;
}

/** What pairing needs of a spec tensor (SpecTensor, or a generated program's InitTensor). */
export interface PairTensor {
  node: string;
  torchName: string;
  shape: number[];
  path: string;
  aux: string | undefined;
}

function mappedName(t: PairTensor, map: NameMap): string {
  if (Object.hasOwn(map, t.path)) return map[t.path]!;
  const parts = t.node.split("/");
  for (let i = parts.length; i >= 0; i--) {
    const key = parts.slice(0, i).join("/");
    if (!Object.hasOwn(map, key)) continue;
    return [map[key]!, ...parts.slice(i), t.torchName].filter((s) => s !== "").join(".");
  }
  return `${parts.join(".")}.${t.torchName}`;
}

export interface Mapping {
  weights: WeightSet;
  /** Each spec tensor that was filled and the file tensor it came from. */
  pairs: { spec: SpecTensor; file: FileTensor }[];
  by: "name" | "order";
  /** The auxiliary heads the file did not hold (left out of the weights). */
  auxMissing: string[];
}

export function mapWeights(graph: IrGraph, file: string, all: FileTensor[], map?: NameMap): Mapping {
  const { pairs, by, auxMissing } = pairTensors(specTensors(graph), file, all, map);
  const weights: WeightSet = new Map();
  for (const { spec, file: f } of pairs) {
    let w = weights.get(spec.node);
    if (!w) weights.set(spec.node, (w = {}));
    w[spec.tensor] = f.data!;
  }
  return { weights, pairs, by, auxMissing };
}

/** The file tensor each expected tensor takes: by name (a map, or every name matching), else by order. */
export function pairTensors<T extends PairTensor>(
  expected: T[],
  file: string,
  all: FileTensor[],
  map?: NameMap,
): { pairs: { spec: T; file: FileTensor }[]; by: "name" | "order"; auxMissing: string[] } {
  const tensors = all.filter((t) => t.data !== undefined && !/(^|\.)num_batches_tracked$/.test(t.name));
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const auto = !map && expected.every((t) => byName.has(mappedName(t, {})));
  const pairs: { spec: T; file: FileTensor }[] = [];
  let auxMissing: string[] = [];
  let by: Mapping["by"];
  if (map || auto) {
    by = "name";
    const names = expected.map((t) => mappedName(t, map ?? {}));
    // An aux head is absent when none of its tensors is there.
    const heads = new Set(expected.filter((t) => t.aux !== undefined).map((t) => t.aux!));
    auxMissing = [...heads].filter((h) => expected.every((t, i) => t.aux !== h || !byName.has(names[i]!)));
    expected.forEach((t, i) => {
      if (t.aux !== undefined && auxMissing.includes(t.aux)) return;
      const f = byName.get(names[i]!);
      if (!f)
        throw new WeightsError(
          `${file}: has no tensor '${names[i]}' for ${t.path} [${t.shape}] (tensor ${i} of the spec)`,
        );
      check(file, i, t, f, "name");
      pairs.push({ spec: t, file: f });
    });
  } else {
    by = "order";
    auxMissing = byOrder(file, expected, tensors, pairs);
  }
  return { pairs, by, auxMissing };
}

/**
 * State_dict order, where auxiliary heads may stand elsewhere or be absent:
 * torchvision's GoogLeNet registers aux1 and aux2 after inception5b while the
 * spec writes them after 4a and 4d. The main tensors must come in order; at a
 * file tensor that does not fit the next one, a whole aux head that fits from
 * there is taken instead.
 */
function byOrder<T extends PairTensor>(file: string, expected: T[], tensors: FileTensor[], pairs: { spec: T; file: FileTensor }[]): string[] {
  const main = expected.filter((t) => t.aux === undefined);
  const heads = new Map<string, T[]>();
  for (const t of expected) if (t.aux !== undefined) heads.set(t.aux, [...(heads.get(t.aux) ?? []), t]);
  const fits = (t: PairTensor, f: FileTensor | undefined) => f !== undefined && t.shape.join() === f.shape.join();
  let i = 0;
  let j = 0;
  while (j < tensors.length) {
    if (i < main.length && fits(main[i]!, tensors[j])) {
      pairs.push({ spec: main[i++]!, file: tensors[j++]! });
      continue;
    }
    const head = [...heads].find(([, ts]) => ts.every((t, k) => fits(t, tensors[j + k])));
    if (head) {
      head[1].forEach((t, k) => pairs.push({ spec: t, file: tensors[j + k]! }));
      j += head[1].length;
      heads.delete(head[0]);
      continue;
    }
    if (i < main.length) check(file, j, main[i]!, tensors[j]!, "order");
    break;
  }
  if (i < main.length || j < tensors.length) {
    const aux = main.length !== expected.length ? ` (${main.length} without the auxiliary heads)` : "";
    const extra =
      j < tensors.length
        ? `; the first one left over is '${tensors[j]!.name}' [${tensors[j]!.shape}]`
        : `; the first missing one is ${main[i]!.path} [${main[i]!.shape}]`;
    throw new WeightsError(
      `${file}: holds ${tensors.length} weight tensors (besides num_batches_tracked), the spec expects ${expected.length}${aux}${extra}`,
    );
  }
  return [...heads.keys()];
}

function check(file: string, i: number, t: PairTensor, f: FileTensor, by: "name" | "order"): void {
  if (t.shape.join() === f.shape.join()) return;
  const hint =
    by === "order" ? " (tensors are matched by state_dict order; a name map, --weights-map, matches them by name)" : "";
  throw new WeightsError(
    `${file}: tensor ${i}: the spec's ${t.path} expects shape [${t.shape}], the file's '${f.name}' has [${f.shape}]${hint}`,
  );
}
