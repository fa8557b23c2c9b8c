// IR graph → ONNX ModelProto (opset 17, IR version 8), inference graph only.
import type { IrGraph, IrNode } from "../../ir/graph.js";
import { dependedOn } from "../../ir/graph.js";
import { initWeights, weightShapes, type NodeWeights } from "../../ir/weights.js";
import type { WeightSet } from "../../ir/weights.js";
import { GraphBuilder } from "./builder.js";
import { externalize, initializerBytes } from "./external-data.js";
import { foldWeights, planBatchNormFolds } from "./fold-bn.js";
import { loweringOf, type OpContext } from "./ops.js";
import { onnx, valueInfo } from "./proto.js";
import { onnxString } from "./strings.js";
import { emitPreprocess } from "./preprocess.js";
import { checkDynamicSize } from "./sizes.js";
import { version } from "../../util/version.js";

export const OPSET = 17;
export const IR_VERSION = 8;
/** The graph output's value name (the input keeps the spec's name). */
export const OUTPUT_NAME = "output";
/** metadata_props key of the spec's input preprocessing (JSON: src/ir/graph.ts's Preprocess and `inGraph`). */
export const PREPROCESS_KEY = "netc.preprocess";
/** Protobuf's hard limit is 2 GiB; leave room for the graph itself. */
export const DEFAULT_EXTERNAL_THRESHOLD = 2 ** 31 - 64 * 2 ** 20;

export interface EmitOnnxOptions {
  /** Seed for initWeights when `weights` is not given (default 0). */
  seed?: number;
  /** Weights in canonical layout (src/ir/weights.ts), keyed by node name. */
  weights?: WeightSet;
  /** Fold BatchNorm into the preceding conv (default true). */
  foldBatchNorm?: boolean;
  /** Initializer bytes above which tensors go to external data (default 2 GiB - 64 MiB). */
  externalDataThreshold?: number;
  /** Emit the spec's input preprocessing as the first nodes (default true); false feeds the input to the first layer as is. */
  preprocess?: boolean;
  /** External data file name, relative to the model (default "model.onnx.data"). */
  dataFileName?: string;
  /**
   * The input's height and width: "fixed" (the spec's, the default here), "auto"
   * (symbolic "height" and "width" where every node allows it, else fixed; what
   * `netc compile` writes by default) or "dynamic" (symbolic, and throws when a
   * node needs the spec's sizes; see sizes.ts).
   */
  size?: SizeMode;
}

export type SizeMode = "fixed" | "auto" | "dynamic";

export interface EmittedOnnx {
  model: Uint8Array;
  externalData?: Uint8Array;
}

/** Nodes the output depends on, outside auxiliary heads. */
function liveNodes(graph: IrGraph): boolean[] {
  const live = dependedOn(graph, [graph.output]);
  return graph.nodes.map((n) => live[n.id]! && n.aux === undefined);
}

function checkWeights(graph: IrGraph, node: IrNode, w: NodeWeights | undefined): NodeWeights {
  const shapes = weightShapes(graph, node);
  const keys = Object.keys(shapes) as (keyof NodeWeights)[];
  if (keys.length === 0) return {};
  if (!w) throw new Error(`no weights for '${node.name}'`);
  for (const k of keys) {
    const expected = shapes[k]!.reduce((a, b) => a * b, 1);
    if (!w[k]) throw new Error(`weights for '${node.name}': missing ${k}`);
    if (w[k]!.length !== expected) throw new Error(`weights for '${node.name}': ${k} has ${w[k]!.length} values, expected ${expected} (${shapes[k]!.join("x")})`);
  }
  return w;
}

export function emitOnnx(graph: IrGraph, opts: EmitOnnxOptions = {}): EmittedOnnx {
  const live = liveNodes(graph);
  const emitted = (n: IrNode) => live[n.id]! && typeof loweringOf(n.attrs) === "function";
  // Same values as initWeights(graph, seed), restricted to the emitted nodes.
  const weights = opts.weights ?? initWeights(graph, opts.seed ?? 0, (n) => live[n.id]!);
  const folds = opts.foldBatchNorm === false ? new Map<number, number>() : planBatchNormFolds(graph, emitted);
  const foldedBn = new Set(folds.values());
  const b = new GraphBuilder();
  let dependent: boolean[] | undefined;
  // Only an image input ([C, H, W]) has a height and width to leave open.
  if ((opts.size === "dynamic" || opts.size === "auto") && graph.inputShape.length === 3) {
    const c = checkDynamicSize(graph, (n) => live[n.id]!);
    if (c.ok) dependent = c.dependent;
    else if (opts.size === "dynamic") throw new Error(`${c.node.name}: the ONNX graph cannot take any input height and width: ${c.detail}`);
  }

  // Names: the spec's input, then `output`, then every IR value by its path
  // name, all before any helper value so helpers never take an IR name.
  const inputValue = b.values.reserve(graph.inputName);
  const outputValue = b.values.take(OUTPUT_NAME);
  const valueOf = new Map<number, string>();
  for (const n of graph.nodes) {
    if (!live[n.id]) continue;
    if (emitted(n)) b.nodeNames.reserve(n.name);
    const lowering = loweringOf(n.attrs);
    if (lowering === "graphInput") valueOf.set(n.id, inputValue);
    else if (lowering === "alias") valueOf.set(n.id, valueOf.get(n.inputs[0]!)!);
    else if (foldedBn.has(n.id)) continue; // named with its conv below
    else {
      // A folded conv writes its BN's value.
      const owner = folds.has(n.id) ? graph.nodes[folds.get(n.id)!]! : n;
      const name = owner.id === graph.output ? outputValue : b.values.take(owner.name);
      valueOf.set(n.id, name);
      valueOf.set(owner.id, name);
      if (name !== outputValue) b.valueInfo.push(valueInfo(name, owner.shape));
    }
  }

  if (opts.preprocess !== false) {
    const pre = emitPreprocess(b, graph, inputValue);
    for (const [id, v] of valueOf) if (v === inputValue) valueOf.set(id, pre);
  }

  for (const n of graph.nodes) {
    if (!emitted(n) || foldedBn.has(n.id)) continue;
    const a = n.attrs;
    let w = checkWeights(graph, n, weights.get(n.name));
    let act = "act" in a ? a.act : "none";
    let actAlpha = "act" in a ? a.actAlpha : undefined;
    const bnId = folds.get(n.id);
    if (bnId !== undefined && a.op === "conv") {
      const bn = graph.nodes[bnId]!;
      const bnAttrs = bn.attrs as Extract<IrNode["attrs"], { op: "batchnorm" }>;
      w = foldWeights(w, checkWeights(graph, bn, weights.get(bn.name)), bnAttrs.eps, a.outChannels);
      act = bnAttrs.act;
      actAlpha = bnAttrs.actAlpha;
    }
    const ctx: OpContext = {
      b,
      graph,
      node: n,
      inputs: n.inputs.map((i) => valueOf.get(i)!),
      output: valueOf.get(n.id)!,
      weights: w,
      act,
      actAlpha,
      doc: n.loc ? `${n.loc.file}:${n.loc.line}:${n.loc.column}` : `${n.source.file}@${n.source.span.offset}`,
      dynamicSize: dependent !== undefined,
    };
    const emit = loweringOf(a);
    if (typeof emit === "function") emit(ctx, a);
  }

  // Output aliasing another value (a trailing dropout, or the input itself).
  const outNode = graph.nodes[graph.output]!;
  if (valueOf.get(outNode.id) !== outputValue) {
    b.addNode("Identity", b.nodeNames.has(outNode.name) ? `${outNode.name}/output` : outNode.name, [valueOf.get(outNode.id)!], [outputValue]);
  }

  const fixedValues = new Set(graph.nodes.filter((n) => live[n.id] && !dependent?.[n.id]).map((n) => valueOf.get(n.id)));
  let externalData: Uint8Array | undefined;
  const threshold = opts.externalDataThreshold ?? DEFAULT_EXTERNAL_THRESHOLD;
  if (initializerBytes(b.initializers) > threshold) {
    externalData = externalize(b.initializers, opts.dataFileName ?? "model.onnx.data");
  }

  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: "", version: OPSET }],
    producerName: "netc",
    producerVersion: version,
    docString: onnxString(`${graph.name} from ${graph.file}`),
    // Readers of images (`netc infer --image`) learn from the first what the input takes:
    // raw pixels when the preprocessing is in the graph, preprocessed values when not;
    // with symbolic height and width, the second gives the size the spec was written for.
    metadataProps: [
      ...(graph.preprocess ? [{ key: PREPROCESS_KEY, value: JSON.stringify({ ...graph.preprocess, inGraph: opts.preprocess !== false }) }] : []),
      ...(dependent ? [{ key: "netc.input_shape", value: graph.inputShape.join("x") }] : []),
    ],
    graph: {
      name: onnxString(graph.name),
      node: b.nodes,
      initializer: b.initializers,
      input: [valueInfo(inputValue, dependent ? [graph.inputShape[0]!, "height", "width"] : graph.inputShape)],
      output: [valueInfo(outputValue, dependent?.[outNode.id] ? [outNode.shape[0]!, "out_height", "out_width"] : outNode.shape)],
      // Feature maps have no fixed size to state when the input has none: only the
      // values past the global pooling keep theirs.
      valueInfo: dependent ? b.valueInfo.filter((v) => fixedValues.has(v.name ?? "")) : b.valueInfo,
      docString: onnxString(`${graph.file}:1:1`),
    },
  });
  const bytes = onnx.ModelProto.encode(model).finish();
  return externalData ? { model: bytes, externalData } : { model: bytes };
}
