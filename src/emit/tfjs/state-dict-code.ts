// model.ts's `stateDict`: the init table (src/runtime/init-table.ts) written as
// one row per weighted layer, `convBnInit("Mixed_5b/b1/conv1", [64, 192, 1, 1])`
// for a conv and the BatchNorm after it, instead of one object per tensor. Each
// row is checked here against the entries it stands for (the runtime's row
// functions expand it); a layer no row gives exactly is written entry by entry.

import { isDeepStrictEqual } from "node:util";
import type { IrGraph } from "../../ir/graph.js";
import {
  batchNormInit,
  convBnInit,
  convInit,
  denseInit,
  depthwiseBnInit,
  depthwiseInit,
  initTable,
  normInit,
  scaleInit,
  type InitRowOptions,
  type InitTensor,
} from "../../runtime/init-table.js";
import { tfjsSafe } from "../../runtime/layer-names.js";
import { literal } from "./source.js";

/** The row functions model.ts may import from netc/runtime, by the name it imports them as. */
const RUN = {
  batchNormInit,
  convBnInit,
  convInit,
  denseInit,
  depthwiseBnInit,
  depthwiseInit,
  normInit,
  scaleInit,
} satisfies Record<string, (path: string, shape: number[], a: never, b?: never) => InitTensor[]>;
type RowFunction = keyof typeof RUN;
export const ROW_FUNCTIONS = Object.keys(RUN) as RowFunction[];

interface Row {
  fn: RowFunction;
  args: unknown[];
}

export interface StateDictCode {
  /** The array's elements: row calls, or a literal entry where no row fits. */
  elements: string[];
  /** The row functions used, sorted. */
  imports: RowFunction[];
}

const expand = (r: Row): InitTensor[] => (RUN[r.fn] as (...a: unknown[]) => InitTensor[])(...r.args);

/** The table's entries grouped by layer (consecutive entries with the same path before the attribute). */
function byLayer(table: InitTensor[]): InitTensor[][] {
  const out: InitTensor[][] = [];
  let last = "";
  for (const t of table) {
    const node = t.path.slice(0, t.path.lastIndexOf("."));
    if (out.length > 0 && node === last) out[out.length - 1]!.push(t);
    else out.push([t]);
    last = node;
  }
  return out;
}

/** The row that should give a layer's entries (checked by the caller). */
function rowFor(group: InitTensor[]): Row | undefined {
  const e = group[0]!;
  const path = e.path.slice(0, e.path.lastIndexOf("."));
  const layer = e.tfjs.slice(0, e.tfjs.lastIndexOf("/"));
  const o: InitRowOptions = {};
  if (layer !== tfjsSafe(path)) o.layer = layer;
  if (group.some((t) => t.path.endsWith(".bias")) && e.layout !== undefined) o.bias = true;
  if (e.flatten) o.flatten = e.flatten;
  if (e.order) o.order = e.order;
  if (e.aux !== undefined) o.aux = e.aux;
  const opts = Object.keys(o).length > 0 ? [o] : [];
  if (e.layout === "hwio") return { fn: "convInit", args: [path, e.shape, ...opts] };
  if (e.layout === "depthwise") return { fn: "depthwiseInit", args: [path, e.shape, e.channels, ...opts] };
  if (e.layout === "dense") return { fn: "denseInit", args: [path, e.shape, ...opts] };
  if (e.tfjs.endsWith("/scale")) return { fn: "scaleInit", args: [path, e.shape, ...opts] };
  if (e.tfjs.endsWith("/gamma")) return { fn: group.length === 4 ? "batchNormInit" : "normInit", args: [path, e.shape, ...opts] };
  return undefined;
}

/** The rows for a graph's init table, each checked to give exactly its entries. */
export function stateDictCode(graph: IrGraph): StateDictCode {
  const groups = byLayer(initTable(graph));
  const elements: string[] = [];
  const used = new Set<RowFunction>();
  const call = (r: Row) => {
    used.add(r.fn);
    return `${r.fn}(${r.args.map(literal).join(", ")})`;
  };
  for (let i = 0; i < groups.length; i++) {
    const group = groups[i]!;
    const row = rowFor(group);
    // A conv and the BatchNorm after it: one row when convBnInit gives both.
    const next = groups[i + 1];
    if ((row?.fn === "convInit" || row?.fn === "depthwiseInit") && next) {
      const both: Row = { fn: row.fn === "convInit" ? "convBnInit" : "depthwiseBnInit", args: row.args };
      if (isDeepStrictEqual(expand(both), [...group, ...next])) {
        elements.push(call(both));
        i++;
        continue;
      }
    }
    if (row && isDeepStrictEqual(expand(row), group)) elements.push(call(row));
    else elements.push(...group.map((t) => literal(t)));
  }
  return { elements, imports: [...used].sort() };
}
