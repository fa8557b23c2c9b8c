// Builds small IR graphs by hand (what the checker would produce), computing
// shapes with PyTorch's rules. Used until/alongside the real checker.
import type { Activation, IrGraph, IrNode, NodeAttrs, Shape } from "../../src/ir/graph.js";
import { poolSize } from "../reference/ops.js";

type Pads = [number, number, number, number];
type Pair = [number, number];

/** leakyrelu's slope or elu's alpha, only when given (graphs without one stay as they were). */
const alpha = (actAlpha: number | undefined) => (actAlpha === undefined ? {} : { actAlpha });

export class IrBuilder {
  readonly nodes: IrNode[] = [];
  private aux: string | undefined;

  constructor(
    readonly name: string,
    readonly inputShape: Shape,
    readonly inputName = "input",
    readonly file = "test.net",
  ) {
    this.add("input", { op: "input" }, [], inputShape);
  }

  /** Nodes added inside `fn` belong to the named auxiliary head. */
  inAux<T>(aux: string, fn: () => T): T {
    this.aux = aux;
    try {
      return fn();
    } finally {
      this.aux = undefined;
    }
  }

  shape(id: number): Shape {
    return this.nodes[id]!.shape;
  }

  add(name: string, attrs: NodeAttrs, inputs: number[], shape: Shape, params = 0, macs = 0): number {
    const id = this.nodes.length;
    this.nodes.push({
      id,
      name: id === 0 ? this.inputName : name,
      attrs,
      inputs,
      shape,
      params,
      macs,
      aux: this.aux,
      source: { file: this.file, span: { offset: id * 10, length: 5 } },
      origin: 0,
    });
    return id;
  }

  conv(
    name: string,
    x: number,
    o: { out: number; kernel: number | Pair; stride?: number | Pair; dilation?: number | Pair; pads?: number | Pads; groups?: number; bias?: boolean; act?: Activation; actAlpha?: number },
  ): number {
    const [c, h, w] = this.shape(x) as [number, number, number];
    const pair = (v: number | Pair | undefined, d: number): Pair => (v === undefined ? [d, d] : typeof v === "number" ? [v, v] : v);
    const kernel = pair(o.kernel, 1);
    const stride = pair(o.stride, 1);
    const dilation = pair(o.dilation, 1);
    const pads: Pads = o.pads === undefined ? [0, 0, 0, 0] : typeof o.pads === "number" ? [o.pads, o.pads, o.pads, o.pads] : o.pads;
    const groups = o.groups ?? 1;
    const oh = Math.floor((h + pads[0] + pads[2] - dilation[0] * (kernel[0] - 1) - 1) / stride[0]) + 1;
    const ow = Math.floor((w + pads[1] + pads[3] - dilation[1] * (kernel[1] - 1) - 1) / stride[1]) + 1;
    const bias = o.bias ?? true;
    const params = o.out * (c / groups) * kernel[0] * kernel[1] + (bias ? o.out : 0);
    return this.add(name, { op: "conv", outChannels: o.out, kernel, stride, dilation, pads, groups, bias, act: o.act ?? "none", ...alpha(o.actAlpha) }, [x], [o.out, oh, ow], params, params * oh * ow);
  }

  bn(name: string, x: number, eps = 1e-5, act: Activation = "none", actAlpha?: number): number {
    return this.add(name, { op: "batchnorm", eps, momentum: 0.1, act, ...alpha(actAlpha) }, [x], this.shape(x), 2 * this.shape(x)[0]!);
  }

  lrn(name: string, x: number, size: number, alpha: number, beta: number, bias: number): number {
    return this.add(name, { op: "lrn", size, alpha, beta, bias }, [x], this.shape(x));
  }

  pool(name: string, op: "maxpool" | "avgpool", x: number, o: { kernel: number | Pair; stride?: number | Pair; pads?: number | Pads; ceil?: boolean; countIncludePad?: boolean }): number {
    const [c, h, w] = this.shape(x) as [number, number, number];
    const kernel: Pair = typeof o.kernel === "number" ? [o.kernel, o.kernel] : o.kernel;
    const stride: Pair = o.stride === undefined ? kernel : typeof o.stride === "number" ? [o.stride, o.stride] : o.stride;
    const pads: Pads = o.pads === undefined ? [0, 0, 0, 0] : typeof o.pads === "number" ? [o.pads, o.pads, o.pads, o.pads] : o.pads;
    const ceil = o.ceil ?? false;
    const oh = poolSize(h, kernel[0], stride[0], pads[0], pads[2], ceil);
    const ow = poolSize(w, kernel[1], stride[1], pads[1], pads[3], ceil);
    return this.add(name, { op, kernel, stride, pads, ceil, countIncludePad: o.countIncludePad ?? true }, [x], [c, oh, ow]);
  }

  global(name: string, x: number, op: "globalavgpool" | "globalmaxpool"): number {
    return this.add(name, { op }, [x], [this.shape(x)[0]!, 1, 1]);
  }

  adaptive(name: string, x: number, out: Pair): number {
    return this.add(name, { op: "adaptiveavgpool", out }, [x], [this.shape(x)[0]!, ...out]);
  }

  dropout(name: string, x: number, rate = 0.5): number {
    return this.add(name, { op: "dropout", rate }, [x], this.shape(x));
  }

  flatten(name: string, x: number): number {
    return this.add(name, { op: "flatten" }, [x], [this.shape(x).reduce((a, b) => a * b, 1)]);
  }

  dense(name: string, x: number, units: number, act: Activation = "none", bias = true, actAlpha?: number): number {
    const f = this.shape(x).reduce((a, b) => a * b, 1);
    return this.add(name, { op: "dense", units, bias, act, ...alpha(actAlpha) }, [x], [units], units * f + (bias ? units : 0), units * f);
  }

  act(name: string, x: number, fn: Exclude<Activation, "none">, alpha?: number): number {
    return this.add(name, { op: "act", fn, ...(alpha === undefined ? {} : { alpha }) }, [x], this.shape(x));
  }

  concat(name: string, xs: number[]): number {
    const s = this.shape(xs[0]!);
    return this.add(name, { op: "concat" }, xs, [xs.reduce((a, x) => a + this.shape(x)[0]!, 0), ...s.slice(1)]);
  }

  sum(name: string, xs: number[], act: Activation = "none", actAlpha?: number): number {
    return this.add(name, { op: "add", act, ...alpha(actAlpha) }, xs, this.shape(xs[0]!));
  }

  build(output: number): IrGraph {
    const main = this.nodes.filter((n) => n.aux === undefined);
    const params = main.reduce((a, n) => a + n.params, 0);
    return {
      name: this.name,
      file: this.file,
      inputName: this.inputName,
      inputShape: this.inputShape,
      nodes: this.nodes,
      output,
      auxOutputs: [],
      groups: [],
      origins: [],
      train: { optimizer: "sgd", learningRate: 0.01, momentum: 0.9, decay: 1, decayEvery: 1, batchSize: 32, epochs: 1, weightDecay: 0, validationSplit: 0.1, loss: "crossentropy" },
      params,
      macs: main.reduce((a, n) => a + n.macs, 0),
      paramsWithAux: this.nodes.reduce((a, n) => a + n.params, 0),
    };
  }
}
