// Collects the pieces of a GraphProto in emission order (which makes the output
// deterministic) and hands out unique value and node names.
import { onnxString } from "./strings.js";
import { floatTensor, int64Tensor, node, valueInfo, type AttrValue, type NodeProto, type TensorProto, type ValueInfoProto } from "./proto.js";

/**
 * One namespace of ONNX names. Every name is sanitised (onnxString) before it
 * is checked for uniqueness, so names that differ only in characters the
 * sanitiser replaces still come out distinct.
 */
class Names {
  private used = new Set<string>();
  /** IR name -> the ONNX spellings reserved for it, in order (one per IR node of that name). */
  private exact = new Map<string, string[]>();
  /** Claims the IR name `name` up front, before any helper name is taken; returns its ONNX spelling. */
  reserve(name: string): string {
    const got = this.take(name);
    const list = this.exact.get(name);
    if (list) list.push(got);
    else this.exact.set(name, [got]);
    return got;
  }
  /** The next ONNX spelling `reserve` gave the IR name `name` (a fresh one if none is left). */
  reserved(name: string): string {
    return this.exact.get(name)?.shift() ?? this.take(name);
  }
  has(name: string): boolean {
    return this.used.has(onnxString(name));
  }
  /** `preferred` if free, else `preferred_1`, `preferred_2`, ... */
  take(preferred: string): string {
    const base = onnxString(preferred);
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }
}

export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  readonly valueInfo: ValueInfoProto[] = [];
  /** Values and initializers share one namespace (both are graph values). */
  readonly values = new Names();
  readonly nodeNames = new Names();
  private shared = new Map<string, string>();

  /**
   * `exact`: the name is the IR node's own path name, reserved up front so that
   * helper nodes (`conv1/relu`) never take it; used as reserved.
   */
  addNode(opType: string, name: string, inputs: string[], outputs: string[], attrs: Record<string, AttrValue> = {}, doc = "", exact = false): void {
    this.nodes.push(node(opType, exact ? this.nodeNames.reserved(name) : this.nodeNames.take(name), inputs, outputs, attrs, doc));
  }

  /** A fresh intermediate value, recorded in value_info with its shape (without batch). */
  intermediate(preferred: string, shape: number[]): string {
    const name = this.values.take(preferred);
    this.valueInfo.push(valueInfo(name, shape));
    return name;
  }

  addFloat(preferred: string, dims: number[], data: Float32Array): string {
    const name = this.values.take(preferred);
    this.initializers.push(floatTensor(name, dims, data));
    return name;
  }

  addInt64(preferred: string, dims: number[], data: number[]): string {
    const name = this.values.take(preferred);
    this.initializers.push(int64Tensor(name, dims, data));
    return name;
  }

  /** One initializer per key, shared by every node that needs it (Clip bounds). */
  sharedFloat(key: string, dims: number[], data: Float32Array): string {
    let name = this.shared.get(key);
    if (!name) {
      name = this.addFloat(key, dims, data);
      this.shared.set(key, name);
    }
    return name;
  }
}
